package dev.gemmaembed.server;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Receives request bodies without holding a thread while a client is slow: bytes are taken as they
 * arrive ({@link Request#demand}), so a client that sends one byte every few seconds costs a
 * connection, not one of the pool's threads. Jetty 12's core connectors do not enforce a minimum
 * data rate (HttpConfiguration's setting is not read there), so each body has a deadline instead,
 * and at most {@code maxBodyReads} bodies are received at once; more get 429.
 */
final class BodyReader {

  /** First buffer of a body without a Content-Length; it doubles as bytes arrive. */
  private static final int CHUNKED_START = 8192;

  private final long maxBodyBytes;
  private final Duration timeout;
  private final Semaphore slots;
  private final int maxReads;

  BodyReader(ServerConfig config) {
    this.maxBodyBytes = config.maxBodyBytes();
    this.timeout = config.bodyTimeout();
    this.maxReads = config.maxBodyReads();
    this.slots = new Semaphore(maxReads);
  }

  /**
   * Reads the body of {@code request}, growing {@code lease} by each byte, and hands it to {@code
   * done}, or an {@link ApiException} (413, 408, 429, 400) to {@code failed}; exactly one of them
   * runs, on the caller's thread or a pool thread. A refusal known up front is thrown instead.
   */
  void read(
      Request request,
      MemoryBudget.Lease lease,
      Consumer<byte[]> done,
      Consumer<ApiException> failed) {
    long declared = request.getLength();
    if (declared > maxBodyBytes) {
      throw tooLarge(declared + " bytes");
    }
    if (!slots.tryAcquire()) {
      throw new ApiException(
          ApiException.Kind.QUEUE_FULL,
          maxReads + " request bodies are being received already; retry shortly");
    }
    try {
      lease.grow(declared >= 0 ? declared : CHUNKED_START, "the request body");
    } catch (ApiException e) {
      slots.release();
      throw e;
    }
    new Read(request, lease, declared, done, failed).start();
  }

  /** Bodies being received now. */
  int receiving() {
    return maxReads - slots.availablePermits();
  }

  private ApiException tooLarge(String size) {
    return new ApiException(
        ApiException.Kind.BODY_TOO_LARGE,
        "the request body ("
            + size
            + ") exceeds this server's limit of "
            + maxBodyBytes
            + " bytes; send fewer or shorter inputs");
  }

  private final class Read implements Runnable {
    private final Request request;
    private final MemoryBudget.Lease lease;
    private final boolean reserved;
    private final Consumer<byte[]> done;
    private final Consumer<ApiException> failed;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Scheduler.Task deadline;
    private byte[] bytes;
    private int size;

    Read(
        Request request,
        MemoryBudget.Lease lease,
        long declared,
        Consumer<byte[]> done,
        Consumer<ApiException> failed) {
      this.request = request;
      this.lease = lease;
      this.reserved = declared >= 0;
      this.bytes = new byte[declared >= 0 ? (int) declared : CHUNKED_START];
      this.done = done;
      this.failed = failed;
    }

    void start() {
      deadline =
          request
              .getComponents()
              .getScheduler()
              .schedule(
                  () ->
                      fail(
                          new ApiException(
                              ApiException.Kind.BODY_TIMEOUT,
                              "the request body did not arrive within "
                                  + timeout.toSeconds()
                                  + " s; send it at once")),
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
      run();
    }

    /** Takes what has arrived, then asks Jetty to call again when more has (no thread waits). */
    @Override
    public void run() {
      try {
        while (!finished.get()) {
          Content.Chunk chunk = request.read();
          if (chunk == null) {
            request.demand(this);
            return;
          }
          try {
            if (Content.Chunk.isFailure(chunk)) {
              fail(
                  ApiException.badRequest(
                      "could not read the request body: " + chunk.getFailure().getMessage(), null));
              return;
            }
            append(chunk.getByteBuffer());
          } finally {
            chunk.release();
          }
          if (chunk.isLast()) {
            if (finish()) {
              done.accept(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
            }
            return;
          }
        }
      } catch (ApiException e) {
        fail(e);
      }
    }

    private void append(ByteBuffer buffer) {
      int n = buffer.remaining();
      if ((long) size + n > maxBodyBytes) {
        throw tooLarge("more than " + maxBodyBytes + " bytes");
      }
      if (size + n > bytes.length) {
        if (reserved) {
          throw ApiException.badRequest("the request body is longer than its Content-Length", null);
        }
        int grown = (int) Math.min(maxBodyBytes, Math.max(size + n, (long) bytes.length * 2));
        lease.grow(grown - bytes.length, "the request body");
        bytes = Arrays.copyOf(bytes, grown);
      }
      buffer.get(bytes, size, n);
      size += n;
    }

    private boolean finish() {
      if (!finished.compareAndSet(false, true)) {
        return false;
      }
      Scheduler.Task d = deadline;
      if (d != null) { // null only if the deadline passed before start() stored it
        d.cancel();
      }
      slots.release();
      return true;
    }

    private void fail(ApiException e) {
      if (finish()) {
        failed.accept(e);
      }
    }
  }
}
