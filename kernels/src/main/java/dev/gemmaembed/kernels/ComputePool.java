package dev.gemmaembed.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A persistent pool of compute threads shared by all calls of one model. Work is split into
 * contiguous ranges; how it is split never changes what any output element is computed from, so
 * results do not depend on the thread count.
 *
 * <p>{@code threads − 1} daemon workers are started once; the calling thread works too. A loop is
 * published by bumping a generation counter; workers claim chunks with one CAS each and spin
 * briefly between loops (a forward pass runs hundreds of loops a few microseconds apart) before
 * parking. Publishing a loop allocates nothing. Callers from several threads take turns, one loop
 * at a time; a loop started from inside a loop body runs inline on that thread.
 */
public final class ComputePool implements AutoCloseable {

  /** Body of a parallel loop over {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  /** How long an idle worker (or a waiting caller) spins before parking. */
  private static final long SPIN_NANOS = 200_000;

  /**
   * Chunks per thread: enough to even out a descheduled or slower thread, few enough to be cheap.
   */
  private static final int CHUNKS_PER_THREAD = 8;

  /** Chunk count and index share 16-bit fields of {@link #cursor}. */
  private static final int MAX_CHUNKS = 0xFFFF;

  private final int threads;
  private final Worker[] workers;
  private final ReentrantLock submit = new ReentrantLock();

  /**
   * The current loop's claim state in one word, so a claim can never pair one loop's chunk index
   * with another loop's chunk count: generation (bits 32–63), chunk count (16–31), next chunk
   * (0–15).
   */
  private final AtomicLong cursor = new AtomicLong();

  private final AtomicInteger pending = new AtomicInteger();

  // The current loop; written by the submitting thread before it publishes the generation.
  private RangeBody body;
  private int n;
  private int grain;
  private int units;
  private int chunks;
  private volatile Thread waiter;
  private volatile Throwable failure;
  private volatile boolean closed;

  public ComputePool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(i + 1);
      workers[i].start();
    }
  }

  /** A pool sized to the machine's available processors. */
  public static ComputePool ofAvailableProcessors() {
    return new ComputePool(Runtime.getRuntime().availableProcessors());
  }

  public int threads() {
    return threads;
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into at most {@code threads × 8} chunks of as equal
   * a number of grains as possible; every chunk starts at a multiple of {@code grain}.
   */
  public void parallelFor(int n, int grain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int g = Math.max(1, grain);
    int units = (n + g - 1) / g;
    if (workers.length == 0
        || units == 1
        || submit.isHeldByCurrentThread()
        || Worker.isWorkerOf(this)) {
      body.run(0, n);
      return;
    }
    submit.lock();
    try {
      if (closed) {
        throw new IllegalStateException("compute pool is closed");
      }
      this.body = body;
      this.n = n;
      this.grain = g;
      this.units = units;
      this.chunks = Math.min(units, Math.min(MAX_CHUNKS, threads * CHUNKS_PER_THREAD));
      this.failure = null;
      this.waiter = Thread.currentThread();
      pending.set(chunks);
      long gen = ((cursor.get() >>> 32) + 1) & 0xFFFF_FFFFL;
      cursor.set(gen << 32 | (long) chunks << 16); // publishes the fields above
      for (Worker w : workers) {
        if (w.parked) {
          LockSupport.unpark(w);
        }
      }
      work(gen);
      awaitCompletion();
      this.body = null;
      Throwable f = failure;
      if (f != null) {
        failure = null;
        if (f instanceof RuntimeException re) {
          throw re;
        }
        if (f instanceof Error e) {
          throw e;
        }
        throw new IllegalStateException(f);
      }
    } finally {
      submit.unlock();
    }
  }

  /** Claims and runs chunks of loop {@code gen} until none is left. */
  private void work(long gen) {
    while (true) {
      long c = cursor.get();
      int next = (int) (c & 0xFFFF);
      if ((c >>> 32) != gen || next >= (int) ((c >>> 16) & 0xFFFF)) {
        return;
      }
      if (!cursor.compareAndSet(c, c + 1)) {
        continue;
      }
      // The claim succeeded while loop gen was unfinished, so the fields are still gen's.
      // chunk i: grains [i·units/chunks, (i+1)·units/chunks)
      int from = (int) ((long) next * units / chunks) * grain;
      int to = Math.min(n, (int) ((long) (next + 1) * units / chunks) * grain);
      try {
        body.run(from, to);
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        }
      }
      if (pending.decrementAndGet() == 0) {
        Thread w = waiter;
        if (w != Thread.currentThread()) {
          LockSupport.unpark(w);
        }
      }
    }
  }

  private void awaitCompletion() {
    long spinUntil = System.nanoTime() + SPIN_NANOS;
    while (pending.get() != 0) {
      if (System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(this, 100_000);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Worker w : workers) {
      LockSupport.unpark(w);
    }
  }

  /** A compute thread: waits for the next loop generation, helps, waits again. */
  private final class Worker extends Thread {

    volatile boolean parked;

    Worker(int index) {
      super("gemma-embed-compute-" + index);
      setDaemon(true);
    }

    static boolean isWorkerOf(ComputePool pool) {
      return Thread.currentThread() instanceof ComputePool.Worker w && w.pool() == pool;
    }

    private ComputePool pool() {
      return ComputePool.this;
    }

    @Override
    public void run() {
      long seen = 0;
      long idleSince = System.nanoTime();
      while (!closed) {
        long gen = cursor.get() >>> 32;
        if (gen != seen) {
          seen = gen;
          work(gen);
          idleSince = System.nanoTime();
        } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          parked = true;
          // re-check after announcing: a publisher either sees parked or we see its generation
          if ((cursor.get() >>> 32) == seen && !closed) {
            LockSupport.park(this);
          }
          parked = false;
          idleSince = System.nanoTime();
        }
      }
    }
  }
}
