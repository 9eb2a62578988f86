package dev.gemmaembed.cli;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.server.EmbeddingServer;
import dev.gemmaembed.server.ServerConfig;
import dev.gemmaembed.server.ServingOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gemma-embed serve}: an HTTP server speaking the OpenAI, TEI and Ollama embedding APIs. It
 * listens before the model is loaded ({@code /health} says 503 until then) and on SIGINT or SIGTERM
 * stops accepting connections, finishes the requests in flight and exits.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve embeddings over HTTP with dynamic batching of concurrent requests.",
      "Endpoints: POST /v1/embeddings (OpenAI), POST /embed, POST /tokenize, GET /info (TEI),"
          + " POST /api/embed (Ollama), GET /v1/models, GET /health, GET /metrics (Prometheus)."
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed serve --model models/embeddinggemma-300m",
      "  gemma-embed serve --host 0.0.0.0 --port 9000 --api-key \"$KEY\"",
      "  curl -s localhost:8080/v1/embeddings -H 'Content-Type: application/json' \\",
      "       -d '{\"input\": [\"hello\"], \"model\": \"embeddinggemma\", \"input_type\": \"query\"}'"
    })
final class ServeCommand implements Callable<Integer> {

  static final String API_KEY_ENV = "GEMMA_EMBED_API_KEY";

  @Spec CommandSpec spec;

