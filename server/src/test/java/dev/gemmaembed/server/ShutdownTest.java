package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A shutdown past its timeout answers the requests still open with 503, then reports the model
 * free.
 */
class ShutdownTest {

  @Test
  void requestsStillOpenAtTheTimeoutGet503() throws Exception {
    Embedder embedder = TinyModel.embedder();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch open = new CountDownLatch(1);
    EmbeddingServer server =
        new EmbeddingServer(
                ServerConfig.defaults().withPort(0).withShutdownTimeout(Duration.ofMillis(200)))
            .start();
    server.ready(
        embedder,
        sequences -> {
          entered.countDown();
          try {
            open.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return embedder.embedTokenIds(sequences, 0);
        });
    Http http = new Http(server.baseUrl());
    CompletableFuture<Http.Answer> running =
        CompletableFuture.supplyAsync(
            () -> http.post("/api/embed", Map.of("model", "m", "input", "held in a pass")));
    assertTrue(entered.await(30, TimeUnit.SECONDS));
    CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(server::shutdown);
    var answer =
        running.get(30, TimeUnit.SECONDS); // answered by the shutdown timer, the pass still held
    assertEquals(503, answer.status(), answer.body());
    assertTrue(answer.json().get("error").textValue().contains("shutting down"), answer.body());
    assertEquals(List.of("error"), List.copyOf(iterable(answer.json().fieldNames())));
    open.countDown();
    assertTrue(stopped.get(30, TimeUnit.SECONDS), "the pass ended, so the model may close");
    embedder.embed("the model still works after the server let go of it");
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
