package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * 32 client threads × 200 requests of mixed sizes through all three APIs: no errors, every vector
 * equals the library's single-request result for its text, and the batcher really batched.
 */
class ConcurrencyTest {

  private static final int THREADS = 32;
  private static final int REQUESTS_PER_THREAD = 200;

  @Test
  void concurrentRequestsAreBatchedAndAnsweredCorrectly() throws Exception {
    Embedder embedder = TinyModel.embedder();
    List<String> texts = texts();
    List<float[]> expected = new ArrayList<>();
    for (String t : texts) {
      expected.add(embedder.embed(t));
    }
    try (EmbeddingServer server =
        new EmbeddingServer(ServerConfig.defaults().withPort(0).withMaxBatchTokens(2048)).start()) {
      server.ready(embedder);
      Http http = new Http(server.baseUrl());
      AtomicInteger errors = new AtomicInteger();
      AtomicReference<String> firstError = new AtomicReference<>();
      ExecutorService clients = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < THREADS; c++) {
        long seed = c;
        done.add(
            clients.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  for (int r = 0; r < REQUESTS_PER_THREAD; r++) {
                    int n = random.nextInt(4) == 0 ? 2 : 1;
                    int[] picks = random.ints(n, 0, texts.size()).toArray();
                    String problem = call(http, r % 3, texts, picks, expected);
                    if (problem != null) {
                      errors.incrementAndGet();
                      firstError.compareAndSet(null, problem);
                    }
                  }
                }));
      }
      clients.shutdown();
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
      assertEquals(0, errors.get(), "first error: " + firstError.get());
      double meanBatch = meanBatchSize(http.get("/metrics").body());
      assertTrue(meanBatch > 1, "mean batch size " + meanBatch);
      assertEquals(meanBatch, server.meanBatchSize(), 1e-9);
    }
  }

  /**
   * One request through API {@code api} (0 OpenAI, 1 TEI, 2 Ollama); null if it was right, else
   * what was wrong.
   */
  private static String call(
      Http http, int api, List<String> texts, int[] picks, List<float[]> expected) {
    List<String> inputs = new ArrayList<>();
    for (int p : picks) {
      inputs.add(texts.get(p));
    }
    Http.Answer a =
        switch (api) {
          case 0 -> http.post("/v1/embeddings", Map.of("input", inputs, "model", "tiny"));
          case 1 -> http.post("/embed", Map.of("inputs", inputs));
          default -> http.post("/api/embed", Map.of("model", "tiny", "input", inputs));
        };
    if (a.status() != 200) {
      return "status " + a.status() + ": " + a.body();
    }
    for (int i = 0; i < picks.length; i++) {
      JsonNode v =
          switch (api) {
            case 0 -> a.json().at("/data/" + i + "/embedding");
            case 1 -> a.json().get(i);
            default -> a.json().at("/embeddings/" + i);
          };
      float d = Http.maxAbsDiff(expected.get(picks[i]), Http.floats(v));
      if (!(d <= 1e-6f)) {
        return "text " + picks[i] + " via api " + api + ": max |Δ| = " + d;
      }
    }
    return null;
  }

  /**
   * 40 texts of 1–4 words, every eighth 8–16 words (3 to about 40 tokens): short, because the tiny
   * model embeds only some 5–30k tokens/s on a shared 2-core machine and this test sends 6400
   * requests.
   */
  private static List<String> texts() {
    String[] words = {
      "embedding",
      "gemma",
      "batch",
      "token",
      "vector",
      "query",
      "planet",
      "red",
      "ocean",
      "river",
      "mountain",
      "Zürich",
      "東京",
      "λόγος",
      "quickly",
      "the",
      "of",
      "and",
      "server",
      "latency"
    };
    SplittableRandom random = new SplittableRandom(42);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int n = i % 8 == 0 ? 8 + random.nextInt(9) : 1 + random.nextInt(4);
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < n; w++) {
        sb.append(words[random.nextInt(words.length)]).append(w % 11 == 10 ? ". " : " ");
      }
      out.add(sb.toString().strip());
    }
    return out;
  }

  static double meanBatchSize(String metrics) {
    return value(metrics, "gemma_embed_batch_size_sum")
        / value(metrics, "gemma_embed_batch_size_count");
  }

  static double value(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1));
      }
    }
    throw new AssertionError(name + " not in metrics");
  }
}
