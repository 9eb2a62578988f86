package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.PoisonedModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model that gives NaN is answered with a 500 in each API's own error shape, never with NaN
 * vectors.
 */
class NonFiniteModelTest {

  private static Embedder embedder;
  private static EmbeddingServer server;
  private static Http http;

  @BeforeAll
  static void start() throws Exception {
    embedder = Embedder.load(PoisonedModel.bosRowNaN());
    server = new EmbeddingServer(ServerConfig.defaults().withPort(0).withModelName("tiny")).start();
    server.ready(embedder);
    http = new Http(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    server.close();
    embedder.close();
  }

  private static void assertModelFault(String message) {
    assertTrue(
        message.contains(
            "the model produced a vector holding NaN; likely cause: row 2 of the token embedding "
                + "table"),
        message);
    assertTrue(!message.contains("internal error") && !message.contains("Exception"), message);
  }

  @Test
  void openAi() {
    var r =
        http.post("/v1/embeddings", Map.of("model", "tiny", "input", List.of("hello", "world")));
    assertEquals(500, r.status(), r.body());
    JsonNode error = r.json().get("error");
    assertModelFault(error.get("message").asText());
    assertEquals("server_error", error.get("type").asText());
  }

  @Test
  void tei() {
    var r = http.post("/embed", Map.of("inputs", "hello"));
    assertEquals(500, r.status(), r.body());
    assertModelFault(r.json().get("error").asText());
    assertEquals("Backend", r.json().get("error_type").asText());
  }

  @Test
  void ollama() {
    var r = http.post("/api/embed", Map.of("model", "tiny", "input", "hello"));
    assertEquals(500, r.status(), r.body());
    assertModelFault(r.json().get("error").asText());
  }
}
