package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ComputePoolTest {

  @Test
  void everyIndexRunsExactlyOnceInGrainAlignedChunks() {
    for (int threads : new int[] {1, 2, 3, 5}) {
      try (ComputePool pool = new ComputePool(threads)) {
        for (int n : new int[] {1, 2, 7, 64, 1000}) {
          for (int grain : new int[] {1, 4, 16}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            pool.parallelFor(
                n,
                grain,
                (from, to) -> {
                  assertEquals(0, from % grain, "chunk start " + from);
                  for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                  }
                });
            for (int i = 0; i < n; i++) {
              assertEquals(
                  1,
                  hits.get(i),
                  "index " + i + " of " + n + ", grain " + grain + ", " + threads + " threads");
            }
          }
        }
      }
    }
  }

  @Test
  void manyCallersAndNestedLoopsShareOnePool() throws Exception {
    try (ComputePool pool = new ComputePool(3)) {
      ExecutorService callers = Executors.newFixedThreadPool(6);
      List<Future<Long>> results = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        results.add(
            callers.submit(
                () -> {
                  long total = 0;
                  for (int round = 0; round < 300; round++) {
                    AtomicLong sum = new AtomicLong();
                    pool.parallelFor(
                        40,
                        1,
                        (from, to) -> {
                          for (int i = from; i < to; i++) {
                            int outer = i;
                            // a loop inside a loop body runs inline on that thread
                            pool.parallelFor(
                                10,
                                1,
                                (a, b) -> {
                                  for (int j = a; j < b; j++) {
                                    sum.addAndGet(outer * 10L + j);
                                  }
                                });
                          }
                        });
                    total += sum.get();
                  }
                  return total;
                }));
      }
      for (Future<Long> f : results) {
        assertEquals(300L * (400L * 399 / 2), f.get(60, TimeUnit.SECONDS));
      }
      callers.shutdown();
    }
  }

  @Test
  void aFailingBodyFailsTheCallAndThePoolKeepsWorking() {
    try (ComputePool pool = new ComputePool(2)) {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException thrown =
          assertThrows(
              IllegalStateException.class,
              () ->
                  pool.parallelFor(
                      100,
                      1,
                      (f, t) -> {
                        if (f <= 50 && 50 < t) {
                          throw boom;
                        }
                      }));
      assertSame(boom, thrown);
      AtomicIntegerArray hits = new AtomicIntegerArray(100);
      pool.parallelFor(
          100,
          1,
          (f, t) -> {
            for (int i = f; i < t; i++) {
              hits.incrementAndGet(i);
            }
          });
      for (int i = 0; i < 100; i++) {
        assertEquals(1, hits.get(i));
      }
    }
  }

  @Test
  void workersSurviveIdlePeriods() throws Exception {
    try (ComputePool pool = new ComputePool(2)) {
      for (int round = 0; round < 3; round++) {
        Thread.sleep(5); // long enough for the workers to park
        AtomicIntegerArray hits = new AtomicIntegerArray(64);
        pool.parallelFor(
            64,
            1,
            (f, t) -> {
              for (int i = f; i < t; i++) {
                hits.incrementAndGet(i);
              }
            });
        for (int i = 0; i < 64; i++) {
          assertTrue(hits.get(i) == 1);
        }
      }
    }
  }
}
