package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix in one of the {@link BlockFormat}s: row {@code r} is {@code cols / blockValues}
 * consecutive blocks, decoded row by row ({@link BlockVectorDecoder}, equal to the scalar
 * reference bit for bit) into the float32 panels of {@link QuantizedMatrix}.
 *
 * <p>A row's fp16 scales are checked each time it is decoded, a few loads per 32–256 values: a
 * NaN or infinite scale is an {@link InvalidBlockException}, found lazily so that a token table
 * is never read whole just to be validated.
 */
public final class BlockFormatMatrix extends QuantizedMatrix {

  private final BlockFormat format;
  private final boolean vectors;

  public BlockFormatMatrix(BlockFormat format, MemorySegment data, int rows, int cols) {
    this(format, data, rows, cols, BlockVectors.SUPPORTED);
  }

  /** {@code vectors} false: decode with the scalar reference (the twin the tests compare with). */
  BlockFormatMatrix(BlockFormat format, MemorySegment data, int rows, int cols, boolean vectors) {
    super(format.name(), format.rowBytes(cols), data, rows, cols);
    this.format = format;
    this.vectors = vectors && BlockVectors.SUPPORTED;
  }

  /** The block format of this matrix. */
  public BlockFormat format() {
    return format;
  }

  @Override
  void decodeRow(int r, float[] dst, int off) {
    long o = r * rowBytes;
    int bad = format.firstNonFiniteScale(data, o, cols / format.blockValues());
    if (bad >= 0) {
      throw new InvalidBlockException(format + " row " + r + ", block " + bad + ": its scale is NaN or infinite");
    }
    if (vectors) {
      BlockVectorDecoder.decode(format, data, o, cols, dst, off);
    } else {
      format.dequantize(data, o, cols, dst, off);
    }
  }
}
