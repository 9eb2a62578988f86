package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix in one of the {@link BlockFormat}s (Q4_1, Q5_0, Q5_1, Q2_K … Q6_K, IQ4_NL,
 * IQ4_XS): row {@code r} is {@code cols / blockValues} consecutive blocks, decoded row by row into
 * {@link WeightMatrix}'s float32 panels by {@link BlockVectorDecoder} (its scalar twin is the
 * format's {@link BlockFormat#dequantize}, equal bit for bit).
 *
 * <p>A row's fp16 scales are checked each time it is decoded, a few loads per 32–256 values: a NaN
 * or infinite scale is an {@link InvalidBlockException}, found lazily so that a token table is
 * never read whole just to be validated.
 */
public final class BlockFormatMatrix extends WeightMatrix {

  private final BlockFormat format;

  public BlockFormatMatrix(BlockFormat format, MemorySegment data, int rows, int cols) {
    super(format.type(), data, rows, cols);
    this.format = format;
  }

  /** The block format of this matrix. */
  public BlockFormat format() {
    return format;
  }

  @Override
  void decodeRow(int r, float[] dst, int off) {
    if (!BlockVectors.SUPPORTED) {
      decodeRowScalar(r, dst, off);
      return;
    }
    checkScales(r);
    BlockVectorDecoder.decode(format, data, r * rowBytes, cols, dst, off);
  }

  @Override
  void decodeRowScalar(int r, float[] dst, int off) {
    checkScales(r);
    format.dequantize(data, r * rowBytes, cols, dst, off);
  }

  private void checkScales(int r) {
    int bad = format.firstNonFiniteScale(data, r * rowBytes, cols / format.blockValues());
    if (bad >= 0) {
      throw new InvalidBlockException(
          format + " row " + r + ", block " + bad + ": its scale is NaN or infinite");
    }
  }
}
