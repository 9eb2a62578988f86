package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The GGML block formats beyond Q8_0 / Q4_0: the other legacy 32-value types, the 256-value K-quant
 * super-blocks and the non-linear IQ4 types, as laid out in ggml's {@code ggml-common.h} ({@link
 * BlockFormatMatrix} computes with them, {@link BlockFormatQuantizer} writes them).
 *
 * <p>{@link #dequantizeBlock} is the scalar reference: exactly the float32 expressions of ggml's
 * {@code dequantize_row_*} (and gguf-py's {@code quants.py}), evaluated in the same order with one
 * rounding per operation — e.g. Q4_K's {@code (d·sc)·q − dmin·m}, Q6_K's {@code (d·sc)·q} — and
 * never fused, so the decoded weights are the very floats those references produce.
 */
public enum BlockFormat {

  /**
   * 20 bytes: fp16 d, fp16 m, 16 bytes of nibbles (low = element j, high = j + 16); value q·d + m.
   */
  Q4_1(0, 2) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o);
      float m = half(s, o + 2);
      for (int j = 0; j < 16; j++) {
        int b = u8(s, o + 4 + j);
        y[off + j] = (b & 0x0F) * d + m;
        y[off + j + 16] = (b >> 4) * d + m;
      }
    }
  },

  /** 22 bytes: fp16 d, 32 high bits (LE uint32), 16 bytes of nibbles; value (q − 16)·d. */
  Q5_0(0) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o);
      int qh = s.get(LE_INT, o + 2);
      for (int j = 0; j < 16; j++) {
        int b = u8(s, o + 6 + j);
        int x0 = ((b & 0x0F) | ((qh >>> j) << 4 & 0x10)) - 16;
        int x1 = ((b >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
        y[off + j] = x0 * d;
        y[off + j + 16] = x1 * d;
      }
    }
  },

  /** 24 bytes: fp16 d, fp16 m, 32 high bits, 16 bytes of nibbles; value q·d + m. */
  Q5_1(0, 2) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o);
      float m = half(s, o + 2);
      int qh = s.get(LE_INT, o + 4);
      for (int j = 0; j < 16; j++) {
        int b = u8(s, o + 8 + j);
        int x0 = (b & 0x0F) | ((qh >>> j) << 4 & 0x10);
        int x1 = (b >> 4) | ((qh >>> (j + 12)) & 0x10);
        y[off + j] = x0 * d + m;
        y[off + j + 16] = x1 * d + m;
      }
    }
  },

  /**
   * 84 bytes: 16 scale bytes (low nibble scale, high nibble min of each 16 values), 64 bytes of
   * 2-bit quants, fp16 d, fp16 dmin; value (d·sc)·q − dmin·m.
   */
  Q2_K(80, 82) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o + 80);
      float min = half(s, o + 82);
      int is = 0;
      int p = off;
      for (int n = 0; n < 2; n++) {
        long q = o + 16 + 32L * n;
        for (int shift = 0; shift < 8; shift += 2) {
          for (int half = 0; half < 32; half += 16) {
            int sc = u8(s, o + is++);
            float dl = d * (sc & 0xF);
            float ml = min * (sc >> 4);
            for (int l = 0; l < 16; l++) {
              y[p++] = dl * ((u8(s, q + half + l) >> shift) & 3) - ml;
            }
          }
        }
      }
    }
  },

  /**
   * 110 bytes: 32 bytes of high-bit masks, 64 bytes of 2-bit quants, 12 bytes of sixteen 6-bit
   * scales, fp16 d; value (d·(sc − 32))·(q − (high bit ? 0 : 4)).
   */
  Q3_K(108) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float dAll = half(s, o + 108);
      int is = 0;
      int m = 1;
      int p = off;
      for (int n = 0; n < 2; n++) {
        long q = o + 32 + 32L * n;
        for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
          for (int half = 0; half < 32; half += 16) {
            float dl = dAll * (q3Scale(s, o + 96, is++) - 32);
            for (int l = 0; l < 16; l++) {
              int h = (u8(s, o + half + l) & m) != 0 ? 0 : 4;
              y[p++] = dl * (((u8(s, q + half + l) >> shift) & 3) - h);
            }
          }
        }
      }
    }
  },

  /**
   * 144 bytes: fp16 d, fp16 dmin, 12 bytes of eight 6-bit scales and mins, 128 bytes of nibbles
   * (each 64 values: 32 low nibbles, then the same bytes' high nibbles); value (d·sc)·q − dmin·m.
   */
  Q4_K(0, 2) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o);
      float min = half(s, o + 2);
      int p = off;
      for (int j = 0; j < 4; j++) {
        long q = o + 16 + 32L * j;
        float d1 = d * k4Scale(s, o + 4, 2 * j);
        float m1 = min * k4Min(s, o + 4, 2 * j);
        float d2 = d * k4Scale(s, o + 4, 2 * j + 1);
        float m2 = min * k4Min(s, o + 4, 2 * j + 1);
        for (int l = 0; l < 32; l++) {
          y[p++] = d1 * (u8(s, q + l) & 0xF) - m1;
        }
        for (int l = 0; l < 32; l++) {
          y[p++] = d2 * (u8(s, q + l) >> 4) - m2;
        }
      }
    }
  },

  /**
   * 176 bytes: as Q4_K plus 32 bytes of fifth bits before the nibbles (bit 2j / 2j + 1 of byte l
   * for the low / high nibbles of chunk j); value (d·sc)·q − dmin·m.
   */
  Q5_K(0, 2) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o);
      float min = half(s, o + 2);
      int p = off;
      for (int j = 0; j < 4; j++) {
        long q = o + 48 + 32L * j;
        float d1 = d * k4Scale(s, o + 4, 2 * j);
        float m1 = min * k4Min(s, o + 4, 2 * j);
        float d2 = d * k4Scale(s, o + 4, 2 * j + 1);
        float m2 = min * k4Min(s, o + 4, 2 * j + 1);
        int u1 = 1 << (2 * j);
        int u2 = 2 << (2 * j);
        for (int l = 0; l < 32; l++) {
          y[p++] = d1 * ((u8(s, q + l) & 0xF) + ((u8(s, o + 16 + l) & u1) != 0 ? 16 : 0)) - m1;
        }
        for (int l = 0; l < 32; l++) {
          y[p++] = d2 * ((u8(s, q + l) >> 4) + ((u8(s, o + 16 + l) & u2) != 0 ? 16 : 0)) - m2;
        }
      }
    }
  },

  /**
   * 210 bytes: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales, fp16 d;
   * value (d·sc)·(q − 32).
   */
  Q6_K(208) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o + 208);
      for (int n = 0; n < 2; n++) {
        long ql = o + 64L * n;
        long qh = o + 128 + 32L * n;
        long sc = o + 192 + 8L * n;
        int base = off + 128 * n;
        for (int l = 0; l < 32; l++) {
          int is = l / 16;
          int h = u8(s, qh + l);
          int lo = u8(s, ql + l);
          int hi = u8(s, ql + l + 32);
          int q1 = ((lo & 0xF) | ((h & 3) << 4)) - 32;
          int q2 = ((hi & 0xF) | (((h >> 2) & 3) << 4)) - 32;
          int q3 = ((lo >> 4) | (((h >> 4) & 3) << 4)) - 32;
          int q4 = ((hi >> 4) | (((h >> 6) & 3) << 4)) - 32;
          y[base + l] = d * s.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
          y[base + l + 32] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
          y[base + l + 64] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
          y[base + l + 96] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
        }
      }
    }
  },

  /** 18 bytes: fp16 d, 16 bytes of nibbles indexing {@link #IQ4_VALUES}; value d·table[q]. */
  IQ4_NL(0) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o);
      for (int j = 0; j < 16; j++) {
        int b = u8(s, o + 2 + j);
        y[off + j] = d * IQ4_VALUES[b & 0xF];
        y[off + j + 16] = d * IQ4_VALUES[b >> 4];
      }
    }
  },

  /**
   * 136 bytes: fp16 d, 16 bits of scale high pairs, 4 bytes of scale low nibbles (eight 6-bit
   * scales), 128 bytes of nibbles in 32-value groups as IQ4_NL; value (d·(ls − 32))·table[q].
   */
  IQ4_XS(0) {
    @Override
    void dequantizeBlock(MemorySegment s, long o, float[] y, int off) {
      float d = half(s, o);
      int scalesH = s.get(LE_SHORT, o + 2) & 0xFFFF;
      for (int ib = 0; ib < 8; ib++) {
        int ls =
            ((u8(s, o + 4 + ib / 2) >> (4 * (ib % 2))) & 0xF) | (((scalesH >> (2 * ib)) & 3) << 4);
        float dl = d * (ls - 32);
        long qs = o + 8 + 16L * ib;
        int base = off + 32 * ib;
        for (int j = 0; j < 16; j++) {
          int b = u8(s, qs + j);
          y[base + j] = dl * IQ4_VALUES[b & 0xF];
          y[base + j + 16] = dl * IQ4_VALUES[b >> 4];
        }
      }
    }
  };

  /** The 16 non-linear levels of IQ4_NL / IQ4_XS ({@code kvalues_iq4nl}). */
  static final int[] IQ4_VALUES = {
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
  };

  static final ValueLayout.OfShort LE_SHORT = WeightMatrix.LE_SHORT;
  static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final WeightType type;
  private final int blockValues;
  private final int blockBytes;
  private final int[] scaleOffsets;

  /**
   * The geometry is {@link WeightType}'s (the one table of it), the scale offsets are this
   * layout's.
   */
  BlockFormat(int... scaleOffsets) {
    this.type = WeightType.valueOf(name());
    this.blockValues = type.blockSize();
    this.blockBytes = type.blockBytes();
    this.scaleOffsets = scaleOffsets;
  }

  /** The weight type stored in this format. */
  public WeightType type() {
    return type;
  }

  /** Values per block: 32 for the legacy and IQ4_NL types, 256 for the K-quants and IQ4_XS. */
  public int blockValues() {
    return blockValues;
  }

  /** Bytes of one block. */
  public int blockBytes() {
    return blockBytes;
  }

  /**
   * Bytes of a row of {@code cols} values; {@code cols} must be a positive multiple of {@link
   * #blockValues()}.
   */
  public long rowBytes(int cols) {
    return type.rowBytes(cols);
  }

  /**
   * Scalar reference decoder: {@code n} values (a multiple of the block) from the blocks at {@code
   * src[srcOff ..]}.
   */
  public void dequantize(MemorySegment src, long srcOff, int n, float[] dst, int dstOff) {
    if (n < 0 || n % blockValues != 0) {
      throw new IllegalArgumentException(
          "value count must be a multiple of " + blockValues + ", got " + n);
    }
    for (int b = 0; b < n / blockValues; b++) {
      dequantizeBlock(src, srcOff + (long) b * blockBytes, dst, dstOff + b * blockValues);
    }
  }

  /** Byte offsets of the fp16 scales inside a block. */
  public int[] scaleOffsets() {
    return scaleOffsets.clone();
  }

  /**
   * The first of {@code blocks} blocks at {@code src[off ..]} whose fp16 scale (d, or d and its min
   * / dmin) is NaN or infinite, or −1: such a block decodes to NaN or ±∞ everywhere, which no
   * quantizer writes.
   */
  public int firstNonFiniteScale(MemorySegment src, long off, int blocks) {
    for (int b = 0; b < blocks; b++) {
      long o = off + (long) b * blockBytes;
      for (int so : scaleOffsets) {
        if ((src.get(LE_SHORT, o + so) & 0x7C00) == 0x7C00) {
          return b;
        }
      }
    }
    return -1;
  }

  abstract void dequantizeBlock(MemorySegment src, long srcOff, float[] dst, int dstOff);

  static int u8(MemorySegment s, long o) {
    return s.get(ValueLayout.JAVA_BYTE, o) & 0xFF;
  }

  static float half(MemorySegment s, long o) {
    return Float.float16ToFloat(s.get(LE_SHORT, o));
  }

  /**
   * Scale {@code j} (0–15, unsigned 6 bits) of Q3_K's 12 packed bytes at {@code o}: the low 4 bits
   * are a nibble of bytes 0–7 (low nibbles for j < 8), the high 2 bits a pair of bytes 8–11.
   */
  static int q3Scale(MemorySegment s, long o, int j) {
    int low = j < 8 ? u8(s, o + j) & 0xF : u8(s, o + j - 8) >> 4;
    int high = (u8(s, o + 8 + j % 4) >> (2 * (j / 4))) & 3;
    return low | high << 4;
  }

  /**
   * Scale {@code j} (0–7, 6 bits) of Q4_K / Q5_K's 12 packed bytes at {@code o} ({@code
   * get_scale_min_k4}).
   */
  static int k4Scale(MemorySegment s, long o, int j) {
    return j < 4 ? u8(s, o + j) & 63 : (u8(s, o + j + 4) & 0xF) | ((u8(s, o + j - 4) >> 6) << 4);
  }

  /** Min {@code j} (0–7, 6 bits) of Q4_K / Q5_K's packed bytes. */
  static int k4Min(MemorySegment s, long o, int j) {
    return j < 4 ? u8(s, o + j + 4) & 63 : (u8(s, o + j + 4) >> 4) | ((u8(s, o + j) >> 6) << 4);
  }
}
