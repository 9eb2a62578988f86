package dev.gemmaembed.server;

import dev.gemmaembed.core.QuantizationRange;

/**
 * What the server does with embeddings beyond computing them.
 *
 * @param calibration the int8/uint8 range of the {@code precision} extension; null to take it from
 *     each request's own inputs (as one sentence-transformers {@code encode} call does)
 */
public record ServingOptions(QuantizationRange calibration) {

  public static ServingOptions defaults() {
    return new ServingOptions(null);
  }
}
