package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;

/**
 * The token embedding table, {@code [vocab × hidden]}: the encoder only looks rows up in it. By
 * default a lookup decodes the row from the stored matrix; a source may read rows its own way (a
 * GGUF table reads them with positional reads instead of through the mapping).
 */
@FunctionalInterface
public interface TokenEmbeddings {

  /** The stored table (for its shape, size and type, and for re-encoding it). */
  WeightMatrix matrix();

  default int rows() {
    return matrix().rows();
  }

  default int cols() {
    return matrix().cols();
  }

  /** Writes token {@code id}'s vector, as float32, into {@code dst[dstOffset ..]}. */
  default void readRow(int id, float[] dst, int dstOffset) {
    matrix().readRow(id, dst, dstOffset);
  }
}
