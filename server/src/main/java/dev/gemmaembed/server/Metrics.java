package dev.gemmaembed.server;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The server's counters, rendered in the Prometheus text format (version 0.0.4) by {@link
 * #render()}. Endpoint labels come from the fixed route table, so label cardinality stays bounded.
 */
final class Metrics {

  /** Window of the {@code tokens_per_second} gauge. */
  private static final long RATE_WINDOW_NANOS = 10_000_000_000L;

  private static final double[] LATENCY_BOUNDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };
  private static final double[] BATCH_SIZE_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  private static final double[] BATCH_TOKEN_BOUNDS = {16, 64, 256, 1024, 2048, 4096, 8192, 16384};

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final LongAdder inputs = new LongAdder();
  private final LongAdder rejectedQueueFull = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder cacheHits = new LongAdder();
  private final LongAdder cacheMisses = new LongAdder();
  private final Histogram batchSize = new Histogram(BATCH_SIZE_BOUNDS);
  private final Histogram batchTokens = new Histogram(BATCH_TOKEN_BOUNDS);
  private final DoubleAdder computeSeconds = new DoubleAdder();

  /** (end time, tokens) of the batches finished in the last {@link #RATE_WINDOW_NANOS}. */
  private final ArrayDeque<long[]> recentBatches = new ArrayDeque<>();

  private final long startNanos = System.nanoTime();

  private volatile IntSupplier queuedSequences = () -> 0;
  private volatile IntSupplier admittedRequests = () -> 0;
  private volatile boolean ready;
  private volatile IntSupplier bodiesReceiving = () -> 0;
  private volatile LongSupplier memoryInFlight = () -> 0;

  /** Counts a finished HTTP exchange. */
  void request(String endpoint, int status, long nanos) {
    requests.computeIfAbsent(endpoint + '\u0000' + status, k -> new LongAdder()).increment();
    latency.computeIfAbsent(endpoint, k -> new Histogram(LATENCY_BOUNDS)).observe(nanos / 1e9);
  }

  void inputs(int n) {
    inputs.add(n);
  }

  /** Sequences answered from the {@link EmbeddingCache}, and those it did not hold. */
  void cache(int hits, int misses) {
    cacheHits.add(hits);
    cacheMisses.add(misses);
  }

  void rejectedQueueFull() {
    rejectedQueueFull.increment();
  }

  void timedOut() {
    timeouts.increment();
  }

  /** Records one forward pass of {@code sequences} sequences holding {@code tokens} tokens. */
  void batch(int sequences, int tokens, long nanos) {
    batchSize.observe(sequences);
    batchTokens.observe(tokens);
    computeSeconds.add(nanos / 1e9);
    long now = System.nanoTime();
    synchronized (recentBatches) {
      recentBatches.addLast(new long[] {now, tokens});
      trim(now);
    }
  }

  void gauges(IntSupplier queuedSequences, IntSupplier admittedRequests) {
    this.queuedSequences = queuedSequences;
    this.admittedRequests = admittedRequests;
  }

  /** The handler's gauges: request bodies being received, and bytes held by requests in flight. */
  void intake(IntSupplier bodiesReceiving, LongSupplier memoryInFlight) {
    this.bodiesReceiving = bodiesReceiving;
    this.memoryInFlight = memoryInFlight;
  }

  void ready(boolean ready) {
    this.ready = ready;
  }

  /** Mean sequences per forward pass so far (0 before the first batch). */
  double meanBatchSize() {
    long n = batchSize.count();
    return n == 0 ? 0 : batchSize.sum() / n;
  }

  /** Embedded tokens per second over the last ten seconds (or since start, if sooner). */
  double tokensPerSecond() {
    long now = System.nanoTime();
    long tokens = 0;
    synchronized (recentBatches) {
      trim(now);
      for (long[] b : recentBatches) {
        tokens += b[1];
      }
    }
    long span = Math.min(RATE_WINDOW_NANOS, now - startNanos);
    return span <= 0 ? 0 : tokens / (span / 1e9);
  }

  private void trim(long now) {
    while (!recentBatches.isEmpty() && now - recentBatches.peekFirst()[0] > RATE_WINDOW_NANOS) {
      recentBatches.removeFirst();
    }
  }

  String render() {
    StringBuilder out = new StringBuilder(4096);
    header(
        out, "gemma_embed_requests_total", "counter", "HTTP requests by endpoint and status code.");
    Map<String, Long> byKey = new TreeMap<>();
    requests.forEach((k, v) -> byKey.put(k, v.sum()));
    byKey.forEach(
        (k, v) ->
            out.append("gemma_embed_requests_total")
                .append(labels(k))
                .append(' ')
                .append(v)
                .append('\n'));
    header(
        out,
        "gemma_embed_request_errors_total",
        "counter",
        "HTTP requests answered with a 4xx or 5xx status.");
    byKey.forEach(
        (k, v) -> {
          if (Integer.parseInt(k.substring(k.indexOf('\u0000') + 1)) >= 400) {
            out.append("gemma_embed_request_errors_total")
                .append(labels(k))
                .append(' ')
                .append(v)
                .append('\n');
          }
        });
    header(
        out,
        "gemma_embed_request_duration_seconds",
        "histogram",
        "Time from request headers to response, by endpoint.");
    new TreeMap<>(latency)
        .forEach(
            (endpoint, h) ->
                h.write(
                    out, "gemma_embed_request_duration_seconds", "endpoint=\"" + endpoint + "\","));
    simple(
        out,
        "gemma_embed_inputs_total",
        "counter",
        "Texts and token sequences accepted for embedding.",
        inputs.sum());
    simple(
        out,
        "gemma_embed_rejected_total",
        "counter",
        "Requests refused because the queue was full (429).",
        rejectedQueueFull.sum());
    simple(
        out,
        "gemma_embed_timeouts_total",
        "counter",
        "Requests that ran past the request timeout.",
        timeouts.sum());
    simple(
        out,
        "gemma_embed_cache_hits_total",
        "counter",
        "Sequences answered from the embedding cache (serve --cache-mb).",
        cacheHits.sum());
    simple(
        out,
        "gemma_embed_cache_misses_total",
        "counter",
        "Sequences the embedding cache did not hold.",
        cacheMisses.sum());
    header(out, "gemma_embed_batch_size", "histogram", "Sequences per forward pass.");
    batchSize.write(out, "gemma_embed_batch_size", "");
    header(out, "gemma_embed_batch_tokens", "histogram", "Tokens per forward pass.");
    batchTokens.write(out, "gemma_embed_batch_tokens", "");
    header(out, "gemma_embed_compute_seconds_total", "counter", "Time spent in forward passes.");
    out.append("gemma_embed_compute_seconds_total ")
        .append(Histogram.format(computeSeconds.sum()))
        .append('\n');
    simple(
        out, "gemma_embed_tokens_total", "counter", "Tokens embedded.", (long) batchTokens.sum());
    header(
        out,
        "gemma_embed_tokens_per_second",
        "gauge",
        "Tokens embedded per second over the last 10 s.");
    out.append("gemma_embed_tokens_per_second ")
        .append(Histogram.format(tokensPerSecond()))
        .append('\n');
    simple(
        out,
        "gemma_embed_queue_depth",
        "gauge",
        "Sequences waiting for a forward pass.",
        queuedSequences.getAsInt());
    simple(
        out,
        "gemma_embed_requests_in_queue",
        "gauge",
        "Admitted requests not yet answered.",
        admittedRequests.getAsInt());
    simple(
        out,
        "gemma_embed_bodies_receiving",
        "gauge",
        "Request bodies being received.",
        bodiesReceiving.getAsInt());
    simple(
        out,
        "gemma_embed_memory_in_flight_bytes",
        "gauge",
        "Bytes held by requests in flight (bodies, parsed inputs, token buffers, replies; estimated).",
        memoryInFlight.getAsLong());
    simple(
        out,
        "gemma_embed_ready",
        "gauge",
        "1 once the model is loaded and the server accepts work.",
        ready ? 1 : 0);
    return out.toString();
  }

  private static String labels(String key) {
    int sep = key.indexOf('\u0000');
    return "{endpoint=\"" + key.substring(0, sep) + "\",code=\"" + key.substring(sep + 1) + "\"}";
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void simple(StringBuilder out, String name, String type, String help, long value) {
    header(out, name, type, help);
    out.append(name).append(' ').append(value).append('\n');
  }
}
