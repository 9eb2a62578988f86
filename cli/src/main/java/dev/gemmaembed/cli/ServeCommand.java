package dev.gemmaembed.cli;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.server.EmbeddingServer;
import dev.gemmaembed.server.ServerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gemma-embed serve}: an HTTP server speaking the OpenAI, TEI and Ollama embedding APIs.
 * It listens before the model is loaded ({@code /health} says 503 until then) and on SIGINT or
 * SIGTERM stops accepting connections, finishes the requests in flight and exits.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve embeddings over HTTP with dynamic batching of concurrent requests.",
      "Endpoints: POST /v1/embeddings (OpenAI), POST /embed, POST /tokenize, GET /info (TEI),"
          + " POST /api/embed (Ollama), GET /v1/models, GET /health, GET /metrics (Prometheus)."
    },
    footer = {"", "Examples:",
        "  gemma-embed serve --model models/embeddinggemma-300m",
        "  gemma-embed serve --host 0.0.0.0 --port 9000 --api-key \"$KEY\"",
        "  curl -s localhost:8080/v1/embeddings -H 'Content-Type: application/json' \\",
        "       -d '{\"input\": [\"hello\"], \"model\": \"embeddinggemma\", \"input_type\": \"query\"}'"})
final class ServeCommand implements Callable<Integer> {

  static final String API_KEY_ENV = "GEMMA_EMBED_API_KEY";

  @Spec CommandSpec spec;

  @ParentCommand GemmaEmbed root;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--host", paramLabel = "ADDR", defaultValue = ServerConfig.DEFAULT_HOST,
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_PORT,
      description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--max-batch-tokens", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_BATCH_TOKENS,
      description = "Token budget of one forward pass into which concurrent requests are packed"
          + " (default: ${DEFAULT-VALUE}).")
  int maxBatchTokens;

  @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_CONCURRENT,
      description = "Requests queued or running at once; more get 429 with Retry-After (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(names = "--api-key", paramLabel = "KEY",
      description = "Require 'Authorization: Bearer KEY' on every endpoint but /health"
          + " (default: $" + API_KEY_ENV + "; none if unset).")
  String apiKey;

  @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(names = "--max-inputs", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_INPUTS,
      description = "Most texts in one request (default: ${DEFAULT-VALUE}).")
  int maxInputs;

  @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "" + ServerConfig.DEFAULT_REQUEST_TIMEOUT_SECONDS,
      description = "How long a request may wait for its embeddings before a 503 (default: ${DEFAULT-VALUE}).")
  int requestTimeoutSeconds;

  @Option(names = "--model-name", paramLabel = "NAME",
      description = "Model name reported in responses (default: the model directory's name).")
  String modelName;

  @Override
  public Integer call() throws InterruptedException {
    CliEnvironment env = root.environment();
    ServerConfig config = config(env);
    PrintStream err = env.stderr();
    EmbeddingServer server;
    try {
      server = new EmbeddingServer(config).start();
    } catch (IllegalStateException e) {
      throw CliException.io(e.getMessage(), e);
    }
    err.println("gemma-embed: listening on " + server.baseUrl() + "; loading the model ...");
    Embedder embedder;
    try {
      embedder = modelOptions.load(env, maxBatchTokens); // the passes are the batches the server packs
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    server.ready(embedder);
    err.println("gemma-embed: ready (" + embedder.dimensions() + " dimensions, model " + embedder.source()
        + "); Ctrl-C stops after the requests in flight");
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("gemma-embed-shutdown").unstarted(() -> {
      server.close();
      embedder.close();
    }));
    server.join();
    return ExitCodes.OK;
  }

  private ServerConfig config(CliEnvironment env) {
    String key = apiKey != null ? apiKey : env.variables().get(API_KEY_ENV);
    String name = modelName;
    if (name == null) {
      Path model = modelOptions.model;
      name = model != null && model.getFileName() != null ? model.getFileName().toString() : ServerConfig.DEFAULT_MODEL_NAME;
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
          .withModelName(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
