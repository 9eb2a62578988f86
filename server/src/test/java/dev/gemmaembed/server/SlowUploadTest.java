package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that send a body slowly hold no thread, are capped in number, and are cut off at the
 * deadline.
 */
class SlowUploadTest {

  /** Opens a connection that declares a body of 100 bytes and sends one. */
  private static RawHttp trickle(int port) {
    RawHttp c = new RawHttp(port);
    c.send(
        "POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100\r\n\r\n",
        "{".getBytes(StandardCharsets.US_ASCII));
    return c;
  }

  @Test
  void moreSlowUploadsThanThreadsLeaveTheServerResponsive() throws Exception {
    // The pool has 200 threads; 250 stalled bodies used to take them all.
    int stalled = 250;
    try (EmbeddingServer server =
        new EmbeddingServer(ServerConfig.defaults().withPort(0).withMaxBodyReads(300)).start()) {
      server.ready(TinyModel.embedder());
      Http http = new Http(server.baseUrl());
      List<RawHttp> slow = new ArrayList<>();
      try {
        for (int i = 0; i < stalled; i++) {
          slow.add(trickle(server.port()));
        }
        awaitMetric(http, "gemma_embed_bodies_receiving", stalled);
        assertEquals(200, http.get("/health").status());
        assertEquals(200, http.get("/metrics").status());
        var ok = http.post("/v1/embeddings", Map.of("input", "served beside the stalled uploads"));
        assertEquals(200, ok.status(), ok.body());
      } finally {
        slow.forEach(RawHttp::close);
      }
    }
  }

  @Test
  @SuppressWarnings("try") // a and b are held open, never read: they are the stalled uploads
  void bodyReadsBeyondTheCapGet429() throws Exception {
    try (EmbeddingServer server =
            new EmbeddingServer(ServerConfig.defaults().withPort(0).withMaxBodyReads(2)).start();
        RawHttp a = trickle(server.port());
        RawHttp b = trickle(server.port())) {
      server.ready(TinyModel.embedder());
      Http http = new Http(server.baseUrl());
      awaitMetric(http, "gemma_embed_bodies_receiving", 2);
      var refused = http.post("/v1/embeddings", Map.of("input", "third"));
      assertEquals(429, refused.status(), refused.body());
      assertEquals("1", refused.raw().headers().firstValue("Retry-After").orElse(null));
    }
  }

  @Test
  void aBodyPastItsDeadlineGets408() {
    try (EmbeddingServer server =
            new EmbeddingServer(
                    ServerConfig.defaults().withPort(0).withBodyTimeout(Duration.ofMillis(300)))
                .start();
        RawHttp slow = trickle(server.port())) {
      server.ready(TinyModel.embedder());
      var answer = slow.answer(); // the server's deadline ends the wait
      assertEquals(408, answer.status(), answer.body());
      assertTrue(
          answer.json().at("/error/message").textValue().contains("did not arrive within"),
          answer.body());
    }
  }

  private static void awaitMetric(Http http, String name, double value)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (ConcurrencyTest.value(http.get("/metrics").body(), name) != value) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " never reached " + value);
      }
      Thread.sleep(10);
    }
  }
}
