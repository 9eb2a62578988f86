package dev.gemmaembed.kernels;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector shapes for decoding 32-value GGML blocks: one float vector of {@code L} lanes is filled
 * from {@code L} bytes, so a block is {@code 32 / L} vectors. Needs 8 or 16 float lanes (AVX2,
 * AVX-512); with other {@link VectorWidth}s the decoders fall back to the scalar reference.
 */
final class BlockVectors {

  static final VectorSpecies<Float> F = VectorWidth.F;
  static final int L = VectorWidth.L;
  static final boolean SUPPORTED = VectorWidth.VECTOR && (L == 8 || L == 16);

  /** Bytes matching the float lanes one to one (64 or 128 bits). */
  static final VectorSpecies<Byte> B =
      SUPPORTED ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;

  private BlockVectors() {}
}