  @ParentCommand GemmaEmbed root;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      defaultValue = ServerConfig.DEFAULT_HOST,
      description =
          "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "" + ServerConfig.DEFAULT_PORT,
      description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--max-batch-tokens",
      paramLabel = "N",
      defaultValue = "" + ServerConfig.DEFAULT_MAX_BATCH_TOKENS,
      description =
          "Token budget of one forward pass into which concurrent requests are packed"
              + " (default: ${DEFAULT-VALUE}).")
  int maxBatchTokens;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      defaultValue = "" + ServerConfig.DEFAULT_MAX_CONCURRENT,
      description =
          "Requests queued or running at once; more get 429 with Retry-After (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description =
          "Require 'Authorization: Bearer KEY' on every endpoint but /health"
              + " (default: $"
              + API_KEY_ENV
              + "; none if unset).")
  String apiKey;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "N",
      defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(
      names = "--max-inputs",
      paramLabel = "N",
      defaultValue = "" + ServerConfig.DEFAULT_MAX_INPUTS,
      description = "Most texts in one request (default: ${DEFAULT-VALUE}).")
  int maxInputs;

  @Option(
      names = "--request-timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + ServerConfig.DEFAULT_REQUEST_TIMEOUT_SECONDS,
      description =
          "How long a request may wait for its embeddings before a 503 (default: ${DEFAULT-VALUE}).")
  int requestTimeoutSeconds;

  @Option(
      names = "--shutdown-timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
      description =
          "On SIGINT/SIGTERM, how long requests in flight may finish; those still open then get 503"
              + " (default: ${DEFAULT-VALUE}).")
  int shutdownTimeoutSeconds;

  @Option(
      names = "--max-memory",
      paramLabel = "BYTES",
      defaultValue = "" + ServerConfig.DEFAULT_MAX_MEMORY_BYTES,
      description =
          "Bytes that requests in flight may hold together (bodies, parsed inputs, token buffers,"
              + " replies); one request may take half: more gets 413, a full budget 429 (default: ${DEFAULT-VALUE}).")
  long maxMemoryBytes;

  @Option(
      names = "--body-timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + ServerConfig.DEFAULT_BODY_TIMEOUT_SECONDS,
      description =
          "How long a client may take to send a request body; slower ones get 408 (default: ${DEFAULT-VALUE}).")
  int bodyTimeoutSeconds;

  @Option(
      names = "--cors-origin",
      paramLabel = "ORIGIN",
      description =
          "A web origin (e.g. https://app.example) whose pages may call the server; repeatable."
              + " Requests from other origins get 403.")
  java.util.List<String> corsOrigins = new java.util.ArrayList<>();

  @Option(
      names = "--allowed-host",
      paramLabel = "NAME",
      description =
          "A Host name accepted besides localhost, 127.0.0.1, [::1] and the --host address; repeatable."
              + " Other Hosts get 403 (DNS rebinding); with --host 0.0.0.0 and --api-key, any Host is accepted.")
  java.util.List<String> allowedHosts = new java.util.ArrayList<>();

  @Option(
      names = "--no-ui",
      description =
          "Serve neither the API docs (GET /docs) nor the playground (GET /ui); "
              + "GET /openapi.json stays.")
  boolean noUi;

  @Option(
      names = "--model-name",
      paramLabel = "NAME",
      description = "Model name reported in responses (default: the model directory's name).")
  String modelName;

  @Option(
      names = "--calibration",
      paramLabel = "FILE",
      description =
          "Embeddings (float32 .npy or embed's jsonl, cut to the width requests ask for) whose range the "
              + "'precision': int8/uint8 extension uses (default: each request's own inputs).")
  Path calibration;

  @Option(
      names = "--cache-mb",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Keep up to N MiB of computed vectors and answer repeated inputs (same prompt, truncation and "
              + "text) from them, least recently used evicted first (default: 0, off).")
  long cacheMb;

  @Override
  public Integer call() throws InterruptedException, IOException {
    CliEnvironment env = root.environment();
    ServerConfig config = config(env);
    if (cacheMb < 0 || cacheMb > (Long.MAX_VALUE >> 20)) {
      throw new ParameterException(
          spec.commandLine(),
          "--cache-mb must be 0 (off) or a positive number of MiB, got " + cacheMb);
    }
    ServingOptions serving =
        new ServingOptions(
            calibration == null ? null : CalibrationFile.read(calibration), cacheMb << 20);
    PrintStream err = env.stderr();
    EmbeddingServer server;
    try {
      server = new EmbeddingServer(config, !noUi).start();
    } catch (IllegalStateException e) {
      throw CliException.io(e.getMessage(), e);
    }
    err.println("gemma-embed: listening on " + server.baseUrl() + "; loading the model ...");
    String warning = exposureWarning(config);
    if (warning != null) {
      err.println(warning);
    }
    Embedder embedder;
    try {
      embedder =
          modelOptions.load(env, maxBatchTokens); // the passes are the batches the server packs
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    server.ready(embedder, serving);
    err.println(
        "gemma-embed: ready ("
            + embedder.dimensions()
            + " dimensions, model "
            + embedder.source()
            + "); Ctrl-C stops after the requests in flight");
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("gemma-embed-shutdown")
                .unstarted(
                    () -> {
                      // One line whatever happens: a stack trace at exit would bury the reason.
                      try {
                        if (server.shutdown()) {
                          embedder.close();
                        } else {
                          err.println(
                              "gemma-embed: a forward pass outlived the shutdown timeout; exiting without closing the model");
                        }
                      } catch (RuntimeException e) {
                        err.println("gemma-embed: shutdown: " + e.getMessage());
                      }
                    }));
    server.join();
    return ExitCodes.OK;
  }

  /** The one-line warning for a server on every interface without an API key, else null. */
  static String exposureWarning(ServerConfig config) {
    String host = config.host();
    boolean everyInterface = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    return everyInterface && config.apiKey() == null
        ? "gemma-embed: warning: listening on every interface without --api-key: anyone who can reach this "
            + "machine may use the server (web pages only through a Host in --allowed-host)"
        : null;
  }

  private ServerConfig config(CliEnvironment env) {
    String key = apiKey != null ? apiKey : env.variables().get(API_KEY_ENV);
    String name = modelName;
    if (name == null) {
      Path model = modelOptions.model;
      name =
          model != null && model.getFileName() != null
              ? model.getFileName().toString()
              : ServerConfig.DEFAULT_MODEL_NAME;
    }
    try {
      return ServerConfig.defaults()
          .withHost(host)
          .withPort(port)
          .withMaxBatchTokens(maxBatchTokens)
          .withMaxConcurrent(maxConcurrent)
          .withApiKey(key == null || key.isEmpty() ? null : key)
          .withMaxBodyBytes(maxBodyBytes)
          .withMaxInputs(maxInputs)
          .withRequestTimeout(Duration.ofSeconds(requestTimeoutSeconds))
          .withShutdownTimeout(Duration.ofSeconds(shutdownTimeoutSeconds))
          .withMaxMemoryBytes(maxMemoryBytes)
          .withBodyTimeout(Duration.ofSeconds(bodyTimeoutSeconds))
          .withCorsOrigins(corsOrigins)
          .withAllowedHosts(allowedHosts)
          .withModelName(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
