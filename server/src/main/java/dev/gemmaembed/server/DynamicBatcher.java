package dev.gemmaembed.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Packs the token sequences of concurrent requests into forward passes of at most {@code
 * maxBatchTokens} tokens, on one worker thread (the model already uses every core for one pass, so
 * passes run one at a time).
 *
 * <p>While a pass runs, newly arriving requests queue up; the next pass takes the oldest waiting
 * sequence first (so nothing starves) and then fills the rest of the token budget first-fit in
 * arrival order, letting shorter sequences behind a long one ride along. The encoder packs
 * sequences without padding, so a pass costs exactly its tokens and ordering inside a pass buys
 * nothing. A request's future completes as soon as the pass holding its last sequence is done. A
 * pass that throws is rerun request by request, so a bad input fails only its own request.
 *
 * <p>At most {@code maxAdmitted} requests are queued or running at once; {@link #submit} throws
 * {@link QueueFullException} beyond that, which the server answers with 429.
 */
final class DynamicBatcher implements AutoCloseable {

  /** One forward pass: full-width vectors for {@code sequences}, in order. */
  @FunctionalInterface
  interface Backend {
    List<float[]> embed(List<int[]> sequences);
  }

  /** The bounded queue is full. */
  static final class QueueFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    QueueFullException(int limit) {
      super("the server is busy: " + limit + " requests are already queued; retry shortly");
    }
  }

  /** The batcher is shutting down and takes no new work. */
  static final class ShuttingDownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ShuttingDownException() {
      super("the server is shutting down");
    }
  }

  /** The smallest sequence ({@code <bos><eos>}); a pass with less budget left than this is full. */
  private static final int MIN_SEQUENCE = 2;

  private final Backend backend;
  private final int maxBatchTokens;
  private final int maxAdmitted;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workAvailable = lock.newCondition();

  /** Waiting sequences in arrival order; a linked list because passes take from the middle. */
  private final LinkedList<Item> queue = new LinkedList<>();

  private final Thread worker;
  private int admitted;
  private boolean closed;

  DynamicBatcher(Backend backend, int maxBatchTokens, int maxAdmitted, Metrics metrics) {
    if (maxBatchTokens < MIN_SEQUENCE) {
      throw new IllegalArgumentException(
          "maxBatchTokens must be >= " + MIN_SEQUENCE + ", got " + maxBatchTokens);
    }
    if (maxAdmitted < 1) {
      throw new IllegalArgumentException("maxAdmitted must be >= 1, got " + maxAdmitted);
    }
    this.backend = backend;
    this.maxBatchTokens = maxBatchTokens;
    this.maxAdmitted = maxAdmitted;
    this.metrics = metrics;
    metrics.gauges(this::queuedSequences, this::admittedRequests);
    this.worker = Thread.ofPlatform().name("gemma-embed-batcher").daemon().start(this::run);
  }

  /**
   * Queues the sequences of one request; the future yields their full-width vectors in order. A
   * caller that gives up (for example on a timeout) completes the future itself; its sequences
   * still waiting are then dropped.
   *
   * @throws QueueFullException if {@code maxAdmitted} requests are already waiting or running
   * @throws ShuttingDownException after {@link #close()}
   */
  CompletableFuture<List<float[]>> submit(List<int[]> sequences) {
    Job job = new Job(sequences);
    if (sequences.isEmpty()) {
      job.future.complete(List.of());
      return job.future;
    }
    lock.lock();
    try {
      if (closed) {
        throw new ShuttingDownException();
      }
      if (admitted >= maxAdmitted) {
        throw new QueueFullException(maxAdmitted);
      }
      admitted++;
      for (int i = 0; i < sequences.size(); i++) {
        queue.addLast(new Item(job, i));
      }
      workAvailable.signal();
    } finally {
      lock.unlock();
    }
    job.future.whenComplete((v, e) -> release());
    return job.future;
  }

  private void release() {
    lock.lock();
    try {
      admitted--;
    } finally {
      lock.unlock();
    }
  }

  int queuedSequences() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  int admittedRequests() {
    lock.lock();
    try {
      return admitted;
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    List<Item> batch = new ArrayList<>();
    while (true) {
      batch.clear();
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          workAvailable.awaitUninterruptibly();
        }
        if (queue.isEmpty()) {
          return;
        }
        fill(batch);
      } finally {
        lock.unlock();
      }
      if (!batch.isEmpty()) {
        runPass(batch);
      }
    }
  }

  /** Moves the next pass's items from the queue into {@code batch}; called with the lock held. */
  private void fill(List<Item> batch) {
    int tokens = 0;
    Iterator<Item> it = queue.iterator();
    while (it.hasNext() && maxBatchTokens - tokens >= MIN_SEQUENCE) {
      Item item = it.next();
      if (item.job.future.isDone()) {
        it.remove(); // its request timed out or failed: nobody waits for this sequence
        continue;
      }
      int length = item.sequence().length;
      if (batch.isEmpty() || tokens + length <= maxBatchTokens) {
        batch.add(item);
        tokens += length;
        it.remove();
      }
    }
  }

  private void runPass(List<Item> batch) {
    List<int[]> sequences = new ArrayList<>(batch.size());
    int tokens = 0;
    for (Item item : batch) {
      sequences.add(item.sequence());
      tokens += item.sequence().length;
    }
    long start = System.nanoTime();
    List<float[]> vectors;
    try {
      vectors = backend.embed(sequences);
    } catch (RuntimeException | Error e) {
      retryAlone(batch, e);
      return;
    }
    metrics.batch(batch.size(), tokens, System.nanoTime() - start);
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).job.deliver(batch.get(i).index, vectors.get(i));
    }
  }

  /**
   * A pass failed. If it mixed requests, reruns each request's part on its own, so that one bad
   * input fails only its own request; otherwise fails that request. The worker lives on.
   */
  private void retryAlone(List<Item> batch, Throwable failure) {
    Map<Job, List<Item>> byJob = new LinkedHashMap<>();
    for (Item item : batch) {
      byJob.computeIfAbsent(item.job, j -> new ArrayList<>()).add(item);
    }
    if (byJob.size() == 1) {
      batch.getFirst().job.future.completeExceptionally(failure);
      return;
    }
    for (List<Item> part : byJob.values()) {
      runPass(part);
    }
  }

  /**
   * Stops taking work, lets the worker finish what is queued, and waits up to {@code timeoutMillis}
   * for it (0: as long as it takes); past that, fails what is still queued and waits as long again
   * for the pass running then. Returns whether the worker has stopped: only then may the model
   * close.
   */
  boolean close(long timeoutMillis) {
    lock.lock();
    try {
      closed = true;
      workAvailable.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      worker.join(timeoutMillis);
      if (!worker.isAlive()) {
        return true;
      }
      // Past the timeout: nobody waits for what is queued any more; let the pass running now end.
      lock.lock();
      try {
        for (Item item : queue) {
          item.job.future.completeExceptionally(new ShuttingDownException());
        }
        queue.clear();
      } finally {
        lock.unlock();
      }
      worker.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !worker.isAlive();
  }

  @Override
  public void close() {
    close(0);
  }

  /** One request: its sequences and, as passes finish, their vectors. Only the worker writes it. */
  private static final class Job {
    final List<int[]> sequences;
    final float[][] vectors;
    final CompletableFuture<List<float[]>> future = new CompletableFuture<>();
    int remaining;

    Job(List<int[]> sequences) {
      this.sequences = sequences;
      this.vectors = new float[sequences.size()][];
      this.remaining = sequences.size();
    }

    void deliver(int index, float[] vector) {
      vectors[index] = vector;
      if (--remaining == 0) {
        future.complete(List.of(vectors));
      }
    }
  }

  private record Item(Job job, int index) {
    int[] sequence() {
      return job.sequences.get(index);
    }
  }
}
