package dev.gemmaembed.server;

import dev.gemmaembed.core.QuantizationRange;

/**
 * What the server does with embeddings beyond computing them.
 *
 * @param calibration the int8/uint8 range of the {@code precision} extension; null to take it from
 *     each request's own inputs (as one sentence-transformers {@code encode} call does)
 * @param cacheBytes bytes of computed vectors kept for repeated inputs ({@link EmbeddingCache}); 0
 *     for none
 */
public record ServingOptions(QuantizationRange calibration, long cacheBytes) {

  public ServingOptions {
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cacheBytes must not be negative, got " + cacheBytes);
    }
  }

  public static ServingOptions defaults() {
    return new ServingOptions(null, 0);
  }
}
