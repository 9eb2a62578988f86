package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code serve --cache-mb}: the bounded LRU {@link EmbeddingCache} and its use by the server. */
class EmbeddingCacheTest {

  /** 96 bytes of overhead + 2 ids (8) + 4 floats (16) = 120 bytes an entry. */
  private static final long ENTRY = 120;

  @Test
  void evictsTheLeastRecentlyUsedWhenOverItsBytes() {
    EmbeddingCache cache = new EmbeddingCache(3 * ENTRY);
    float[] a = {1, 2, 3, 4};
    cache.put(new int[] {1, 2}, a);
    cache.put(new int[] {1, 3}, new float[4]);
    cache.put(new int[] {1, 4}, new float[4]);
    assertEquals(3 * ENTRY, cache.bytes());
    assertSame(a, cache.get(new int[] {1, 2})); // now the most recent
    cache.put(new int[] {1, 5}, new float[4]);
    assertNull(cache.get(new int[] {1, 3}));
    assertSame(a, cache.get(new int[] {1, 2}));
    assertEquals(3, cache.size());
    assertEquals(3 * ENTRY, cache.bytes());
    cache.put(new int[] {1, 2}, new float[4]); // replacing keeps the count of bytes right
    assertEquals(3 * ENTRY, cache.bytes());
    cache.put(
        new int[] {9}, new float[1000]); // larger than the whole cache: not kept, nothing evicted
    assertNull(cache.get(new int[] {9}));
    assertEquals(3, cache.size());
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingCache(0));
    assertThrows(IllegalArgumentException.class, () -> new ServingOptions(null, -1));
  }

  private static long metric(Http http, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(http.get("/metrics").body());
    assertTrue(m.find(), name);
    return Long.parseLong(m.group(1));
  }

  @Test
  void hitsAreBitwiseIdenticalToComputedVectorsAndCounted() throws Exception {
    Embedder embedder = TinyModel.embedder();
    try (EmbeddingServer cached = new EmbeddingServer(ServerConfig.defaults().withPort(0)).start();
        EmbeddingServer plain = new EmbeddingServer(ServerConfig.defaults().withPort(0)).start()) {
      cached.ready(embedder, new ServingOptions(null, 1 << 20));
      plain.ready(embedder);
      Http http = new Http(cached.baseUrl());
      Http reference = new Http(plain.baseUrl());
      List<String> texts = List.of("alpha", "beta", "alpha");
      var first = http.post("/v1/embeddings", Map.of("input", texts, "input_type", "query"));
      assertEquals(200, first.status(), first.body());
      // "alpha" twice in one request: both misses (looked up before either is computed)
      assertEquals(0, metric(http, "gemma_embed_cache_hits_total"));
      assertEquals(3, metric(http, "gemma_embed_cache_misses_total"));
      var second =
          http.post(
              "/v1/embeddings", Map.of("input", texts, "input_type", "query", "dimensions", 32));
      assertEquals(3, metric(http, "gemma_embed_cache_hits_total"));
      var other =
          http.post("/v1/embeddings", Map.of("input", "alpha")); // another prompt: another key
      assertEquals(200, other.status(), other.body());
      assertEquals(4, metric(http, "gemma_embed_cache_misses_total"));
      var want = reference.post("/v1/embeddings", Map.of("input", texts, "input_type", "query"));
      var want32 =
          reference.post(
              "/v1/embeddings", Map.of("input", texts, "input_type", "query", "dimensions", 32));
      for (int i = 0; i < texts.size(); i++) {
        float[] lib = embedder.embed(texts.get(i), EmbedOptions.query());
        assertArrayEquals(lib, Http.floats(first.json().at("/data/" + i + "/embedding")));
        assertArrayEquals(
            Http.floats(want.json().at("/data/" + i + "/embedding")),
            Http.floats(first.json().at("/data/" + i + "/embedding")),
            "text " + i);
        assertArrayEquals(
            Http.floats(want32.json().at("/data/" + i + "/embedding")),
            Http.floats(second.json().at("/data/" + i + "/embedding")),
            "cut hit " + i);
      }
    }
  }

  @Test
  void concurrentRequestsThroughASmallCacheAllGetTheLibraryVectors() throws Exception {
    Embedder embedder = TinyModel.embedder();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      texts.add("text number " + i);
    }
    List<float[]> want = embedder.embedAll(texts, EmbedOptions.DEFAULT);
    // room for about 4 of the 12 vectors: constant eviction while 8 clients ask at once
    long room = 4 * (96 + 8L * Integer.BYTES + 64L * Float.BYTES);
    try (EmbeddingServer server =
        new EmbeddingServer(ServerConfig.defaults().withPort(0)).start()) {
      server.ready(embedder, new ServingOptions(null, room));
      Http http = new Http(server.baseUrl());
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Void>> done = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int client = c;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int r = 0; r < 6; r++) {
                    int i = (client * 5 + r * 7) % texts.size();
                    var a = http.post("/embed", Map.of("inputs", texts.get(i)));
                    assertEquals(200, a.status(), a.body());
                    assertArrayEquals(
                        want.get(i),
                        Http.floats(a.json().get(0)),
                        "client " + client + " text " + i);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<Void> f : done) {
        f.get();
      }
      pool.shutdown();
      assertEquals(
          48,
          metric(http, "gemma_embed_cache_hits_total")
              + metric(http, "gemma_embed_cache_misses_total"));
    }
  }
}
