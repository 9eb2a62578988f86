package dev.gemmaembed.server;

import dev.gemmaembed.core.Embedder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An HTTP server (Jetty 12) speaking the OpenAI, TEI and Ollama embedding APIs over one {@link
 * Embedder}, with dynamic batching of concurrent requests.
 *
 * <p>Lifecycle: {@link #start()} listens at once ({@code /health} answers 503 "loading"), {@link
 * #ready(Embedder)} starts serving embeddings, {@link #close()} shuts down gracefully: it stops
 * accepting connections, lets requests in flight finish (up to {@link
 * ServerConfig#shutdownTimeout()}; those still open then are answered 503) and stops the batcher.
 * The caller owns the Embedder and closes it afterwards, once {@link #shutdown()} says no forward
 * pass still uses it.
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

  private static final System.Logger LOG = System.getLogger(EmbeddingServer.class.getName());

  /** Time after the shutdown timeout for the 503s to requests still open to be written. */
  private static final long ABORT_GRACE_MILLIS = 5_000;

  private final ServerConfig config;
  private final Metrics metrics = new Metrics();
  private final Server jetty;
  private final ServerConnector connector;
  private final ApiHandler handler;
  private volatile DynamicBatcher batcher;

  public EmbeddingServer(ServerConfig config) {
    this(config, true);
  }

  /**
   * @param pages whether {@code /docs} and {@code /ui} are served ({@code /openapi.json} always is)
   */
  public EmbeddingServer(ServerConfig config, boolean pages) {
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
    // GracefulHandler tracks requests in flight so that stop() waits for them (up to the stop
    // timeout,
    // past which shutdown() answers those still open with 503 and they complete).
    jetty.setHandler(new GracefulHandler(new DocsPages(handler, pages, handler.version())));
    jetty.setErrorHandler(new JsonErrorHandler());
    jetty.setStopTimeout(config.shutdownTimeout().toMillis() + ABORT_GRACE_MILLIS);
  }

  /** Binds the port and starts answering; embedding endpoints answer 503 until {@link #ready}. */
  public EmbeddingServer start() {
    try {
      jetty.start();
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not start the server on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getMessage(),
          e);
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

  /** Bytes the requests in flight hold in the memory budget (0 when none is open). */
  long memoryInUse() {
    return handler.memoryInUse();
  }

  @Override
  public void close() {
    shutdown();
  }

  /**
   * Shuts down as the class comment says and returns whether the model is no longer in use: false
   * only if a forward pass still ran after the shutdown timeout twice over, when closing the model
   * under it would be unsafe.
   */
  public boolean shutdown() {
    handler.shuttingDown();
    metrics.ready(false);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread timer =
        Thread.ofPlatform()
            .name("gemma-embed-shutdown-timer")
            .daemon()
            .start(
                () -> {
                  try {
                    if (!stopped.await(
                        config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                      handler.abortOpen();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    try {
      jetty.stop();
    } catch (Exception e) {
      // Connections still open past the grace are closed by the stop itself; nothing for a caller
      // to do.
      LOG.log(System.Logger.Level.WARNING, "the server stopped uncleanly: " + e.getMessage());
    } finally {
      stopped.countDown();
      timer.interrupt();
    }
    DynamicBatcher b = batcher;
    return b == null || b.close(Math.max(1, config.shutdownTimeout().toMillis()));
  }
}
