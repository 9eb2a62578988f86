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
 * The model behind the HTTP APIs: validates and tokenizes a call on the caller's thread, queues
 * its sequences on the {@link DynamicBatcher}, and cuts the vectors to the requested Matryoshka
 * width when they come back.
 */
final class EmbeddingService {

  /** Embeddings of one call, in input order, and the tokens they took (prompt and specials included). */
  record Result(List<float[]> vectors, int tokens) {}

  private final Embedder embedder;
  private final InputEncoder encoder;
  private final DynamicBatcher batcher;
  private final ServerConfig config;
  private final Metrics metrics;
  private final ServingOptions options;
  private final EmbeddingCache cache;

  EmbeddingService(Embedder embedder, DynamicBatcher batcher, ServerConfig config, Metrics metrics,
      ServingOptions options) {
    this.options = options;
    this.cache = options.cacheBytes() == 0 ? null : new EmbeddingCache(options.cacheBytes());
    this.embedder = embedder;
    this.encoder = new InputEncoder(embedder);
    this.batcher = batcher;
    this.config = config;
    this.metrics = metrics;
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
   * The request's {@code precision} extension for vectors of {@code dimensions} (0: all),
   * checked before anything is embedded.
   */
  StoredPrecision precision(ObjectNode body, int dimensions, int inputs) {
    return StoredPrecision.of(body, dimensions == 0 ? dimensions() : dimensions, inputs, options.calibration());
  }

  /**
   * Starts embedding {@code call}. Refusals known up front (bad input, full queue) throw an
   * {@link ApiException}; the future fails with a {@link java.util.concurrent.TimeoutException}
   * after the request timeout.
   */
  CompletableFuture<Result> embed(EmbedCall call) {
    int n = call.inputs().size();
    if (n == 0) {
      throw ApiException.badRequest("the input must not be empty", "input");
    }
    if (n > config.maxInputs()) {
      throw new ApiException(ApiException.Kind.TOO_MANY_INPUTS,
          n + " inputs in one request; this server takes at most " + config.maxInputs(), "input");
    }
    try {
      embedder.validate(EmbedOptions.DEFAULT.withDimensions(call.dimensions()));
    } catch (InvalidInputException e) {
      throw ApiException.badRequest(e.getMessage(), "dimensions");
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
    return pending.thenApply(vectors -> new Result(keep == 0 ? vectors : cut(vectors, keep), total));
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
    // the timeout must reach the batcher's own future, so that a timed-out request's sequences are dropped
    pass.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return pass.thenApply(computed -> {
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
