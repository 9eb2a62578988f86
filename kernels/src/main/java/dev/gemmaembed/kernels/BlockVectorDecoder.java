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
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API decoders of the {@link BlockFormat}s, for float vectors of 8 or 16 lanes: a run of
 * {@code L} outputs is unpacked from {@code L} bytes in byte lanes (nibbles, 2-bit fields, high
 * bits, IQ4 table lookups), widened to floats and scaled with the same float32 operations, in the
 * same order, as {@link BlockFormat#dequantize} — so the output is bit for bit the scalar
 * reference's, which the tests check at each supported width.
 */
final class BlockVectorDecoder {

  private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
  private static final int[] IOTA = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  private static final byte[] IQ4_TABLE = new byte[16];

  static {
    for (int i = 0; i < 16; i++) {
      IQ4_TABLE[i] = (byte) BlockFormat.IQ4_VALUES[i];
    }
  }

  /** The decoder for the preferred vector shape, or null where it has neither 8 nor 16 float lanes. */
  static final BlockVectorDecoder PREFERRED = BlockVectors.SUPPORTED ? new BlockVectorDecoder(BlockVectors.F) : null;

  private final VectorSpecies<Float> f;
  private final VectorSpecies<Byte> b;
  private final VectorSpecies<Integer> ints;
  private final int l;
  private final IntVector iota;
  private final ByteVector iq4Table = ByteVector.fromArray(B128, IQ4_TABLE, 0);

  /** @param f float species of 8 or 16 lanes (256- or 512-bit) */
  BlockVectorDecoder(VectorSpecies<Float> f) {
    if (f.length() != 8 && f.length() != 16) {
      throw new IllegalArgumentException("block decoding needs 8 or 16 float lanes, got " + f.length());
    }
    this.f = f;
    this.l = f.length();
    this.b = VectorSpecies.of(byte.class, VectorShape.forBitSize(l * 8));
    this.ints = VectorSpecies.of(int.class, f.vectorShape());
    this.iota = IntVector.fromArray(ints, IOTA, 0);
  }

  /** Float lanes. */
  int lanes() {
    return l;
  }

  /** Decodes {@code cols} values (whole blocks of {@code fmt}) from {@code s[o ..]} into {@code y[off ..]}. */
  void decode(BlockFormat fmt, MemorySegment s, long o, int cols, float[] y, int off) {
    int bv = fmt.blockValues();
    int bb = fmt.blockBytes();
    for (int k = 0; k < cols; k += bv, o += bb, off += bv) {
      switch (fmt) {
        case Q4_1 -> q4_1(s, o, y, off);
        case Q5_0 -> q5(s, o, y, off, false);
        case Q5_1 -> q5(s, o, y, off, true);
        case Q2_K -> q2K(s, o, y, off);
        case Q3_K -> q3K(s, o, y, off);
        case Q4_K -> qK45(s, o, y, off, false);
        case Q5_K -> qK45(s, o, y, off, true);
        case Q6_K -> q6K(s, o, y, off);
        case IQ4_NL -> iq4(s, o + 2, half(s, o), y, off);
        case IQ4_XS -> iq4Xs(s, o, y, off);
      }
    }
  }

  private ByteVector bytes(MemorySegment s, long o) {
    return ByteVector.fromMemorySegment(b, s, o, ByteOrder.LITTLE_ENDIAN);
  }

  private FloatVector floats(ByteVector q) {
    return (FloatVector) q.convertShape(VectorOperators.B2F, f, 0);
  }

  /** Byte j of 16 holds element j (low nibble) and j + 16 (high nibble): the nibbles of elements [p, p + l). */
  private ByteVector nibbles(MemorySegment s, long qs, int p) {
    ByteVector raw = bytes(s, qs + p % 16);
    return p < 16 ? raw.and((byte) 0x0F) : raw.lanewise(VectorOperators.LSHR, 4);
  }

  private void q4_1(MemorySegment s, long o, float[] y, int off) {
    float d = half(s, o);
    float m = half(s, o + 2);
    for (int p = 0; p < 32; p += l) {
      floats(nibbles(s, o + 4, p)).mul(d).add(m).intoArray(y, off + p);
    }
  }

  /** Q5_0 (value (q − 16)·d) and Q5_1 (q·d + m): the fifth bit of element e is bit e of the uint32 qh. */
  private void q5(MemorySegment s, long o, float[] y, int off, boolean withMin) {
    float d = half(s, o);
    float m = withMin ? half(s, o + 2) : 0f;
    long qhAt = withMin ? o + 4 : o + 2;
    int qh = s.get(BlockFormat.LE_INT, qhAt);
    IntVector qhv = IntVector.broadcast(ints, qh);
    for (int p = 0; p < 32; p += l) {
      IntVector low = (IntVector) nibbles(s, qhAt + 4, p).convertShape(VectorOperators.B2I, ints, 0);
      IntVector high = qhv.lanewise(VectorOperators.LSHR, iota.add(p)).and(1).lanewise(VectorOperators.LSHL, 4);
      IntVector q = low.or(high);
      if (withMin) {
        ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(d).add(m).intoArray(y, off + p);
      } else {
        ((FloatVector) q.sub(16).convert(VectorOperators.I2F, 0)).mul(d).intoArray(y, off + p);
      }
    }
  }

  private void q2K(MemorySegment s, long o, float[] y, int off) {
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
          for (int p = 0; p < 16; p += l) {
            ByteVector q = bytes(s, o + 16 + 32L * n + half + p).lanewise(VectorOperators.LSHR, shift).and((byte) 3);
            floats(q).mul(dl).sub(ml).intoArray(y, dst + p);
          }
        }
      }
    }
  }

  private void q3K(MemorySegment s, long o, float[] y, int off) {
    float dAll = half(s, o + 108);
    int is = 0;
    int m = 1;
    for (int n = 0; n < 2; n++) {
      for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
        for (int half = 0; half < 32; half += 16, is++) {
          float dl = dAll * (BlockFormat.q3Scale(s, o + 96, is) - 32);
          int dst = off + 128 * n + 16 * shift + half;
          for (int p = 0; p < 16; p += l) {
            ByteVector q = bytes(s, o + 32 + 32L * n + half + p).lanewise(VectorOperators.LSHR, shift).and((byte) 3);
            VectorMask<Byte> noHigh = bytes(s, o + half + p).and((byte) m).compare(VectorOperators.EQ, (byte) 0);
            floats(q.sub((byte) 4, noHigh)).mul(dl).intoArray(y, dst + p);
          }
        }
      }
    }
  }

  /** Q4_K, and Q5_K whose fifth bits (bit 2j / 2j + 1 of byte l of qh) add 16. */
  private void qK45(MemorySegment s, long o, float[] y, int off, boolean five) {
    float d = half(s, o);
    float min = half(s, o + 2);
    long qs = five ? o + 48 : o + 16;
    for (int j = 0; j < 4; j++) {
      float d1 = d * BlockFormat.k4Scale(s, o + 4, 2 * j);
      float m1 = min * BlockFormat.k4Min(s, o + 4, 2 * j);
      float d2 = d * BlockFormat.k4Scale(s, o + 4, 2 * j + 1);
      float m2 = min * BlockFormat.k4Min(s, o + 4, 2 * j + 1);
      for (int p = 0; p < 32; p += l) {
        ByteVector raw = bytes(s, qs + 32L * j + p);
        ByteVector lo = raw.and((byte) 0x0F);
        ByteVector hi = raw.lanewise(VectorOperators.LSHR, 4);
        if (five) {
          ByteVector qh = bytes(s, o + 16 + p);
          lo = lo.add((byte) 16, qh.and((byte) (1 << (2 * j))).compare(VectorOperators.NE, (byte) 0));
          hi = hi.add((byte) 16, qh.and((byte) (2 << (2 * j))).compare(VectorOperators.NE, (byte) 0));
        }
        floats(lo).mul(d1).sub(m1).intoArray(y, off + 64 * j + p);
        floats(hi).mul(d2).sub(m2).intoArray(y, off + 64 * j + 32 + p);
      }
    }
  }

  private void q6K(MemorySegment s, long o, float[] y, int off) {
    float d = half(s, o + 208);
    for (int n = 0; n < 2; n++) {
      long ql = o + 64L * n;
      long qh = o + 128 + 32L * n;
      long sc = o + 192 + 8L * n;
      int dst = off + 128 * n;
      for (int p = 0; p < 32; p += l) {
        int is = p / 16;
        ByteVector lo = bytes(s, ql + p);
        ByteVector hi = bytes(s, ql + 32 + p);
        ByteVector h = bytes(s, qh + p);
        ByteVector q1 = lo.and((byte) 0x0F).or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
        ByteVector q2 = hi.and((byte) 0x0F)
            .or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
        ByteVector q3 = lo.lanewise(VectorOperators.LSHR, 4)
            .or(h.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
        ByteVector q4 = hi.lanewise(VectorOperators.LSHR, 4)
            .or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
        floats(q1).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is)).intoArray(y, dst + p);
        floats(q2).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2)).intoArray(y, dst + 32 + p);
        floats(q3).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4)).intoArray(y, dst + 64 + p);
        floats(q4).mul(d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6)).intoArray(y, dst + 96 + p);
      }
    }
  }

  /**
   * 32 IQ4 values from the 16 bytes at {@code qs}, scaled by {@code d}: the nibbles index the
   * 16-entry level table in one 128-bit byte vector, widened in one or two float parts.
   */
  private void iq4(MemorySegment s, long qs, float d, float[] y, int off) {
    ByteVector raw = ByteVector.fromMemorySegment(B128, s, qs, ByteOrder.LITTLE_ENDIAN);
    ByteVector lo = raw.and((byte) 0x0F).selectFrom(iq4Table);
    ByteVector hi = raw.lanewise(VectorOperators.LSHR, 4).selectFrom(iq4Table);
    for (int part = 0; part < 16 / l; part++) {
      ((FloatVector) lo.convertShape(VectorOperators.B2F, f, part)).mul(d).intoArray(y, off + part * l);
      ((FloatVector) hi.convertShape(VectorOperators.B2F, f, part)).mul(d).intoArray(y, off + 16 + part * l);
    }
  }

  private void iq4Xs(MemorySegment s, long o, float[] y, int off) {
    float d = half(s, o);
    int scalesH = s.get(BlockFormat.LE_SHORT, o + 2) & 0xFFFF;
    for (int ib = 0; ib < 8; ib++) {
      int ls = ((u8(s, o + 4 + ib / 2) >> (4 * (ib % 2))) & 0xF) | (((scalesH >> (2 * ib)) & 3) << 4);
      iq4(s, o + 8 + 16L * ib, d * (ls - 32), y, off + 32 * ib);
    }
  }
}
