package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The GGML block formats of quantized weights (spec §6.2): a row of {@code cols} values is cut
 * into blocks of 32 consecutive values, each stored as one IEEE binary16 scale {@code d} followed
 * by the block's quantized values.
 *
 * <p>{@link #quantize} is ggml's reference quantizer bit for bit: all arithmetic in float32,
 * multiplication by the float32 reciprocal of {@code d} (not division), C {@code roundf} for Q8_0,
 * the Q4_0 "signed max / −8" scale with {@code (int)(x·id + 8.5f)} truncation, and the scale
 * rounded to binary16 to nearest-even. {@link #dequantize} is the plain scalar reference the
 * Vector API decoders of {@link QuantizedMatrix} are tested against.
 */
public enum QuantFormat {

  /** 34 bytes: fp16 d, then 32 × int8 q; value = q·d. GGML type id 8. */
  Q8_0(34) {
    @Override
    void quantizeBlock(float[] x, int off, MemorySegment dst, long o) {
      float amax = 0f;
      for (int j = 0; j < BLOCK; j++) {
        amax = Math.max(amax, Math.abs(x[off + j]));
      }
      float d = amax / 127f;
      float id = d != 0f ? 1f / d : 0f;
      dst.set(LE_SHORT, o, Float.floatToFloat16(d));
      for (int j = 0; j < BLOCK; j++) {
        dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) roundHalfAwayFromZero(x[off + j] * id));
      }
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int off) {
      float d = Float.float16ToFloat(src.get(LE_SHORT, o));
      for (int j = 0; j < BLOCK; j++) {
        dst[off + j] = src.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
      }
    }

    @Override
    public QuantizedMatrix matrix(MemorySegment data, int rows, int cols) {
      return new Q8_0Matrix(data, rows, cols);
    }
  },

  /**
   * 18 bytes: fp16 d, then 16 bytes whose low nibble is element j and high nibble element j + 16;
   * value = (nibble − 8)·d. GGML type id 2.
   */
  Q4_0(18) {
    @Override
    void quantizeBlock(float[] x, int off, MemorySegment dst, long o) {
      float amax = 0f;
      float max = 0f;
      for (int j = 0; j < BLOCK; j++) {
        float v = x[off + j];
        if (amax < Math.abs(v)) {
          amax = Math.abs(v);
          max = v;
        }
      }
      float d = max / -8f;
      float id = d != 0f ? 1f / d : 0f;
      dst.set(LE_SHORT, o, Float.floatToFloat16(d));
      for (int j = 0; j < BLOCK / 2; j++) {
        // The float32 sum is rounded before the truncating conversion, exactly as C evaluates it.
        int lo = Math.min(15, (int) (x[off + j] * id + 8.5f));
        int hi = Math.min(15, (int) (x[off + BLOCK / 2 + j] * id + 8.5f));
        dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (lo | hi << 4));
      }
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int off) {
      float d = Float.float16ToFloat(src.get(LE_SHORT, o));
      for (int j = 0; j < BLOCK / 2; j++) {
        int b = src.get(ValueLayout.JAVA_BYTE, o + 2 + j);
        dst[off + j] = ((b & 0x0F) - 8) * d;
        dst[off + BLOCK / 2 + j] = (((b >> 4) & 0x0F) - 8) * d;
      }
    }

    @Override
    public QuantizedMatrix matrix(MemorySegment data, int rows, int cols) {
      return new Q4_0Matrix(data, rows, cols);
    }
  };

  /** Values per block. */
  public static final int BLOCK = 32;

  static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final int blockBytes;

  QuantFormat(int blockBytes) {
    this.blockBytes = blockBytes;
  }

  /** Bytes of one 32-value block. */
  public int blockBytes() {
    return blockBytes;
  }

  /** Bytes of a row of {@code cols} values; {@code cols} must be a positive multiple of 32. */
  public long rowBytes(int cols) {
    if (cols <= 0 || cols % BLOCK != 0) {
      throw new IllegalArgumentException(name() + " rows must hold a positive multiple of " + BLOCK + " values, got " + cols);
    }
    return (long) (cols / BLOCK) * blockBytes;
  }

  /**
   * Quantizes {@code n} values (a multiple of 32) of {@code src} from {@code srcOff} into
   * {@code n / 32} blocks at {@code dst[dstOff ..]}.
   *
   * @throws IllegalArgumentException if a value is NaN or infinite (the reference would write garbage)
   */
  public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
    checkMultiple(n);
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(src[srcOff + i])) {
        throw new IllegalArgumentException("cannot quantize non-finite value " + src[srcOff + i] + " at element " + i);
      }
    }
    for (int b = 0; b < n / BLOCK; b++) {
      quantizeBlock(src, srcOff + b * BLOCK, dst, dstOff + (long) b * blockBytes);
    }
  }

  /** Scalar reference decoder: {@code n} values (a multiple of 32) from the blocks at {@code src[srcOff ..]}. */
  public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
    checkMultiple(n);
    for (int b = 0; b < n / BLOCK; b++) {
      dequantizeBlock(src, srcOff + (long) b * blockBytes, dst, dstOff + b * BLOCK);
    }
  }

  /** A matrix over {@code rows} rows of blocks in {@code data} (usually a slice of a mapped file). */
  public abstract QuantizedMatrix matrix(MemorySegment data, int rows, int cols);

  /**
   * Quantizes a whole matrix row by row into memory from {@code alloc} (in-memory quantization of
   * a float checkpoint); {@code src.cols()} must be a multiple of 32.
   */
  public QuantizedMatrix quantize(WeightMatrix src, SegmentAllocator alloc) {
    int rows = src.rows();
    int cols = src.cols();
    long rowBytes = rowBytes(cols);
    MemorySegment data = alloc.allocate(rowBytes * rows, 64);
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      src.readRow(r, row, 0);
      quantize(row, 0, cols, data, r * rowBytes);
    }
    return matrix(data, rows, cols);
  }

  abstract void quantizeBlock(float[] x, int off, MemorySegment dst, long dstOff);

  abstract void dequantizeBlock(MemorySegment src, long srcOff, float[] dst, int dstOff);

  /** C {@code roundf}: halves go away from zero (Math.round would send −2.5 to −2). */
  static int roundHalfAwayFromZero(float v) {
    // |v| + 0.5 is exact in double, so the floor sees the true sum (float addition could round up).
    return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
  }

  private static void checkMultiple(int n) {
    if (n < 0 || n % BLOCK != 0) {
      throw new IllegalArgumentException("value count must be a multiple of " + BLOCK + ", got " + n);
    }
  }
}
