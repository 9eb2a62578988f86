package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.NonFiniteOutputException;
import dev.gemmaembed.core.Utf8;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes requests to the three APIs, checks Host, Origin, body type and API key (see {@link
 * RequestGuard}), and answers errors in the caller's API dialect.
 *
 * <p>Neither a slow upload nor waiting for the batcher holds a thread: the body is taken as it
 * arrives ({@link BodyReader}), then parsed and tokenized on a pool thread, and the response is
 * written when the request's future completes. Every request holds a {@link MemoryBudget} lease for
 * its body, parsed inputs, token buffers and reply until its response is written.
 */
final class ApiHandler extends Handler.Abstract {

  private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());

  /** Bytes of a streamed reply buffered before they go to the connection. */
  private static final int STREAM_BUFFER = 64 * 1024;

  /** Every endpoint; {@code path} doubles as the metrics label. */
  enum Route {
    OPENAI_EMBEDDINGS("POST", "/v1/embeddings", Dialect.OPENAI),
    /** TEI's copy of the OpenAI route, without the version prefix. */
    OPENAI_EMBEDDINGS_UNVERSIONED("POST", "/embeddings", Dialect.OPENAI),
    OPENAI_MODELS("GET", "/v1/models", Dialect.OPENAI),
    TEI_EMBED("POST", "/embed", Dialect.TEI),
    /** TEI routes {@code POST /} to its model's task, embed here: the HF client posts there. */
    TEI_ROOT("POST", "/", Dialect.TEI),
    TEI_TOKENIZE("POST", "/tokenize", Dialect.TEI),
    TEI_INFO("GET", "/info", Dialect.TEI),
    OLLAMA_EMBED("POST", "/api/embed", Dialect.OLLAMA),
    /** Ollama's older single-prompt endpoint, which its clients still offer as embeddings(). */
    OLLAMA_EMBEDDINGS("POST", "/api/embeddings", Dialect.OLLAMA),
    HEALTH("GET", "/health", Dialect.TEI),
    /** As TEI: {@code GET /} answers like /health. */
    HEALTH_ROOT("GET", "/", Dialect.TEI),
    METRICS("GET", "/metrics", Dialect.TEI);

    final String method;
    final String path;
    final Dialect dialect;

    Route(String method, String path, Dialect dialect) {
      this.method = method;
      this.path = path;
      this.dialect = dialect;
    }

    /** The route for this method and path; else any route at the path (answered 405); else null. */
    static Route find(String method, String path) {
      Route other = null;
      for (Route r : values()) {
        if (r.path.equals(path)) {
          if (r.method.equals(method)) {
            return r;
          }
          other = r;
        }
      }
      return other;
    }

    /** The methods served at this route's path, for the Allow header. */
    String allowed() {
      StringBuilder b = new StringBuilder();
      for (Route r : values()) {
        if (r.path.equals(path)) {
          b.append(b.isEmpty() ? "" : ", ").append(r.method);
        }
      }
      return b.toString();
    }
  }

  private static final String SHUTDOWN_MESSAGE =
      "the server is shutting down; retry against its replacement";

  private final ServerConfig config;
  private final Metrics metrics;
  private final Executor executor;
  private final byte[] apiKey;
  private final RequestGuard guard;
  private final BodyReader bodies;
  private final MemoryBudget budget;
  private final OpenAiApi openAi;
  private final TeiApi tei;
  private final OllamaApi ollama;
  private final String version;

  /** Requests not yet answered, so that a shutdown past its timeout can answer them 503. */
  private final Set<Exchange> open = ConcurrentHashMap.newKeySet();

  private volatile EmbeddingService service;
  private volatile boolean shuttingDown;

  ApiHandler(ServerConfig config, Metrics metrics, Executor executor) {
    this.config = config;
    this.metrics = metrics;
    this.executor = executor;
    this.apiKey = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
    this.guard = new RequestGuard(config);
    this.bodies = new BodyReader(config);
    this.budget = new MemoryBudget(config.maxMemoryBytes(), config.maxRequestMemoryBytes());
    metrics.intake(bodies::receiving, budget::inUse);
    this.openAi = new OpenAiApi(config.modelName());
    this.tei = new TeiApi(config);
    this.ollama = new OllamaApi(config.modelName());
    String v = ApiHandler.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  /** The server's version, as {@code /info} reports it. */
  String version() {
    return version;
  }

  /** Starts serving embeddings with {@code service} (until then those endpoints answer 503). */
  void serve(EmbeddingService service) {
    this.service = service;
  }

  /** From now on {@code /health} reports 503, so load balancers stop sending work. */
  void shuttingDown() {
    this.shuttingDown = true;
  }

  /** Answers every request still open with 503 (a shutdown past its timeout); returns how many. */
  int abortOpen() {
    int n = 0;
    for (Exchange x : open) {
      if (x.fail(
          new ApiException(
              ApiException.Kind.NOT_READY,
              SHUTDOWN_MESSAGE + " (this request did not finish within the shutdown timeout)"))) {
        n++;
      }
    }
    return n;
  }

  /** Bytes held by requests in flight (the {@link MemoryBudget}), for tests and metrics. */
  long memoryInUse() {
    return budget.inUse();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    Route route = Route.find(method, path);
    Exchange x =
        new Exchange(
            response,
            callback,
            route == null ? Dialect.forPath(path) : route.dialect,
            route == null ? "other" : route.path,
            System.nanoTime());
    try {
      if (route == null) {
        throw new ApiException(
            ApiException.Kind.NOT_FOUND,
            "no endpoint at "
                + path
                + "; try POST /v1/embeddings, /embed, /api/embed or /tokenize, GET /health, /info or /metrics");
      }
      boolean health = route == Route.HEALTH || route == Route.HEALTH_ROOT;
      // /health answers any Host and Origin: load balancers probe by address, and it tells nothing.
      boolean hasOrigin = false;
      if (!health || !route.method.equals(method)) {
        guard.checkHost(request);
        if (HttpMethod.OPTIONS.is(method) && request.getHeaders().get(HttpHeader.ORIGIN) != null) {
          guard.preflight(request, response);
          x.send(new Reply(204, null, new byte[0]));
          return true;
        }
        hasOrigin = guard.checkOrigin(request, response);
      }
      if (!route.method.equals(method)) {
        response.getHeaders().put(HttpHeader.ALLOW, route.allowed());
        throw new ApiException(
            ApiException.Kind.METHOD_NOT_ALLOWED,
            path + " takes " + route.allowed() + ", not " + method);
      }
      if (!health && !authorized(request)) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        throw new ApiException(
            ApiException.Kind.UNAUTHORIZED,
            "missing or wrong API key: send the header 'Authorization: Bearer <key>'");
      }
      if (route.method.equals("POST")) {
        guard.checkBodyType(request, hasOrigin);
        ready();
        bodies.read(request, x.lease, body -> x.run(() -> dispatch(route, body, x)), x::fail);
      } else {
        dispatch(route, null, x);
      }
    } catch (ApiException e) {
      x.fail(e);
    } catch (RuntimeException e) {
      x.fail(internal(e));
    }
    return true;
  }

  private void dispatch(Route route, byte[] body, Exchange x) {
    switch (route) {
      case HEALTH, HEALTH_ROOT -> x.send(health());
      case METRICS ->
          x.send(
              new Reply(
                  200,
                  "text/plain; version=0.0.4; charset=utf-8",
                  metrics.render().getBytes(StandardCharsets.UTF_8)));
      case OPENAI_MODELS -> x.send(openAi.models());
      case TEI_INFO -> x.send(tei.info(ready(), version));
      case TEI_TOKENIZE -> {
        EmbeddingService s = ready();
        x.stream(tei.tokenize(parse(body, x.lease), s, x.lease));
      }
      case OPENAI_EMBEDDINGS, OPENAI_EMBEDDINGS_UNVERSIONED -> {
        EmbeddingService s = ready();
        x.sendLater(openAi.embeddings(parse(body, x.lease), s.scoped(x.lease)));
      }
      case TEI_EMBED, TEI_ROOT -> {
        EmbeddingService s = ready();
        x.sendLater(tei.embed(parse(body, x.lease), s.scoped(x.lease)));
      }
      case OLLAMA_EMBED -> {
        EmbeddingService s = ready();
        x.sendLater(ollama.embed(parse(body, x.lease), s.scoped(x.lease)));
      }
      case OLLAMA_EMBEDDINGS -> {
        EmbeddingService s = ready();
        x.sendLater(ollama.embeddings(parse(body, x.lease), s.scoped(x.lease)));
      }
    }
  }

  /**
   * The body as a JSON object: strict UTF-8 first, and the parsed tree's memory taken from the
   * lease.
   */
  private static ObjectNode parse(byte[] body, MemoryBudget.Lease lease) {
    int bad = Utf8.firstInvalid(body);
    if (bad >= 0) {
      throw ApiException.badRequest(
          "the request body is not valid UTF-8 (byte offset "
              + bad
              + "): JSON must be UTF-8, without overlong forms or surrogates",
          null);
    }
    lease.grow(
        (long) body.length * MemoryBudget.PARSED_BYTES_PER_BODY_BYTE, "the parsed request body");
    return Json.parseObject(body);
  }

  private Reply health() {
    String status = shuttingDown ? "shutting down" : service == null ? "loading" : "ok";
    byte[] body =
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("status", status);
              g.writeEndObject();
            });
    return new Reply(status.equals("ok") ? 200 : 503, Reply.JSON, body);
  }

  private EmbeddingService ready() {
    EmbeddingService s = service;
    if (s == null || shuttingDown) {
      throw new ApiException(
          ApiException.Kind.NOT_READY,
          shuttingDown ? SHUTDOWN_MESSAGE : "the model is still loading; retry shortly");
    }
    return s;
  }

  private boolean authorized(Request request) {
    if (apiKey == null) {
      return true;
    }
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    // Constant-time comparison: response timing must not reveal how much of a guess was right.
    return MessageDigest.isEqual(
        header.substring(7).strip().getBytes(StandardCharsets.UTF_8), apiKey);
  }

  private ApiException failure(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ApiException e) {
      return e;
    }
    if (cause instanceof TimeoutException) {
      metrics.timedOut();
      return new ApiException(
          ApiException.Kind.TIMEOUT,
          "no embeddings within the request timeout of "
              + config.requestTimeout().toMillis()
              + " ms; the server is overloaded, retry later");
    }
    if (cause instanceof NonFiniteOutputException e) {
      // the model's fault, not the request's: a 500 saying so, without "internal error" or a trace
      LOG.log(System.Logger.Level.ERROR, e.getMessage());
      return new ApiException(ApiException.Kind.INTERNAL, e.getMessage());
    }
    return internal(cause);
  }

  /** A 500 whose message names no class: the log has the cause and its trace. */
  private static ApiException internal(Throwable t) {
    LOG.log(System.Logger.Level.ERROR, "request failed", t);
    return new ApiException(
        ApiException.Kind.INTERNAL, "internal error; the server's log has the details");
  }

  /**
   * One request's response side: written exactly once, counted in the metrics, its memory given
   * back after.
   */
  private final class Exchange {
    private final Response response;
    private final Callback callback;
    private final Dialect dialect;
    private final String endpoint;
    private final long startNanos;
    private final AtomicBoolean sent = new AtomicBoolean();
    final MemoryBudget.Lease lease = budget.lease();

    Exchange(
        Response response, Callback callback, Dialect dialect, String endpoint, long startNanos) {
      this.response = response;
      this.callback = callback;
      this.dialect = dialect;
      this.endpoint = endpoint;
      this.startNanos = startNanos;
      open.add(this);
    }

    /** Runs request work off Jetty's callback, answering its refusals and failures. */
    void run(Runnable work) {
      try {
        work.run();
      } catch (ApiException e) {
        fail(e);
      } catch (RuntimeException e) {
        fail(internal(e));
      }
    }

    void sendLater(CompletableFuture<Reply> reply) {
      // Async: the batcher's worker must not spend its time writing JSON.
      reply.whenCompleteAsync(
          (r, t) -> {
            if (t == null) {
              send(r);
            } else {
              fail(failure(t));
            }
          },
          executor);
    }

    /** Answers {@code e} in this request's dialect, unless an answer was already started. */
    boolean fail(ApiException e) {
      int status = dialect.status(e.kind());
      return send(new Reply(status, Reply.JSON, Json.write(g -> dialect.writeError(g, e, status))));
    }

    boolean send(Reply reply) {
      if (!sent.compareAndSet(false, true)) {
        return false;
      }
      if (reply.status() == 429 || reply.status() == 503) {
        // Overloaded, timed out, loading or stopping: all worth a retry after a moment.
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      }
      response.setStatus(reply.status());
      if (reply.contentType() != null) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
      }
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
      metrics.request(endpoint, reply.status(), System.nanoTime() - startNanos);
      response.write(true, ByteBuffer.wrap(reply.body()), completion());
      return true;
    }

    /**
     * Writes a 200 JSON reply as it is generated (chunked), through a small buffer, so that its
     * size is not held in memory; blocks this pool thread while the client reads.
     */
    void stream(Json.Writer body) {
      if (!sent.compareAndSet(false, true)) {
        return;
      }
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, Reply.JSON);
      Callback done = completion();
      try (OutputStream out =
          new BufferedOutputStream(Content.Sink.asOutputStream(response), STREAM_BUFFER)) {
        Json.write(out, body);
      } catch (IOException | RuntimeException e) {
        // The status is sent; all that is left is to cut the reply short, which the client sees.
        LOG.log(
            System.Logger.Level.WARNING,
            "streamed reply to " + endpoint + " cut short: " + e.getMessage());
        metrics.request(endpoint, 500, System.nanoTime() - startNanos);
        done.failed(e);
        return;
      }
      metrics.request(endpoint, 200, System.nanoTime() - startNanos);
      done.succeeded();
    }

    /** Jetty's callback, also giving back this request's memory and leaving the open set. */
    private Callback completion() {
      return Callback.from(
          callback,
          () -> {
            lease.close();
            open.remove(this);
          });
    }
  }
}
