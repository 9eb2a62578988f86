package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Oversized, malformed and unauthenticated requests, a full queue, timeouts and shutdown. */
class AbuseTest {

  private static final String KEY = "s3cret-key";

  /** Holds every forward pass until {@link #open} is called. */
  private static final class Gate implements DynamicBatcher.Backend {
    final Embedder embedder;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);

    Gate(Embedder embedder) {
      this.embedder = embedder;
    }

    @Override
    public List<float[]> embed(List<int[]> sequences) {
      entered.countDown();
      try {
        open.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return embedder.embedTokenIds(sequences, 0);
    }
  }

  private static ServerConfig config() {
    return ServerConfig.defaults().withPort(0);
  }

  @Test
  void limitsAndAuthThenStillServes() {
    Embedder embedder = TinyModel.embedder();
    try (EmbeddingServer server =
        new EmbeddingServer(config().withApiKey(KEY).withMaxBodyBytes(4096).withMaxInputs(4))
            .start()) {
      server.ready(embedder);
      Http http = new Http(server.baseUrl(), KEY);

      var big = http.post("/v1/embeddings", Map.of("input", "x".repeat(10_000)));
      assertEquals(413, big.status(), big.body());
      assertEquals("request_too_large", big.json().at("/error/code").textValue());
      // The same without a Content-Length (chunked): caught while reading.
      var chunked =
          http.send(
              http.request("/v1/embeddings")
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () ->
                              new ByteArrayInputStream(
                                  ("{\"input\": \"" + "y".repeat(10_000) + "\"}")
                                      .getBytes(StandardCharsets.UTF_8))))
                  .build());
      assertEquals(413, chunked.status(), chunked.body());

      var malformed = http.post("/v1/embeddings", "{\"input\": [\"a\", ");
      assertEquals(400, malformed.status());
      assertTrue(
          malformed.json().at("/error/message").textValue().startsWith("malformed JSON body"),
          malformed.body());
      var teiMalformed = http.post("/embed", "{inputs: 1}");
      assertEquals(400, teiMalformed.status());
      assertTrue(
          teiMalformed.json().get("error").textValue().contains("malformed JSON"),
          teiMalformed.body());
      var notObject = http.post("/api/embed", "[1, 2]");
      assertEquals(400, notObject.status());
      assertTrue(
          notObject.json().get("error").textValue().contains("JSON object"), notObject.body());
      var trailing = http.post("/v1/embeddings", "{\"input\": \"a\"} {}");
      assertEquals(400, trailing.status());

      var tooMany = http.post("/v1/embeddings", Map.of("input", List.of("a", "b", "c", "d", "e")));
      assertEquals(400, tooMany.status());
      var teiTooMany = http.post("/embed", Map.of("inputs", List.of("a", "b", "c", "d", "e")));
      assertEquals(413, teiTooMany.status());

      Http anonymous = new Http(server.baseUrl());
      var missing = anonymous.post("/v1/embeddings", Map.of("input", "a"));
      assertEquals(401, missing.status());
      assertEquals("invalid_api_key", missing.json().at("/error/code").textValue());
      assertEquals("Bearer", missing.raw().headers().firstValue("WWW-Authenticate").orElse(null));
      var wrong = new Http(server.baseUrl(), KEY + "x").post("/embed", Map.of("inputs", "a"));
      assertEquals(401, wrong.status());
      assertTrue(wrong.json().get("error").isTextual());
      assertEquals(401, anonymous.get("/metrics").status());
      assertEquals(200, anonymous.get("/health").status());

