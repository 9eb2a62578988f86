package dev.gemmaembed.server;

import dev.gemmaembed.core.Embedder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An HTTP server (Jetty 12) speaking the OpenAI, TEI and Ollama embedding APIs over one
 * {@link Embedder}, with dynamic batching of concurrent requests.
 *
 * <p>Lifecycle: {@link #start()} listens at once ({@code /health} answers 503 "loading"), {@link
 * #ready(Embedder)} starts serving embeddings, {@link #close()} shuts down gracefully: it stops
 * accepting connections, lets requests in flight finish (up to {@link ServerConfig#shutdownTimeout()})
 * and stops the batcher. The caller owns the Embedder and closes it afterwards.
 *
 * <pre>{@code
 * try (Embedder embedder = Embedder.load(dir);
 *      EmbeddingServer server = new EmbeddingServer(ServerConfig.defaults().withPort(0)).start()) {
 *   server.ready(embedder);
 *   // POST http://127.0.0.1:{server.port()}/v1/embeddings
 * }
 * }</pre>
 */
public final class EmbeddingServer implements AutoCloseable {

  private final ServerConfig config;
  private final Metrics metrics = new Metrics();
  private final Server jetty;
  private final ServerConnector connector;
  private final ApiHandler handler;
  private volatile DynamicBatcher batcher;

  public EmbeddingServer(ServerConfig config) {
    this.config = config;
    QueuedThreadPool threads = new QueuedThreadPool(200, 4);
    threads.setName("gemma-embed-http");
    this.jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    this.connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    jetty.addConnector(connector);
    this.handler = new ApiHandler(config, metrics, threads);
    // GracefulHandler tracks requests in flight so that stop() waits for them (up to the stop timeout).
    jetty.setHandler(new GracefulHandler(handler));
    jetty.setStopTimeout(config.shutdownTimeout().toMillis());
  }

  /** Binds the port and starts answering; embedding endpoints answer 503 until {@link #ready}. */
  public EmbeddingServer start() {
    try {
      jetty.start();
    } catch (Exception e) {
      throw new IllegalStateException("could not start the server on " + config.host() + ":" + config.port()
          + ": " + e.getMessage(), e);
    }
    return this;
  }

  /** Starts serving embeddings from {@code embedder}. */
  public void ready(Embedder embedder) {
    ready(embedder, ServingOptions.defaults());
  }

  /** Starts serving embeddings from {@code embedder}, with {@code options}. */
  public void ready(Embedder embedder, ServingOptions options) {
    ready(embedder, sequences -> embedder.embedTokenIds(sequences, 0), options);
  }

  /** As {@link #ready(Embedder)} with the forward pass replaced (tests use it to hold passes). */
  void ready(Embedder embedder, DynamicBatcher.Backend backend) {
    ready(embedder, backend, ServingOptions.defaults());
  }

  private void ready(Embedder embedder, DynamicBatcher.Backend backend, ServingOptions options) {
    if (batcher != null) {
      throw new IllegalStateException("the server is already serving a model");
    }
    batcher = new DynamicBatcher(backend, config.maxBatchTokens(), config.maxConcurrent(), metrics);
    handler.serve(new EmbeddingService(embedder, batcher, config, metrics, options));
    metrics.ready(true);
  }

  /** The bound port (the chosen one when the config asked for port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String baseUrl() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port();
  }

  /** Blocks until the server stops. */
  public void join() throws InterruptedException {
    jetty.join();
  }

  double meanBatchSize() {
    return metrics.meanBatchSize();
  }

  @Override
  public void close() {
    handler.shuttingDown();
    metrics.ready(false);
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("the server did not stop cleanly: " + e.getMessage(), e);
    } finally {
      DynamicBatcher b = batcher;
      if (b != null) {
        b.close(Math.max(1, config.shutdownTimeout().toMillis()));
      }
    }
  }
}
