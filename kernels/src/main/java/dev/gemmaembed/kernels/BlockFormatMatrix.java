package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A weight matrix in one of the {@link BlockFormat}s (Q4_1, Q5_0, Q5_1, Q2_K … Q6_K, IQ4_NL,
 * IQ4_XS): row {@code r} is {@code cols / blockValues} consecutive blocks, decoded row by row into
 * {@link WeightMatrix}'s float32 panels by {@link BlockVectorDecoder} (its scalar twin is the
 * format's {@link BlockFormat#dequantize}, equal bit for bit).
 *
 * <p>A row's fp16 scales are checked the first time it is decoded, a few loads per 32–256 values: a
 * NaN or infinite scale is an {@link InvalidBlockException}, found lazily so that a token table is
 * never read whole just to be validated. A row that passed is not checked again (a matrix's bytes
 * must not change under it): the check is the first to touch a row's bytes, and with the weights
 * streaming from L3 it took 13% of a 16-token Q4_K_M query (bench/README, "Short strips").
 */
public final class BlockFormatMatrix extends WeightMatrix {

  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

  private final BlockFormat format;

  /**
   * A bit per row whose scales were found finite. Plain reads may miss a bit another thread has
   * just set (that row is then checked again); a set bit always means a check passed.
   */
  private final long[] finiteRows;

  public BlockFormatMatrix(BlockFormat format, MemorySegment data, int rows, int cols) {
    super(format.type(), data, rows, cols);
    this.format = format;
    this.finiteRows = new long[(rows + 63) >>> 6];
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
    long bit = 1L << r; // the shift takes r mod 64
    if ((finiteRows[r >>> 6] & bit) != 0) {
      return;
    }
    int bad = format.firstNonFiniteScale(data, r * rowBytes, cols / format.blockValues());
    if (bad >= 0) {
      throw new InvalidBlockException(
          format + " row " + r + ", block " + bad + ": its scale is NaN or infinite");
    }
    WORDS.getAndBitwiseOr(finiteRows, r >>> 6, bit);
  }
}