      var ok = http.post("/v1/embeddings", Map.of("input", "still serving"));
      assertEquals(200, ok.status(), ok.body());
      ApiCompatibilityTest.assertClose(
          embedder.embed("still serving"),
          Http.floats(ok.json().at("/data/0/embedding")),
          "after abuse");
    }
  }

  @Test
  void fullQueueAnswers429ThenRecovers() throws Exception {
    Embedder embedder = TinyModel.embedder();
    Gate gate = new Gate(embedder);
    try (EmbeddingServer server = new EmbeddingServer(config().withMaxConcurrent(2)).start()) {
      server.ready(embedder, gate);
      Http http = new Http(server.baseUrl());
      CompletableFuture<Http.Answer> running =
          CompletableFuture.supplyAsync(
              () -> http.post("/v1/embeddings", Map.of("input", "first")));
      assertTrue(gate.entered.await(30, TimeUnit.SECONDS));
      CompletableFuture<Http.Answer> queued =
          CompletableFuture.supplyAsync(() -> http.post("/embed", Map.of("inputs", "second")));
      awaitMetric(http, "gemma_embed_requests_in_queue", 2);

      var refused = http.post("/v1/embeddings", Map.of("input", "third"));
      assertEquals(429, refused.status(), refused.body());
      assertEquals("1", refused.raw().headers().firstValue("Retry-After").orElse(null));
      assertEquals("rate_limit_error", refused.json().at("/error/type").textValue());
      var teiRefused = http.post("/embed", Map.of("inputs", "third"));
      assertEquals(429, teiRefused.status());
      assertEquals("Overloaded", teiRefused.json().get("error_type").textValue());

      gate.open.countDown();
      assertEquals(200, running.get(30, TimeUnit.SECONDS).status());
      var second = queued.get(30, TimeUnit.SECONDS);
      assertEquals(200, second.status());
      ApiCompatibilityTest.assertClose(
          embedder.embed("second"), Http.floats(second.json().get(0)), "queued");
      assertEquals(200, http.post("/api/embed", Map.of("model", "m", "input", "fourth")).status());
      assertEquals(
          1.0,
          ConcurrencyTest.value(http.get("/metrics").body(), "gemma_embed_rejected_total") / 2);
    }
  }

  @Test
  void requestsThatWaitTooLongGet503() throws Exception {
    Embedder embedder = TinyModel.embedder();
    Gate gate = new Gate(embedder);
    embedder.embed("warm up the JIT so the pass after the gate opens is quick");
    try (EmbeddingServer server =
        new EmbeddingServer(config().withRequestTimeout(Duration.ofMillis(300))).start()) {
      server.ready(embedder, gate);
      Http http = new Http(server.baseUrl());
      var late = http.post("/v1/embeddings", Map.of("input", "slow"));
      assertEquals(503, late.status(), late.body());
      assertEquals("timeout", late.json().at("/error/code").textValue());
      assertEquals("1", late.raw().headers().firstValue("Retry-After").orElse(null));
      gate.open.countDown();
      // Still serving: on a loaded machine a pass may itself outlast 300 ms, so allow a few tries.
      int status = 0;
      for (int attempt = 0; attempt < 20 && status != 200; attempt++) {
        status = http.post("/v1/embeddings", Map.of("input", "fast again")).status();
      }
      assertEquals(200, status);
      assertTrue(
          ConcurrencyTest.value(http.get("/metrics").body(), "gemma_embed_timeouts_total") >= 1);
    }
  }

  @Test
  void notReadyUntilTheModelIsLoaded() {
    try (EmbeddingServer server = new EmbeddingServer(config()).start()) {
      Http http = new Http(server.baseUrl());
      var health = http.get("/health");
      assertEquals(503, health.status());
      assertEquals("loading", health.json().get("status").textValue());
      var early = http.post("/v1/embeddings", Map.of("input", "too early"));
      assertEquals(503, early.status());
      assertEquals("1", early.raw().headers().firstValue("Retry-After").orElse(null));
      server.ready(TinyModel.embedder());
      assertEquals(200, http.get("/health").status());
      assertEquals(200, http.post("/v1/embeddings", Map.of("input", "now")).status());
    }
  }

  @Test
  void shutdownFinishesRequestsInFlight() throws Exception {
    Embedder embedder = TinyModel.embedder();
    Gate gate = new Gate(embedder);
    EmbeddingServer server = new EmbeddingServer(config()).start();
    server.ready(embedder, gate);
    String base = server.baseUrl();
    Http http = new Http(base);
    CompletableFuture<Http.Answer> inFlight =
        CompletableFuture.supplyAsync(
            () -> http.post("/v1/embeddings", Map.of("input", "in flight")));
    assertTrue(gate.entered.await(30, TimeUnit.SECONDS));
    Thread closer = Thread.ofPlatform().start(server::close);
    // Once the connector is closed, new clients are refused while the request in flight waits.
    // Timeouts: a connection accepted just as the connector closes is never answered; that counts
    // as not serving (an IOException), and must not hang the test.
    HttpClient fresh =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    boolean refused = false;
    while (!refused && System.nanoTime() < deadline) {
      try {
        fresh.send(
            HttpRequest.newBuilder(java.net.URI.create(base + "/health"))
                .timeout(java.time.Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.discarding());
        Thread.sleep(20);
      } catch (java.io.IOException e) {
        refused = true;
      }
    }
    assertTrue(refused, "the server kept accepting connections while shutting down");
    assertTrue(closer.isAlive(), "close() returned before the request in flight finished");
    gate.open.countDown();
    var answer = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, answer.status(), answer.body());
    ApiCompatibilityTest.assertClose(
        embedder.embed("in flight"),
        Http.floats(answer.json().at("/data/0/embedding")),
        "in flight");
    closer.join(30_000);
    assertTrue(!closer.isAlive());
    assertThrows(UncheckedIOException.class, () -> http.get("/health"));
  }

  private static void awaitMetric(Http http, String name, double value)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ConcurrencyTest.value(http.get("/metrics").body(), name) != value) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " never reached " + value);
      }
      Thread.sleep(10);
    }
  }
}
