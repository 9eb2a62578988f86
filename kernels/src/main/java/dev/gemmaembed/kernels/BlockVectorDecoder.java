package dev.gemmaembed.kernels;

import static dev.gemmaembed.kernels.BlockFormat.half;
import static dev.gemmaembed.kernels.BlockFormat.u8;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API decoders of the {@link BlockFormat}s for the preferred shape when it has 8 or 16 float
 * lanes ({@link BlockVectors}): a run of {@code L} outputs is unpacked from {@code L} bytes in byte
 * lanes (nibbles, 2-bit fields, high bits, IQ4 table lookups), widened to floats and scaled with
 * the same float32 operations, in the same order, as {@link BlockFormat#dequantize} — so the output
 * is bit for bit the scalar reference's. The species are static constants, as the Vector API needs
 * to compile to vector instructions (as instance fields every operation allocated); the tests run
 * once more with {@code -XX:MaxVectorSize=32} to cover 8 lanes.
 */
final class BlockVectorDecoder {

  private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
  private static final byte[] IQ4_TABLE = new byte[16];

  static {
    for (int i = 0; i < 16; i++) {
      IQ4_TABLE[i] = (byte) BlockFormat.IQ4_VALUES[i];
    }
  }

  private static final VectorSpecies<Float> F = BlockVectors.F;
  private static final VectorSpecies<Byte> B = BlockVectors.B;
  private static final int L = BlockVectors.L;
  private static final VectorSpecies<Integer> I =
      BlockVectors.SUPPORTED ? F.vectorShape().withLanes(int.class) : null;
  private static final ByteVector IQ4 = ByteVector.fromArray(B128, IQ4_TABLE, 0);
  private static final ValueLayout.OfLong LE_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Q5 high-bit shifts of the low and the high nibbles' elements ({@link #q5Row}). */
  private static final IntVector[] Q5_SHIFT_LO = q5Shifts(8);

  private static final IntVector[] Q5_SHIFT_HI = q5Shifts(12);

  private BlockVectorDecoder() {}

  /**
   * Decodes {@code cols} values (whole blocks of {@code fmt}) from {@code s[o ..]} into {@code
   * y[off ..]}.
   */
  static void decode(BlockFormat fmt, MemorySegment s, long o, int cols, float[] y, int off) {
    int bv = fmt.blockValues();
    int bb = fmt.blockBytes();
    int blocks = cols / bv;
    switch (fmt) {
      // the formats of llama-quantize's default mixes loop over a row's blocks themselves, so the
      // block's constants are hoisted without a dispatch per block
      case Q5_0 -> q5Row(s, o, blocks, y, off, false);
      case Q5_1 -> q5Row(s, o, blocks, y, off, true);
      case Q4_K -> q4KRow(s, o, blocks, y, off);
      case Q6_K -> q6KRow(s, o, blocks, y, off);
      default -> {
        for (int k = 0; k < blocks; k++, o += bb, off += bv) {
          switch (fmt) {
            case Q4_1 -> q4_1(s, o, y, off);
            case Q2_K -> q2K(s, o, y, off);
            case Q3_K -> q3K(s, o, y, off);
            case Q5_K -> q5K(s, o, y, off);
            case IQ4_NL -> iq4(s, o + 2, half(s, o), y, off);
            case IQ4_XS -> iq4Xs(s, o, y, off);
            default -> throw new AssertionError(fmt);
          }
        }
      }
    }
  }

  private static ByteVector bytes(MemorySegment s, long o) {
    return ByteVector.fromMemorySegment(B, s, o, ByteOrder.LITTLE_ENDIAN);
  }

  private static FloatVector floats(ByteVector q) {
    return (FloatVector) q.convertShape(VectorOperators.B2F, F, 0);
  }

  /**
   * Bytes zero-extended to int lanes, where nibble and bit-field shifts are single instructions
   * (x86 has no byte-lane shift).
   */
  private static IntVector ints(ByteVector q) {
    return (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
  }

  private static FloatVector floats(IntVector q) {
    return (FloatVector) q.convert(VectorOperators.I2F, 0);
  }

  /**
   * Byte j of 16 holds element j (low nibble) and j + 16 (high nibble): the nibbles of elements [p,
   * p + L).
   */
  private static ByteVector nibbles(MemorySegment s, long qs, int p) {
    ByteVector raw = bytes(s, qs + p % 16);
    return p < 16 ? raw.and((byte) 0x0F) : raw.lanewise(VectorOperators.LSHR, 4);
  }

  private static void q4_1(MemorySegment s, long o, float[] y, int off) {
    float d = half(s, o);
    float m = half(s, o + 2);
    for (int p = 0; p < 32; p += L) {
      floats(nibbles(s, o + 4, p)).mul(d).add(m).intoArray(y, off + p);
    }
  }

  /**
   * Q5_0 (value (q − 16)·d) and Q5_1 (q·d + m) rows, in int lanes (one variable shift per run,
   * where the byte-lane form needed a shuffle, a compare and an emulated byte shift: thread CPU of
   * a full 1152 × 768 Q5_0 decode on AVX2 444 → 249 µs, Q5_1 515 → 291). The fifth bit of element e
   * is bit e of the uint32 qh: for the low nibble (e &lt; 16) it is moved to bit 4 by shifting
   * {@code qh << 12} right by e + 8, for the high nibble (element e + 16) by shifting qh right by e
   * + 12.
   */
  private static void q5Row(
      MemorySegment s, long o, int blocks, float[] y, int off, boolean withMin) {
    int bb = withMin ? BlockFormat.Q5_1.blockBytes() : BlockFormat.Q5_0.blockBytes();
    long qhAt = withMin ? 4 : 2;
    for (int b = 0; b < blocks; b++, o += bb, off += 32) {
      float d = half(s, o);
      float m = withMin ? half(s, o + 2) : 0f;
      int qh = s.get(BlockFormat.LE_INT, o + qhAt);
      IntVector qhLo = IntVector.broadcast(I, qh << 12);
      IntVector qhHi = IntVector.broadcast(I, qh);
      for (int p = 0; p < 16; p += L) {
        IntVector raw = ints(bytes(s, o + qhAt + 4 + p));
        IntVector lo =
            raw.and(0x0F).or(qhLo.lanewise(VectorOperators.LSHR, Q5_SHIFT_LO[p / L]).and(0x10));
        IntVector hi =
            raw.lanewise(VectorOperators.LSHR, 4)
                .or(qhHi.lanewise(VectorOperators.LSHR, Q5_SHIFT_HI[p / L]).and(0x10));
        if (withMin) {
          floats(lo).mul(d).add(m).intoArray(y, off + p);
          floats(hi).mul(d).add(m).intoArray(y, off + 16 + p);
        } else {
          floats(lo.sub(16)).mul(d).intoArray(y, off + p);
          floats(hi.sub(16)).mul(d).intoArray(y, off + 16 + p);
        }
      }
    }
  }

  /** Per run of L lanes at p = L·k (p &lt; 16): lane i shifts by p + i + offset. */
  private static IntVector[] q5Shifts(int offset) {
    if (!BlockVectors.SUPPORTED) {
      return null;
    }
    IntVector[] shifts = new IntVector[16 / L];
    for (int k = 0; k < shifts.length; k++) {
      int[] lanes = new int[L];
      for (int i = 0; i < L; i++) {
        lanes[i] = k * L + i + offset;
      }
      shifts[k] = IntVector.fromArray(I, lanes, 0);
    }
    return shifts;
  }

  private static void q2K(MemorySegment s, long o, float[] y, int off) {
    float d = half(s, o + 80);
    float min = half(s, o + 82);
    int is = 0;
    for (int n = 0; n < 2; n++) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int half = 0; half < 32; half += 16, is++) {
          int sc = u8(s, o + is);
          float dl = d * (sc & 0xF);
          float ml = min * (sc >> 4);
          int dst = off + 128 * n + 16 * shift + half;
          for (int p = 0; p < 16; p += L) {
            ByteVector q =
                bytes(s, o + 16 + 32L * n + half + p)
                    .lanewise(VectorOperators.LSHR, shift)
                    .and((byte) 3);
            floats(q).mul(dl).sub(ml).intoArray(y, dst + p);
          }
        }
      }
    }
  }

  private static void q3K(MemorySegment s, long o, float[] y, int off) {
    float dAll = half(s, o + 108);
    int is = 0;
    int m = 1;
    for (int n = 0; n < 2; n++) {
      for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
        for (int half = 0; half < 32; half += 16, is++) {
          float dl = dAll * (BlockFormat.q3Scale(s, o + 96, is) - 32);
          int dst = off + 128 * n + 16 * shift + half;
          for (int p = 0; p < 16; p += L) {
            ByteVector q =
                bytes(s, o + 32 + 32L * n + half + p)
                    .lanewise(VectorOperators.LSHR, shift)
                    .and((byte) 3);
            VectorMask<Byte> noHigh =
                bytes(s, o + half + p).and((byte) m).compare(VectorOperators.EQ, (byte) 0);
            floats(q.sub((byte) 4, noHigh)).mul(dl).intoArray(y, dst + p);
          }
        }
      }
    }
  }

  /**
   * Q4_K rows: the eight 6-bit scales and mins of a block come from two loads of its 12 packed
   * bytes (bytes 0–7 as a long, 8–11 as an int) instead of a byte load per field, and the nibbles
   * are split in int lanes. Thread CPU of a full 1152 × 768 decode on AVX2: 342 µs per-block
   * dispatch and byte loads, 269 µs with the packed loads, 224 µs with int lanes too (Q4_0 161 µs).
   */
  private static void q4KRow(MemorySegment s, long o, int blocks, float[] y, int off) {
    for (int b = 0; b < blocks; b++, o += BlockFormat.Q4_K.blockBytes(), off += 256) {
      float d = half(s, o);
      float min = half(s, o + 2);
      long lo = s.get(LE_LONG, o + 4);
      int hi = s.get(BlockFormat.LE_INT, o + 12);
      for (int j = 0; j < 4; j++) {
        float d1 = d * k4Scale(lo, hi, 2 * j);
        float m1 = min * k4Min(lo, hi, 2 * j);
        float d2 = d * k4Scale(lo, hi, 2 * j + 1);
        float m2 = min * k4Min(lo, hi, 2 * j + 1);
        for (int p = 0; p < 32; p += L) {
          IntVector raw = ints(bytes(s, o + 16 + 32L * j + p));
          floats(raw.and(0x0F)).mul(d1).sub(m1).intoArray(y, off + 64 * j + p);
          floats(raw.lanewise(VectorOperators.LSHR, 4))
              .mul(d2)
              .sub(m2)
              .intoArray(y, off + 64 * j + 32 + p);
        }
      }
    }
  }

  /**
   * {@link BlockFormat#k4Scale} of the packed bytes 0–7 ({@code lo}) and 8–11 ({@code hi}): scales
   * 0–3 are the low 6 bits of bytes 0–3; scale 4 + i has the low nibble of byte 8 + i and the top 2
   * bits of byte i.
   */
  static int k4Scale(long lo, int hi, int j) {
    if (j < 4) {
      return (int) (lo >>> (8 * j)) & 63;
    }
    int i = j - 4;
    return (hi >>> (8 * i)) & 0xF | ((int) (lo >>> (8 * i + 6)) & 3) << 4;
  }

  /**
   * {@link BlockFormat#k4Min} likewise: mins 0–3 are the low 6 bits of bytes 4–7; min 4 + i has the
   * high nibble of byte 8 + i and the top 2 bits of byte 4 + i.
   */
  static int k4Min(long lo, int hi, int j) {
    if (j < 4) {
      return (int) (lo >>> (8 * j + 32)) & 63;
    }
    int i = j - 4;
    return (hi >>> (8 * i + 4)) & 0xF | ((int) (lo >>> (8 * i + 38)) & 3) << 4;
  }

  private static void q5K(MemorySegment s, long o, float[] y, int off) {
    float d = half(s, o);
    float min = half(s, o + 2);
    for (int j = 0; j < 4; j++) {
      float d1 = d * BlockFormat.k4Scale(s, o + 4, 2 * j);
      float m1 = min * BlockFormat.k4Min(s, o + 4, 2 * j);
      float d2 = d * BlockFormat.k4Scale(s, o + 4, 2 * j + 1);
      float m2 = min * BlockFormat.k4Min(s, o + 4, 2 * j + 1);
      for (int p = 0; p < 32; p += L) {
        q5KRun(s, o, j, p, d1, m1, d2, m2, y, off + 64 * j + p);
      }
    }
  }

  /**
   * Elements p .. p + L of chunk j of a Q5_K block: the nibble plus 16 where bit 2j (low nibbles)
   * or 2j + 1 (high nibbles) of qh byte p + i is set, moved to bit 4 by one shift.
   */
  private static void q5KRun(
      MemorySegment s,
      long o,
      int j,
      int p,
      float d1,
      float m1,
      float d2,
      float m2,
      float[] y,
      int dst) {
    ByteVector raw =
        ByteVector.fromMemorySegment(B, s, o + 48 + 32L * j + p, ByteOrder.LITTLE_ENDIAN);
    ByteVector qh =
        ByteVector.fromMemorySegment(B, s, o + 16 + p, ByteOrder.LITTLE_ENDIAN)
            .lanewise(VectorOperators.LSHR, 2 * j);
    ByteVector lo = raw.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHL, 4).and((byte) 0x10));
    ByteVector hi =
        raw.lanewise(VectorOperators.LSHR, 4)
            .or(qh.lanewise(VectorOperators.LSHL, 3).and((byte) 0x10));
    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d1).sub(m1).intoArray(y, dst);
    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0))
        .mul(d2)
        .sub(m2)
        .intoArray(y, dst + 32);
  }

  /**
   * Q6_K rows: a half's eight int8 scales come from one long load (byte k of it is scale k of the
   * half).
   */
  private static void q6KRow(MemorySegment s, long o, int blocks, float[] y, int off) {
    for (int b = 0; b < blocks; b++, o += BlockFormat.Q6_K.blockBytes(), off += 256) {
      float d = half(s, o + 208);
      for (int n = 0; n < 2; n++) {
        long sc = s.get(LE_LONG, o + 192 + 8L * n);
        for (int p = 0; p < 32; p += L) {
          int is = 8 * (p / 16);
          int dst = off + 128 * n + p;
          float d1 = d * (byte) (sc >>> is);
          float d2 = d * (byte) (sc >>> (is + 16));
          float d3 = d * (byte) (sc >>> (is + 32));
          float d4 = d * (byte) (sc >>> (is + 48));
          q6KPair(s, o + 64L * n + p, o + 128 + 32L * n + p, 0, d1, d3, y, dst, dst + 64);
          q6KPair(s, o + 64L * n + 32 + p, o + 128 + 32L * n + p, 2, d2, d4, y, dst + 32, dst + 96);
        }
      }
    }
  }

  /**
   * Two quarters of a Q6_K half sharing their low-nibble bytes at {@code ql}: the low nibbles take
   * bits {@code hShift}, +1 of the qh bytes as bits 4–5, the high nibbles bits {@code hShift} + 4,
   * + 5.
   */
  private static void q6KPair(
      MemorySegment s,
      long ql,
      long qh,
      int hShift,
      float da,
      float db,
      float[] y,
      int dstA,
      int dstB) {
    // byte lanes here: the int-lane form of this pair ran 2.6× slower (AVX2, thread CPU)
    ByteVector raw = bytes(s, ql);
    ByteVector h = bytes(s, qh).lanewise(VectorOperators.LSHR, hShift);
    ByteVector qa =
        raw.and((byte) 0x0F)
            .or(h.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30))
            .sub((byte) 32);
    ByteVector qb = raw.lanewise(VectorOperators.LSHR, 4).or(h.and((byte) 0x30)).sub((byte) 32);
    floats(qa).mul(da).intoArray(y, dstA);
    floats(qb).mul(db).intoArray(y, dstB);
  }

  /**
   * 32 IQ4 values from the 16 bytes at {@code qs}, scaled by {@code d}: the nibbles index the
   * 16-entry level table in one 128-bit byte vector, widened in one or two float parts.
   */
  private static void iq4(MemorySegment s, long qs, float d, float[] y, int off) {
    ByteVector raw = ByteVector.fromMemorySegment(B128, s, qs, ByteOrder.LITTLE_ENDIAN);
    ByteVector lo = raw.and((byte) 0x0F).selectFrom(IQ4);
    ByteVector hi = raw.lanewise(VectorOperators.LSHR, 4).selectFrom(IQ4);
    for (int part = 0; part < 16 / L; part++) {
      ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part))
          .mul(d)
          .intoArray(y, off + part * L);
      ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part))
          .mul(d)
          .intoArray(y, off + 16 + part * L);
    }
  }

  private static void iq4Xs(MemorySegment s, long o, float[] y, int off) {
    float d = half(s, o);
    int scalesH = s.get(BlockFormat.LE_SHORT, o + 2) & 0xFFFF;
    for (int ib = 0; ib < 8; ib++) {
      int ls =
          ((u8(s, o + 4 + ib / 2) >> (4 * (ib % 2))) & 0xF) | (((scalesH >> (2 * ib)) & 3) << 4);
      iq4(s, o + 8 + 16L * ib, d * (ls - 32), y, off + 32 * ib);
    }
  }
}
