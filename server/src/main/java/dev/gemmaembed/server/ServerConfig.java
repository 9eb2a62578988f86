package dev.gemmaembed.server;

import java.time.Duration;

/**
 * How the embedding server listens and what it accepts.
 *
 * @param host address to bind ({@code 127.0.0.1} keeps it local; {@code 0.0.0.0} for all interfaces)
 * @param port TCP port; 0 picks a free one (see {@link EmbeddingServer#port()})
 * @param maxBatchTokens token budget of one forward pass; concurrent requests are packed up to it
 * @param maxConcurrent requests queued or running at once; more are refused with 429
 * @param apiKey when not null, every endpoint but {@code /health} needs {@code Authorization: Bearer <key>}
 * @param maxBodyBytes largest request body; larger ones get 413
 * @param maxInputs most texts (or token arrays) in one request
 * @param requestTimeout how long a request may wait for its embeddings before a 503
 * @param shutdownTimeout how long {@link EmbeddingServer#close()} waits for requests in flight
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
  public static final String DEFAULT_MODEL_NAME = "embeddinggemma-300m";

  public ServerConfig {
    require(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
    require(maxBatchTokens >= 2, "maxBatchTokens must be >= 2, got " + maxBatchTokens);
    require(maxConcurrent >= 1, "maxConcurrent must be >= 1, got " + maxConcurrent);
    require(maxBodyBytes >= 1 && maxBodyBytes <= Integer.MAX_VALUE - 8,
        "maxBodyBytes must be 1.." + (Integer.MAX_VALUE - 8) + ", got " + maxBodyBytes);
    require(maxInputs >= 1, "maxInputs must be >= 1, got " + maxInputs);
    require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "requestTimeout must be positive");
    require(!shutdownTimeout.isNegative(), "shutdownTimeout must not be negative");
    require(apiKey == null || !apiKey.isBlank(), "apiKey must not be blank");
  }

  /** Loopback, port 8080, 4096-token passes, 256 requests in flight, 16 MiB bodies, 2048 inputs, 60 s. */
  public static ServerConfig defaults() {
    return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_CONCURRENT, null,
        DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_INPUTS, Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_SECONDS),
        Duration.ofSeconds(DEFAULT_SHUTDOWN_TIMEOUT_SECONDS), DEFAULT_MODEL_NAME);
  }

  public ServerConfig withHost(String v) {
    return new ServerConfig(v, port, maxBatchTokens, maxConcurrent, apiKey, maxBodyBytes, maxInputs, requestTimeout,
        shutdownTimeout, modelName);
  }

  public ServerConfig withPort(int v) {
    return new ServerConfig(host, v, maxBatchTokens, maxConcurrent, apiKey, maxBodyBytes, maxInputs, requestTimeout,
        shutdownTimeout, modelName);
  }

  public ServerConfig withMaxBatchTokens(int v) {
    return new ServerConfig(host, port, v, maxConcurrent, apiKey, maxBodyBytes, maxInputs, requestTimeout,
        shutdownTimeout, modelName);
  }

  public ServerConfig withMaxConcurrent(int v) {
    return new ServerConfig(host, port, maxBatchTokens, v, apiKey, maxBodyBytes, maxInputs, requestTimeout,
        shutdownTimeout, modelName);
  }

  public ServerConfig withApiKey(String v) {
    return new ServerConfig(host, port, maxBatchTokens, maxConcurrent, v, maxBodyBytes, maxInputs, requestTimeout,
        shutdownTimeout, modelName);
  }

  public ServerConfig withMaxBodyBytes(long v) {
    return new ServerConfig(host, port, maxBatchTokens, maxConcurrent, apiKey, v, maxInputs, requestTimeout,
        shutdownTimeout, modelName);
  }

  public ServerConfig withMaxInputs(int v) {
    return new ServerConfig(host, port, maxBatchTokens, maxConcurrent, apiKey, maxBodyBytes, v, requestTimeout,
        shutdownTimeout, modelName);
  }

  public ServerConfig withRequestTimeout(Duration v) {
    return new ServerConfig(host, port, maxBatchTokens, maxConcurrent, apiKey, maxBodyBytes, maxInputs, v,
        shutdownTimeout, modelName);
  }

  public ServerConfig withShutdownTimeout(Duration v) {
    return new ServerConfig(host, port, maxBatchTokens, maxConcurrent, apiKey, maxBodyBytes, maxInputs,
        requestTimeout, v, modelName);
  }

  public ServerConfig withModelName(String v) {
    return new ServerConfig(host, port, maxBatchTokens, maxConcurrent, apiKey, maxBodyBytes, maxInputs,
        requestTimeout, shutdownTimeout, v);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
