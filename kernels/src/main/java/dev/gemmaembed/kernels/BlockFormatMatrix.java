package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix in one of the {@link BlockFormat}s: row {@code r} is {@code cols / blockValues}
 * consecutive blocks, decoded row by row into the float32 panels of {@link QuantizedMatrix}.
 */
public final class BlockFormatMatrix extends QuantizedMatrix {

  private final BlockFormat format;

  public BlockFormatMatrix(BlockFormat format, MemorySegment data, int rows, int cols) {
    super(format.name(), format.rowBytes(cols), data, rows, cols);
    this.format = format;
  }

  /** The block format of this matrix. */
  public BlockFormat format() {
    return format;
  }

  @Override
  void decodeRow(int r, float[] dst, int off) {
    format.dequantize(data, r * rowBytes, cols, dst, off);
  }
}
