package dev.gemmaembed.server;

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

  EmbeddingService(Embedder embedder, DynamicBatcher batcher, ServerConfig config, Metrics metrics) {
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
      int[] ids = encoder.encode(call.inputs().get(i), call.prompt(), call.truncate(), i);
      sequences.add(ids);
      tokens += ids.length;
    }
    metrics.inputs(n);
    CompletableFuture<List<float[]>> pending;
    try {
      pending = batcher.submit(sequences);
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

  private static List<float[]> cut(List<float[]> vectors, int keep) {
    List<float[]> out = new ArrayList<>(vectors.size());
    for (float[] v : vectors) {
      out.add(Matryoshka.cut(v, keep));
    }
    return out;
  }
}
