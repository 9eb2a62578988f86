package dev.gemmaembed.server;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * How the embedding server listens and what it accepts.
 *
 * @param host address to bind ({@code 127.0.0.1} keeps it local; {@code 0.0.0.0} for all
 *     interfaces)
 * @param port TCP port; 0 picks a free one (see {@link EmbeddingServer#port()})
 * @param maxBatchTokens token budget of one forward pass; concurrent requests are packed up to it
 * @param maxConcurrent requests queued or running at once; more are refused with 429
 * @param apiKey when not null, every endpoint but {@code /health} needs {@code Authorization:
 *     Bearer <key>}
 * @param maxBodyBytes largest request body; larger ones get 413
 * @param maxInputs most texts (or token arrays) in one request
 * @param requestTimeout how long a request may wait for its embeddings before a 503
 * @param shutdownTimeout how long {@link EmbeddingServer#close()} waits for requests in flight;
 *     those still open then are answered 503
 * @param maxMemoryBytes bytes that requests in flight may hold together (bodies, parsed inputs,
 *     token buffers, replies); a request that would need more than half of it gets 413, one that
 *     finds too little left gets 429 (see {@link MemoryBudget})
 * @param bodyTimeout how long a client may take to send a request body; slower ones get 408
 * @param maxBodyReads request bodies being received at once; more are refused with 429
 * @param corsOrigins web origins (e.g. {@code https://app.example}) whose pages may call the
 *     server; other origins get 403
 * @param allowedHosts {@code Host} names accepted besides the loopback names and the bound address;
 *     other Hosts get 403 (DNS rebinding)
 * @param modelName the model name reported in responses and {@code /info}
 */
public record ServerConfig(
    String host,
    int port,
    int maxBatchTokens,
    int maxConcurrent,
    String apiKey,
    long maxBodyBytes,
    int maxInputs,
    Duration requestTimeout,
    Duration shutdownTimeout,
    long maxMemoryBytes,
    Duration bodyTimeout,
    int maxBodyReads,
    List<String> corsOrigins,
    List<String> allowedHosts,
    String modelName) {

  // The defaults, stated once: the command line's options show these too.
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MAX_BATCH_TOKENS = 4096;
  public static final int DEFAULT_MAX_CONCURRENT = 256;
  public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;
  public static final int DEFAULT_MAX_INPUTS = 2048;
  public static final int DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;
  public static final int DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 30;
  public static final long DEFAULT_MAX_MEMORY_BYTES = 512L << 20;
  public static final int DEFAULT_BODY_TIMEOUT_SECONDS = 20;
  public static final int DEFAULT_MAX_BODY_READS = 64;
  public static final String DEFAULT_MODEL_NAME = "embeddinggemma-300m";

  public ServerConfig {
    require(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
    require(maxBatchTokens >= 2, "maxBatchTokens must be >= 2, got " + maxBatchTokens);
    require(maxConcurrent >= 1, "maxConcurrent must be >= 1, got " + maxConcurrent);
    require(
        maxBodyBytes >= 1 && maxBodyBytes <= Integer.MAX_VALUE - 8,
        "maxBodyBytes must be 1.." + (Integer.MAX_VALUE - 8) + ", got " + maxBodyBytes);
    require(maxInputs >= 1, "maxInputs must be >= 1, got " + maxInputs);
    require(
        !requestTimeout.isNegative() && !requestTimeout.isZero(),
        "requestTimeout must be positive");
    require(!shutdownTimeout.isNegative(), "shutdownTimeout must not be negative");
    require(
        maxMemoryBytes >= 1L << 20, "maxMemoryBytes must be at least 1 MiB, got " + maxMemoryBytes);
    require(!bodyTimeout.isNegative() && !bodyTimeout.isZero(), "bodyTimeout must be positive");
    require(maxBodyReads >= 1, "maxBodyReads must be >= 1, got " + maxBodyReads);
    require(apiKey == null || !apiKey.isBlank(), "apiKey must not be blank");
    corsOrigins = List.copyOf(corsOrigins);
    allowedHosts = List.copyOf(allowedHosts);
    for (String origin : corsOrigins) {
      require(
          RequestGuard.isOrigin(origin),
          "a CORS origin is scheme://host[:port] with nothing after it, got \"" + origin + "\"");
    }
    for (String name : allowedHosts) {
      require(
          !name.isBlank() && name.indexOf('/') < 0,
          "an allowed host is a host name, got \"" + name + "\"");
    }
  }

  /**
   * Loopback, port 8080, 4096-token passes, 256 requests in flight, 16 MiB bodies, 2048 inputs, 60
   * s, 512 MiB of requests in flight, 20 s to send a body, 64 bodies received at once, no other
   * origins.
   */
  public static ServerConfig defaults() {
    return new Copy().build();
  }

  /**
   * The most one request may hold: half the in-flight budget, so that two large requests can run.
   */
  public long maxRequestMemoryBytes() {
    return maxMemoryBytes / 2;
  }

  public ServerConfig withHost(String v) {
    return copy(c -> c.host = v);
  }

  public ServerConfig withPort(int v) {
    return copy(c -> c.port = v);
  }

  public ServerConfig withMaxBatchTokens(int v) {
    return copy(c -> c.maxBatchTokens = v);
  }

  public ServerConfig withMaxConcurrent(int v) {
    return copy(c -> c.maxConcurrent = v);
  }

  public ServerConfig withApiKey(String v) {
    return copy(c -> c.apiKey = v);
  }

  public ServerConfig withMaxBodyBytes(long v) {
    return copy(c -> c.maxBodyBytes = v);
  }

  public ServerConfig withMaxInputs(int v) {
    return copy(c -> c.maxInputs = v);
  }

  public ServerConfig withRequestTimeout(Duration v) {
    return copy(c -> c.requestTimeout = v);
  }

  public ServerConfig withShutdownTimeout(Duration v) {
    return copy(c -> c.shutdownTimeout = v);
  }

  public ServerConfig withMaxMemoryBytes(long v) {
    return copy(c -> c.maxMemoryBytes = v);
  }

  public ServerConfig withBodyTimeout(Duration v) {
    return copy(c -> c.bodyTimeout = v);
  }

  public ServerConfig withMaxBodyReads(int v) {
    return copy(c -> c.maxBodyReads = v);
  }

  public ServerConfig withCorsOrigins(List<String> v) {
    return copy(c -> c.corsOrigins = v);
  }

  public ServerConfig withAllowedHosts(List<String> v) {
    return copy(c -> c.allowedHosts = v);
  }

  public ServerConfig withModelName(String v) {
    return copy(c -> c.modelName = v);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** This config with one component changed by {@code change} (and checked again). */
  private ServerConfig copy(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }

  /** The components as mutable fields, starting from the defaults or from a config. */
  private static final class Copy {
    String host;
    int port;
    int maxBatchTokens;
    int maxConcurrent;
    String apiKey;
    long maxBodyBytes;
    int maxInputs;
    Duration requestTimeout;
    Duration shutdownTimeout;
    long maxMemoryBytes;
    Duration bodyTimeout;
    int maxBodyReads;
    List<String> corsOrigins;
    List<String> allowedHosts;
    String modelName;

    Copy() {
      host = DEFAULT_HOST;
      port = DEFAULT_PORT;
      maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
      maxConcurrent = DEFAULT_MAX_CONCURRENT;
      maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
      maxInputs = DEFAULT_MAX_INPUTS;
      requestTimeout = Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_SECONDS);
      shutdownTimeout = Duration.ofSeconds(DEFAULT_SHUTDOWN_TIMEOUT_SECONDS);
      maxMemoryBytes = DEFAULT_MAX_MEMORY_BYTES;
      bodyTimeout = Duration.ofSeconds(DEFAULT_BODY_TIMEOUT_SECONDS);
      maxBodyReads = DEFAULT_MAX_BODY_READS;
      corsOrigins = List.of();
      allowedHosts = List.of();
      modelName = DEFAULT_MODEL_NAME;
    }

    Copy(ServerConfig c) {
      host = c.host;
      port = c.port;
      maxBatchTokens = c.maxBatchTokens;
      maxConcurrent = c.maxConcurrent;
      apiKey = c.apiKey;
      maxBodyBytes = c.maxBodyBytes;
      maxInputs = c.maxInputs;
      requestTimeout = c.requestTimeout;
      shutdownTimeout = c.shutdownTimeout;
      maxMemoryBytes = c.maxMemoryBytes;
      bodyTimeout = c.bodyTimeout;
      maxBodyReads = c.maxBodyReads;
      corsOrigins = c.corsOrigins;
      allowedHosts = c.allowedHosts;
      modelName = c.modelName;
    }

    ServerConfig build() {
      return new ServerConfig(
          host,
          port,
          maxBatchTokens,
          maxConcurrent,
          apiKey,
          maxBodyBytes,
          maxInputs,
          requestTimeout,
          shutdownTimeout,
          maxMemoryBytes,
          bodyTimeout,
          maxBodyReads,
          corsOrigins,
          allowedHosts,
          modelName);
    }
  }
}
