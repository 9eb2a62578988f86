package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes requests to the three APIs, checks the API key and body size, and answers errors in the
 * caller's API dialect.
 *
 * <p>Jetty calls {@link #handle} on a pool thread that may block: reading the (size-capped) body,
 * parsing and tokenizing happen there. Waiting for the batcher does not hold a thread: the
 * response is written when the request's future completes.
 */
final class ApiHandler extends Handler.Abstract {

  private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());

  /** Every endpoint; {@code path} doubles as the metrics label. */
  private enum Route {
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

  private final ServerConfig config;
  private final Metrics metrics;
  private final Executor executor;
  private final byte[] apiKey;
  private final OpenAiApi openAi;
  private final TeiApi tei;
  private final OllamaApi ollama;
  private final String version;
  private volatile EmbeddingService service;
  private volatile boolean shuttingDown;

  ApiHandler(ServerConfig config, Metrics metrics, Executor executor) {
    this.config = config;
    this.metrics = metrics;
    this.executor = executor;
    this.apiKey = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
    this.openAi = new OpenAiApi(config.modelName());
    this.tei = new TeiApi(config);
    this.ollama = new OllamaApi(config.modelName());
    String v = ApiHandler.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  /** Starts serving embeddings with {@code service} (until then those endpoints answer 503). */
  void serve(EmbeddingService service) {
    this.service = service;
  }

  /** From now on {@code /health} reports 503, so load balancers stop sending work. */
  void shuttingDown() {
    this.shuttingDown = true;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    Route route = Route.find(request.getMethod(), path);
    Exchange x = new Exchange(response, callback, route == null ? Dialect.forPath(path) : route.dialect,
        route == null ? "other" : route.path, System.nanoTime());
    try {
      if (route == null) {
        throw new ApiException(ApiException.Kind.NOT_FOUND, "no endpoint at " + path
            + "; try POST /v1/embeddings, /embed, /api/embed or /tokenize, GET /health, /info or /metrics");
      }
      if (!route.method.equals(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, route.allowed());
        throw new ApiException(ApiException.Kind.METHOD_NOT_ALLOWED, path + " takes " + route.allowed() + ", not "
            + request.getMethod());
      }
      if (route != Route.HEALTH && route != Route.HEALTH_ROOT && !authorized(request)) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        throw new ApiException(ApiException.Kind.UNAUTHORIZED,
            "missing or wrong API key: send the header 'Authorization: Bearer <key>'");
      }
      dispatch(route, request, x);
    } catch (ApiException e) {
      x.fail(e);
    } catch (RuntimeException e) {
      x.fail(internal(e));
    }
    return true;
  }

  private void dispatch(Route route, Request request, Exchange x) {
    switch (route) {
      case HEALTH, HEALTH_ROOT -> x.send(health());
      case METRICS -> x.send(new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
          metrics.render().getBytes(StandardCharsets.UTF_8)));
      case OPENAI_MODELS -> x.send(openAi.models());
      case TEI_INFO -> x.send(tei.info(ready(), version));
      case TEI_TOKENIZE -> {
        EmbeddingService s = ready();
        x.send(tei.tokenize(Json.parseObject(readBody(request)), s));
      }
      case OPENAI_EMBEDDINGS, OPENAI_EMBEDDINGS_UNVERSIONED -> {
        EmbeddingService s = ready();
        x.sendLater(openAi.embeddings(Json.parseObject(readBody(request)), s));
      }
      case TEI_EMBED, TEI_ROOT -> {
        EmbeddingService s = ready();
        x.sendLater(tei.embed(Json.parseObject(readBody(request)), s));
      }
      case OLLAMA_EMBED -> {
        EmbeddingService s = ready();
        x.sendLater(ollama.embed(Json.parseObject(readBody(request)), s));
      }
      case OLLAMA_EMBEDDINGS -> {
        EmbeddingService s = ready();
        x.sendLater(ollama.embeddings(Json.parseObject(readBody(request)), s));
      }
    }
  }

  private Reply health() {
    String status = shuttingDown ? "shutting down" : service == null ? "loading" : "ok";
    byte[] body = Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("status", status);
      g.writeEndObject();
    });
    return new Reply(status.equals("ok") ? 200 : 503, Reply.JSON, body);
  }

  private EmbeddingService ready() {
    EmbeddingService s = service;
    if (s == null || shuttingDown) {
      throw new ApiException(ApiException.Kind.NOT_READY,
          shuttingDown ? "the server is shutting down" : "the model is still loading; retry shortly");
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
    return MessageDigest.isEqual(header.substring(7).strip().getBytes(StandardCharsets.UTF_8), apiKey);
  }

  /** The whole body, at most {@code maxBodyBytes}; 413 beyond that, whether declared or streamed. */
  private byte[] readBody(Request request) {
    long max = config.maxBodyBytes();
    long declared = request.getLength();
    if (declared > max) {
      throw tooLarge(declared + " bytes");
    }
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] body = in.readNBytes((int) max + 1);
      if (body.length > max) {
        throw tooLarge("more than " + max + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw ApiException.badRequest("could not read the request body: " + e.getMessage(), null);
    }
  }

  private ApiException tooLarge(String size) {
    return new ApiException(ApiException.Kind.BODY_TOO_LARGE, "the request body (" + size
        + ") exceeds this server's limit of " + config.maxBodyBytes() + " bytes; send fewer or shorter inputs");
  }

  private ApiException failure(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ApiException e) {
      return e;
    }
    if (cause instanceof TimeoutException) {
      metrics.timedOut();
      return new ApiException(ApiException.Kind.TIMEOUT, "no embeddings within the request timeout of "
          + config.requestTimeout().toMillis() + " ms; the server is overloaded, retry later");
    }
    return internal(cause);
  }

  private static ApiException internal(Throwable t) {
    LOG.log(System.Logger.Level.ERROR, "request failed", t);
    return new ApiException(ApiException.Kind.INTERNAL, "internal error: " + t);
  }

  /** One request's response side: written exactly once, counted in the metrics. */
  private final class Exchange {
    private final Response response;
    private final Callback callback;
    private final Dialect dialect;
    private final String endpoint;
    private final long startNanos;
    private final AtomicBoolean sent = new AtomicBoolean();

    Exchange(Response response, Callback callback, Dialect dialect, String endpoint, long startNanos) {
      this.response = response;
      this.callback = callback;
      this.dialect = dialect;
      this.endpoint = endpoint;
      this.startNanos = startNanos;
    }

    void sendLater(CompletableFuture<Reply> reply) {
      // Async: the batcher's worker must not spend its time writing JSON.
      reply.whenCompleteAsync((r, t) -> {
        if (t == null) {
          send(r);
        } else {
          fail(failure(t));
        }
      }, executor);
    }

    void fail(ApiException e) {
      int status = dialect.status(e.kind());
      send(new Reply(status, Reply.JSON, Json.write(g -> dialect.writeError(g, e, status))));
    }

    void send(Reply reply) {
      if (!sent.compareAndSet(false, true)) {
        return;
      }
      if (reply.status() == 429 || reply.status() == 503) {
        // Overloaded, timed out, loading or stopping: all worth a retry after a moment.
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      }
      response.setStatus(reply.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
      metrics.request(endpoint, reply.status(), System.nanoTime() - startNanos);
      response.write(true, ByteBuffer.wrap(reply.body()), callback);
    }
  }
}
