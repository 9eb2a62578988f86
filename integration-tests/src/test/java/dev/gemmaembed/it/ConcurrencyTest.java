package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.testing.TinyModel;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One model shared by many threads; closing it while calls run. */
class ConcurrencyTest {

  private static final List<EmbedOptions> OPTIONS =
      List.of(
          EmbedOptions.DEFAULT,
          EmbedOptions.query(),
          EmbedOptions.document("Notes"),
          EmbedOptions.prompt("STS").withDimensions(32),
          EmbedOptions.promptText("custom: ").withDimensions(16));

  @Test
  void sixteenThreadsOfMixedCallsGiveTheSequentialResults() throws Exception {
    List<String> texts = new ArrayList<>();
    Golden.cases("golden.jsonl", "embedding_numpy").forEach(c -> texts.add(c.text()));
    try (Embedder e = Embedder.load(TinyModel.dir(), LoadOptions.defaults().withThreads(2))) {
      float[][][] expected = new float[OPTIONS.size()][texts.size()][];
      for (int o = 0; o < OPTIONS.size(); o++) {
        for (int t = 0; t < texts.size(); t++) {
          expected[o][t] = e.embed(texts.get(t), OPTIONS.get(o));
        }
      }
      ExecutorService pool = Executors.newFixedThreadPool(16);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int w = 0; w < 16; w++) {
        int worker = w;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  int checks = 0;
                  for (int round = 0; round < 6; round++) {
                    int o = (worker + round) % OPTIONS.size();
                    if ((worker + round) % 2 == 0) {
                      int t = (worker * 7 + round) % texts.size();
                      assertArrayEquals(expected[o][t], e.embed(texts.get(t), OPTIONS.get(o)));
                      checks++;
                    } else {
                      List<Integer> idx = new ArrayList<>();
                      for (int i = 0; i < texts.size(); i++) {
                        idx.add(i);
                      }
                      Collections.rotate(idx, worker + round);
                      List<Integer> pick = idx.subList(0, 5 + worker % 7);
                      List<float[]> got =
                          e.embedAll(pick.stream().map(texts::get).toList(), OPTIONS.get(o));
                      for (int k = 0; k < pick.size(); k++) {
                        assertArrayEquals(expected[o][pick.get(k)], got.get(k));
                        checks++;
                      }
                    }
                  }
                  return checks;
                }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertTrue(total > 100, "checked " + total + " vectors");
    }
  }

  @Test
  void closingWhileCallsRunFailsThemCleanly() throws Exception {
    Embedder e =
        Embedder.load(
            TinyModel.dir(), LoadOptions.defaults().withThreads(2).withMaxBatchTokens(64));
    int workers = 4;
    int texts = 400;
    int pauseAt = 200; // several 64-token batches have run by then
    CountDownLatch paused = new CountDownLatch(workers);
    CountDownLatch closed = new CountDownLatch(1);
    // Texts are read batch by batch as the call goes: each call stops at text 200, mid-call, until
    // close() has returned, so every call is certain to meet the close between two batches.
    List<String> many =
        new AbstractList<>() {
          @Override
          public String get(int index) {
            if (index == pauseAt) {
              paused.countDown();
              awaitUninterruptibly(closed);
            }
            return "a sentence that takes a few tokens to say";
          }

          @Override
          public int size() {
            return texts;
          }
        };
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    List<Future<IllegalStateException>> futures = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      futures.add(
          pool.submit(
              () ->
                  assertThrows(
                      IllegalStateException.class, () -> e.embedAll(many, EmbedOptions.DEFAULT))));
    }
    assertTrue(paused.await(60, TimeUnit.SECONDS), "every call reached text " + pauseAt);
    e.close();
    closed.countDown();
    for (Future<IllegalStateException> f : futures) {
      IllegalStateException failure = f.get(60, TimeUnit.SECONDS); // and no other exception escaped
      assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
    }
    pool.shutdown();
    IllegalStateException after = assertThrows(IllegalStateException.class, () -> e.embed("late"));
    assertTrue(after.getMessage().contains("closed"));
    e.close(); // idempotent
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(ex);
    }
  }
}
