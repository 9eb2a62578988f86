package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The batcher with a fake forward pass that records what it was given. */
class DynamicBatcherTest {

  /** Answers each sequence with {first id, length}; holds the first pass until {@link #release}. */
  private static final class FakeBackend implements DynamicBatcher.Backend {
    final List<List<int[]>> passes = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch firstPassEntered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile int poison = -1;

    @Override
    public List<float[]> embed(List<int[]> sequences) {
      passes.add(List.copyOf(sequences));
      firstPassEntered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      List<float[]> out = new ArrayList<>();
      for (int[] s : sequences) {
        if (s[0] == poison) {
          throw new IllegalStateException("poisoned pass");
        }
        out.add(new float[] {s[0], s.length});
      }
      return out;
    }
  }

  private static int[] seq(int first, int length) {
    int[] s = new int[length];
    s[0] = first;
    return s;
  }

  /** Blocks the worker in a first pass so that what follows queues up. */
  private static CompletableFuture<List<float[]>> hold(DynamicBatcher b, FakeBackend backend)
      throws Exception {
    CompletableFuture<List<float[]>> f = b.submit(List.of(seq(99, 2)));
    assertTrue(backend.firstPassEntered.await(10, TimeUnit.SECONDS));
    return f;
  }

  @Test
  void packsQueuedRequestsFirstFitWithinTheTokenBudget() throws Exception {
    FakeBackend backend = new FakeBackend();
    try (DynamicBatcher b = new DynamicBatcher(backend, 8, 100, new Metrics())) {
      var held = hold(b, backend);
      var a = b.submit(List.of(seq(1, 6)));
      var c = b.submit(List.of(seq(2, 6), seq(3, 2)));
      var big = b.submit(List.of(seq(4, 20)));
      var d = b.submit(List.of(seq(5, 3)));
      backend.release.countDown();
      assertArrayEquals(new float[] {1, 6}, a.get(10, TimeUnit.SECONDS).getFirst());
      List<float[]> cv = c.get(10, TimeUnit.SECONDS);
      assertArrayEquals(new float[] {2, 6}, cv.get(0));
      assertArrayEquals(new float[] {3, 2}, cv.get(1));
      assertArrayEquals(new float[] {4, 20}, big.get(10, TimeUnit.SECONDS).getFirst());
      assertArrayEquals(new float[] {5, 3}, d.get(10, TimeUnit.SECONDS).getFirst());
      held.get(10, TimeUnit.SECONDS);
      // Pass 2: the oldest (1:6) then first fit (3:2) = 8 tokens; pass 3: 2:6 (oldest); 4:20 does
      // not
      // fit but 5:3 would exceed 8 with 2:6 too (9), so pass 3 is 2:6 alone; pass 4: 4:20 alone,
      // over
      // budget because nothing may starve; pass 5: 5:3.
      assertEquals(List.of("99:2"), describe(backend.passes.get(0)));
      assertEquals(List.of("1:6", "3:2"), describe(backend.passes.get(1)));
      assertEquals(List.of("2:6"), describe(backend.passes.get(2)));
      assertEquals(List.of("4:20"), describe(backend.passes.get(3)));
      assertEquals(List.of("5:3"), describe(backend.passes.get(4)));
    }
  }

  @Test
  void aFailedPassIsRetriedRequestByRequestSoOnlyTheBadOneFails() throws Exception {
    FakeBackend backend = new FakeBackend();
    backend.poison = 7;
    try (DynamicBatcher b = new DynamicBatcher(backend, 100, 100, new Metrics())) {
      var held = hold(b, backend);
      var before = b.submit(List.of(seq(6, 4)));
      var bad = b.submit(List.of(seq(7, 4), seq(9, 2)));
      var after = b.submit(List.of(seq(8, 4)));
      backend.release.countDown();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
      assertInstanceOf(IllegalStateException.class, e.getCause());
      assertArrayEquals(new float[] {6, 4}, before.get(10, TimeUnit.SECONDS).getFirst());
      assertArrayEquals(new float[] {8, 4}, after.get(10, TimeUnit.SECONDS).getFirst());
      held.get(10, TimeUnit.SECONDS);
      // the mixed pass, then each request's part alone
      assertEquals(List.of("6:4", "7:4", "9:2", "8:4"), describe(backend.passes.get(1)));
      assertEquals(List.of("6:4"), describe(backend.passes.get(2)));
      assertEquals(List.of("7:4", "9:2"), describe(backend.passes.get(3)));
      assertEquals(List.of("8:4"), describe(backend.passes.get(4)));
    }
  }

  @Test
  void abandonedRequestsAreDroppedFromTheQueue() throws Exception {
    FakeBackend backend = new FakeBackend();
    try (DynamicBatcher b = new DynamicBatcher(backend, 100, 100, new Metrics())) {
      var held = hold(b, backend);
      var gone = b.submit(List.of(seq(11, 3), seq(12, 3)));
      var kept = b.submit(List.of(seq(13, 3)));
      gone.completeExceptionally(new java.util.concurrent.TimeoutException());
      backend.release.countDown();
      kept.get(10, TimeUnit.SECONDS);
      held.get(10, TimeUnit.SECONDS);
      assertEquals(List.of("13:3"), describe(backend.passes.get(1)));
      assertEquals(2, backend.passes.size());
    }
  }

  @Test
  void refusesBeyondMaxAdmittedAndRecovers() throws Exception {
    FakeBackend backend = new FakeBackend();
    Metrics metrics = new Metrics();
    try (DynamicBatcher b = new DynamicBatcher(backend, 100, 2, metrics)) {
      var held = hold(b, backend);
      var queued = b.submit(List.of(seq(1, 2)));
      assertEquals(2, b.admittedRequests());
      assertEquals(1, b.queuedSequences());
      assertThrows(DynamicBatcher.QueueFullException.class, () -> b.submit(List.of(seq(2, 2))));
      backend.release.countDown();
      held.get(10, TimeUnit.SECONDS);
      queued.get(10, TimeUnit.SECONDS);
      assertArrayEquals(
          new float[] {3, 2}, b.submit(List.of(seq(3, 2))).get(10, TimeUnit.SECONDS).getFirst());
      assertTrue(metrics.meanBatchSize() >= 1);
    }
  }

  @Test
  void closeFinishesQueuedWorkThenRefusesMore() throws Exception {
    FakeBackend backend = new FakeBackend();
    DynamicBatcher b = new DynamicBatcher(backend, 100, 100, new Metrics());
    var held = hold(b, backend);
    var queued = b.submit(List.of(seq(5, 2)));
    Thread closer = Thread.ofPlatform().start(() -> b.close(0));
    backend.release.countDown();
    closer.join(10_000);
    assertFalse(closer.isAlive());
    assertTrue(held.isDone() && queued.isDone());
    assertArrayEquals(new float[] {5, 2}, queued.get().getFirst());
    assertThrows(DynamicBatcher.ShuttingDownException.class, () -> b.submit(List.of(seq(6, 2))));
  }

  @Test
  void emptyRequestsCompleteAtOnce() throws Exception {
    try (DynamicBatcher b = new DynamicBatcher(new FakeBackend(), 10, 1, new Metrics())) {
      assertTrue(b.submit(List.of()).get().isEmpty());
    }
  }

  private static List<String> describe(List<int[]> pass) {
    return pass.stream().map(s -> s[0] + ":" + s.length).toList();
  }
}
