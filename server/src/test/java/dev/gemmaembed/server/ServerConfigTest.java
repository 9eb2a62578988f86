package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The defaults are the stated constants, and each wither changes its own component only. */
class ServerConfigTest {

  @Test
  void defaultsAreTheConstants() {
    ServerConfig d = ServerConfig.defaults();
    assertEquals(ServerConfig.DEFAULT_HOST, d.host());
    assertEquals(ServerConfig.DEFAULT_PORT, d.port());
    assertEquals(ServerConfig.DEFAULT_MAX_BATCH_TOKENS, d.maxBatchTokens());
    assertEquals(ServerConfig.DEFAULT_MAX_CONCURRENT, d.maxConcurrent());
    assertEquals(null, d.apiKey());
    assertEquals(ServerConfig.DEFAULT_MAX_BODY_BYTES, d.maxBodyBytes());
    assertEquals(ServerConfig.DEFAULT_MAX_INPUTS, d.maxInputs());
    assertEquals(
        Duration.ofSeconds(ServerConfig.DEFAULT_REQUEST_TIMEOUT_SECONDS), d.requestTimeout());
    assertEquals(
        Duration.ofSeconds(ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT_SECONDS), d.shutdownTimeout());
    assertEquals(ServerConfig.DEFAULT_MAX_MEMORY_BYTES, d.maxMemoryBytes());
    assertEquals(Duration.ofSeconds(ServerConfig.DEFAULT_BODY_TIMEOUT_SECONDS), d.bodyTimeout());
    assertEquals(ServerConfig.DEFAULT_MAX_BODY_READS, d.maxBodyReads());
    assertEquals(List.of(), d.corsOrigins());
    assertEquals(List.of(), d.allowedHosts());
    assertEquals(ServerConfig.DEFAULT_MODEL_NAME, d.modelName());
  }

  @Test
  void eachWitherChangesItsComponentOnly() throws ReflectiveOperationException {
    ServerConfig d = ServerConfig.defaults();
    Map<String, ServerConfig> changed =
        Map.ofEntries(
            Map.entry("host", d.withHost("0.0.0.0")),
            Map.entry("port", d.withPort(0)),
            Map.entry("maxBatchTokens", d.withMaxBatchTokens(64)),
            Map.entry("maxConcurrent", d.withMaxConcurrent(3)),
            Map.entry("apiKey", d.withApiKey("key")),
            Map.entry("maxBodyBytes", d.withMaxBodyBytes(4096)),
            Map.entry("maxInputs", d.withMaxInputs(5)),
            Map.entry("requestTimeout", d.withRequestTimeout(Duration.ofMillis(7))),
            Map.entry("shutdownTimeout", d.withShutdownTimeout(Duration.ZERO)),
            Map.entry("maxMemoryBytes", d.withMaxMemoryBytes(8L << 20)),
            Map.entry("bodyTimeout", d.withBodyTimeout(Duration.ofMillis(9))),
            Map.entry("maxBodyReads", d.withMaxBodyReads(2)),
            Map.entry("corsOrigins", d.withCorsOrigins(List.of("https://app.example"))),
            Map.entry("allowedHosts", d.withAllowedHosts(List.of("embed.internal"))),
            Map.entry("modelName", d.withModelName("tiny")));
    RecordComponent[] components = ServerConfig.class.getRecordComponents();
    assertEquals(components.length, changed.size(), "a wither per component");
    for (RecordComponent c : components) {
      ServerConfig config = changed.get(c.getName());
      for (RecordComponent other : components) {
        Object before = other.getAccessor().invoke(d);
        Object after = other.getAccessor().invoke(config);
        if (other == c) {
          assertNotEquals(before, after, c.getName() + " changed");
        } else {
          assertEquals(before, after, "with" + c.getName() + " left " + other.getName());
        }
      }
    }
  }

  @Test
  void withersCheckTheirValues() {
    ServerConfig d = ServerConfig.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withPort(65536));
    assertThrows(IllegalArgumentException.class, () -> d.withApiKey(" "));
    assertThrows(IllegalArgumentException.class, () -> d.withCorsOrigins(List.of("app.example")));
  }
}
