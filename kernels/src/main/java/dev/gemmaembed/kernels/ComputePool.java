package dev.gemmaembed.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * A persistent pool of compute threads shared by all calls of one model. Work is split into
 * contiguous ranges; how it is split never changes what any output element is computed from, so
 * results do not depend on the thread count.
 */
public final class ComputePool implements AutoCloseable {

  /** Body of a parallel loop over {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  private final int threads;
  private final ForkJoinPool pool;

  public ComputePool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
      var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
      t.setName("gemma-embed-compute-" + t.getPoolIndex());
      t.setDaemon(true);
      return t;
    }, null, false);
  }

  /** A pool sized to the machine's available processors. */
  public static ComputePool ofAvailableProcessors() {
    return new ComputePool(Runtime.getRuntime().availableProcessors());
  }

  public int threads() {
    return threads;
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into at most {@code threads × 4} chunks whose size is
   * a multiple of {@code grain} (except the last).
   */
  public void parallelFor(int n, int grain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int g = Math.max(1, grain);
    int units = (n + g - 1) / g;
    if (pool == null || units == 1) {
      body.run(0, n);
      return;
    }
    int chunks = Math.min(units, threads * 4);
    int unitsPerChunk = (units + chunks - 1) / chunks;
    List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
    for (int c = 0; c < chunks; c++) {
      int from = c * unitsPerChunk * g;
      int to = Math.min(n, from + unitsPerChunk * g);
      if (from >= to) {
        break;
      }
      tasks.add(new RecursiveAction() {
        @Override
        protected void compute() {
          body.run(from, to);
        }
      });
    }
    if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
      ForkJoinTask.invokeAll(tasks);
    } else {
      pool.invoke(new RecursiveAction() {
        @Override
        protected void compute() {
          invokeAll(tasks);
        }
      });
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
