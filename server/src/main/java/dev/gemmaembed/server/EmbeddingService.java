package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.Matryoshka;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The model behind the HTTP APIs: validates and tokenizes a call on the caller's thread, queues its
 * sequences on the {@link DynamicBatcher}, and cuts the vectors to the requested Matryoshka width
 * when they come back.
 */
final class EmbeddingService {

  /**
   * Embeddings of one call, in input order, and the tokens they took (prompt and specials
   * included).
   */
  record Result(List<float[]> vectors, int tokens) {}

  private final Embedder embedder;
  private final InputEncoder encoder;
  private final DynamicBatcher batcher;
  private final ServerConfig config;
  private final Metrics metrics;
  private final ServingOptions options;

  /** Shared by every request's scoped service; null when the cache is off. */
  private final EmbeddingCache cache;

  /**
   * The calling request's share of the memory budget; null outside a request (library use, tests).
   */
  private final MemoryBudget.Lease lease;

  EmbeddingService(
      Embedder embedder,
      DynamicBatcher batcher,
      ServerConfig config,
      Metrics metrics,
      ServingOptions options) {
    this(
        embedder,
        new InputEncoder(embedder),
        batcher,
        config,
        metrics,
        options,
        options.cacheBytes() == 0 ? null : new EmbeddingCache(options.cacheBytes()),
        null);
  }

  private EmbeddingService(
      Embedder embedder,
      InputEncoder encoder,
      DynamicBatcher batcher,
      ServerConfig config,
      Metrics metrics,
      ServingOptions options,
      EmbeddingCache cache,
      MemoryBudget.Lease lease) {
    this.options = options;
    this.cache = cache;
    this.embedder = embedder;
    this.encoder = encoder;
    this.batcher = batcher;
    this.config = config;
    this.metrics = metrics;
    this.lease = lease;
  }

  /**
   * This service for one request: its calls take their token buffers and replies from {@code
   * lease}.
   */
  EmbeddingService scoped(MemoryBudget.Lease lease) {
    return new EmbeddingService(embedder, encoder, batcher, config, metrics, options, cache, lease);
  }

  Embedder embedder() {
    return embedder;
  }

  InputEncoder encoder() {
    return encoder;
  }

  int dimensions() {
    return embedder.dimensions();
  }

  /**
   * The request's {@code precision} extension for vectors of {@code dimensions} (0: all), checked
   * before anything is embedded.
   */
  StoredPrecision precision(ObjectNode body, int dimensions, int inputs) {
    return StoredPrecision.of(
        body, dimensions == 0 ? dimensions() : dimensions, inputs, options.calibration());
  }

  /**
   * Starts embedding {@code call}. Refusals known up front (bad input, full queue) throw an {@link
   * ApiException}; the future fails with a {@link java.util.concurrent.TimeoutException} after the
   * request timeout.
   */
  CompletableFuture<Result> embed(EmbedCall call) {
    int n = call.inputs().size();
    if (n == 0) {
      throw ApiException.badRequest("the input must not be empty", "input");
    }
    if (n > config.maxInputs()) {
      throw new ApiException(
          ApiException.Kind.TOO_MANY_INPUTS,
          n + " inputs in one request; this server takes at most " + config.maxInputs(),
          "input");
    }
    try {
      embedder.validate(EmbedOptions.DEFAULT.withDimensions(call.dimensions()));
    } catch (InvalidInputException e) {
      throw ApiException.badRequest(e.getMessage(), "dimensions");
    }
    if (lease != null) {
      lease.grow(workBytes(call), "token buffers and the reply");
    }
    List<int[]> sequences = new ArrayList<>(n);
    int tokens = 0;
    for (int i = 0; i < n; i++) {
      int[] ids = encoder.encode(call.inputs().get(i), call.prompt(), call.truncation(), i);
      sequences.add(ids);
      tokens += ids.length;
    }
    metrics.inputs(n);
    CompletableFuture<List<float[]>> pending;
    try {
      pending = cache == null ? batcher.submit(sequences) : throughCache(sequences);
    } catch (DynamicBatcher.QueueFullException e) {
      metrics.rejectedQueueFull();
      throw new ApiException(ApiException.Kind.QUEUE_FULL, e.getMessage());
    } catch (DynamicBatcher.ShuttingDownException e) {
      throw new ApiException(ApiException.Kind.NOT_READY, e.getMessage());
    }
    // orTimeout completes the batcher's own future, so a timed-out request's sequences are dropped.
    pending.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    int total = tokens;
    int keep = call.dimensions();
    return pending.thenApply(
        vectors -> new Result(keep == 0 ? vectors : cut(vectors, keep), total));
  }

  /**
   * Token ids (an input has at most one token per UTF-8 byte, and at most the context's worth is
   * kept; 8 bytes each with the tokenizer's buffer) and the reply's values (see {@link
   * MemoryBudget#REPLY_BYTES_PER_VALUE}).
   */
  private long workBytes(EmbedCall call) {
    long context = encoder.maxSeqLength() + 2L;
    long bytes = 0;
    for (EmbedCall.Input input : call.inputs()) {
      long tokens =
          switch (input) {
            case EmbedCall.Text t -> MemoryBudget.utf8Length(t.text()) + 2;
            case EmbedCall.TokenIds t -> t.ids().length + 2L;
          };
      bytes +=
          8 * Math.min(tokens, context)
              + (long) embedder.dimensions() * MemoryBudget.REPLY_BYTES_PER_VALUE;
    }
    return bytes;
  }

  /**
   * The vectors of {@code sequences}: hits from the cache, the rest from the batcher (stored in the
   * cache when they come back), merged in input order.
   */
  private CompletableFuture<List<float[]>> throughCache(List<int[]> sequences) {
    float[][] found = new float[sequences.size()][];
    List<int[]> missing = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < sequences.size(); i++) {
      found[i] = cache.get(sequences.get(i));
      if (found[i] == null) {
        missing.add(sequences.get(i));
        at.add(i);
      }
    }
    metrics.cache(sequences.size() - missing.size(), missing.size());
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(List.of(found));
    }
    CompletableFuture<List<float[]>> pass = batcher.submit(missing);
    // the timeout must reach the batcher's own future, so that a timed-out request's sequences are
    // dropped
    pass.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return pass.thenApply(
        computed -> {
          for (int j = 0; j < computed.size(); j++) {
            cache.put(missing.get(j), computed.get(j));
            found[at.get(j)] = computed.get(j);
          }
          return List.of(found);
        });
  }

  private static List<float[]> cut(List<float[]> vectors, int keep) {
    List<float[]> out = new ArrayList<>(vectors.size());
    for (float[] v : vectors) {
      out.add(Matryoshka.cut(v, keep));
    }
    return out;
  }
}
