package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * In-flight memory is bounded by bytes: per-request 413, shared 429, and /tokenize streams its
 * reply.
 */
class MemoryBudgetTest {

  @Test
  void leasesShareTheBudget() {
    MemoryBudget budget = new MemoryBudget(1000, 600);
    MemoryBudget.Lease a = budget.lease();
    MemoryBudget.Lease b = budget.lease();
    a.grow(500, "a");
    var alone = assertThrows(ApiException.class, () -> b.grow(601, "b"));
    assertEquals(ApiException.Kind.BODY_TOO_LARGE, alone.kind());
    var shared = assertThrows(ApiException.class, () -> b.grow(501, "b"));
    assertEquals(ApiException.Kind.QUEUE_FULL, shared.kind());
    assertEquals(500, budget.inUse(), "a refused grow takes nothing");
    b.grow(500, "b");
    var own = assertThrows(ApiException.class, () -> a.grow(101, "a more"));
    assertEquals(
        ApiException.Kind.BODY_TOO_LARGE,
        own.kind(),
        "the per-request share counts what a lease holds");
    a.close();
    a.close();
    assertEquals(500, budget.inUse());
    b.close();
    assertEquals(0, budget.inUse());
  }

  @Test
  void utf8LengthBoundsTokens() {
    assertEquals(1 + 2 + 3 + 4, MemoryBudget.utf8Length("a\u00e9\u6771\ud83d\ude80"));
  }

  @Test
  void tokenizeStreamsAndRefusesWhatExceedsTheShare() {
    Embedder embedder = TinyModel.embedder();
    EmbeddingServer server =
        new EmbeddingServer(ServerConfig.defaults().withPort(0).withMaxMemoryBytes(8L << 20))
            .start();
    try {
      server.ready(embedder);
      Http http = new Http(server.baseUrl());
      String text = "counting the tokens of a long text ".repeat(2000);
      var counted = http.post("/tokenize", Map.of("inputs", text, "add_special_tokens", false));
      assertEquals(200, counted.status(), counted.body());
      assertNull(
          counted.raw().headers().firstValue("Content-Length").orElse(null), "a streamed reply");
      JsonNode tokens = counted.json().get(0);
      assertEquals(embedder.tokenizer().encode(text.strip(), false).length, tokens.size());
      JsonNode last = tokens.get(tokens.size() - 1);
      assertEquals(
          text.strip().length(), last.get("stop").intValue(), "offsets into the stripped text");

      // 4 MiB of budget per request: about 87k UTF-8 bytes may be tokenized with offsets at once.
      String huge = "x".repeat(100_000);
      var refused = http.post("/tokenize", Map.of("inputs", huge));
      assertEquals(413, refused.status(), refused.body());
      assertTrue(
          refused.json().get("error").textValue().contains("4 MiB per request"), refused.body());
      var embed =
          http.post("/v1/embeddings", Map.of("input", "x".repeat(400_000), "truncate", true));
      assertEquals(413, embed.status(), "its parsed body alone exceeds the share");
      assertEquals("request_too_large", embed.json().at("/error/code").textValue());
      assertEquals(200, http.post("/v1/embeddings", Map.of("input", "still serving")).status());
    } finally {
      server.close();
    }
    assertEquals(0, server.memoryInUse(), "every request gave its memory back");
  }
}
