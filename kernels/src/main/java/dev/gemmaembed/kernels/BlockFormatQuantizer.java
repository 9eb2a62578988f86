package dev.gemmaembed.kernels;

import static dev.gemmaembed.kernels.QuantSearch.clamp;
import static dev.gemmaembed.kernels.QuantSearch.nearestInt;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ggml's quantizers as {@code llama-quantize} runs them without an importance matrix ({@code
 * quantize_row_*_ref}; {@code quantize_iq4_nl} / {@code quantize_iq4_xs}) for the {@link
 * BlockFormat}s: bit for bit, all arithmetic in float32 in ggml's order, scales rounded to binary16
 * to nearest-even. {@link WeightType#quantize} runs them block by block; each block is decoded by
 * {@link BlockFormat#dequantize}.
 */
enum BlockFormatQuantizer {

  /** min / max per block: d = (max − min) / 15, q = min(15, (int)((x − min)·(1/d) + 0.5)). */
  Q4_1 {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int j = 0; j < 32; j++) {
        float v = x[xo + j];
        if (v < min) {
          min = v;
        }
        if (v > max) {
          max = v;
        }
      }
      float d = (max - min) / 15;
      float id = d != 0 ? 1.0f / d : 0.0f;
      putHalf(y, o, d);
      putHalf(y, o + 2, min);
      for (int j = 0; j < 16; j++) {
        int q0 = Math.min(15, (int) ((x[xo + j] - min) * id + 0.5f));
        int q1 = Math.min(15, (int) ((x[xo + 16 + j] - min) * id + 0.5f));
        putByte(y, o + 4 + j, q0 | q1 << 4);
      }
    }
  },

  /**
   * Signed max: d = max / −16, q = min(31, (int)(x·(1/d) + 16.5)); fifth bits packed into a uint32.
   */
  Q5_0 {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      float amax = 0;
      float max = 0;
      for (int j = 0; j < 32; j++) {
        float v = x[xo + j];
        if (amax < Math.abs(v)) {
          amax = Math.abs(v);
          max = v;
        }
      }
      float d = max / -16;
      float id = d != 0 ? 1.0f / d : 0.0f;
      putHalf(y, o, d);
      int qh = 0;
      for (int j = 0; j < 16; j++) {
        int q0 = Math.min(31, (int) (x[xo + j] * id + 16.5f));
        int q1 = Math.min(31, (int) (x[xo + 16 + j] * id + 16.5f));
        putByte(y, o + 6 + j, (q0 & 0xF) | (q1 & 0xF) << 4);
        qh |= ((q0 & 0x10) >>> 4) << j;
        qh |= ((q1 & 0x10) >>> 4) << (j + 16);
      }
      y.set(LE_INT, o + 2, qh);
    }
  },

  /** min / max per block: d = (max − min) / 31, q = (int)((x − min)·(1/d) + 0.5). */
  Q5_1 {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int j = 0; j < 32; j++) {
        float v = x[xo + j];
        if (v < min) {
          min = v;
        }
        if (v > max) {
          max = v;
        }
      }
      float d = (max - min) / 31;
      float id = d != 0 ? 1.0f / d : 0.0f;
      putHalf(y, o, d);
      putHalf(y, o + 2, min);
      int qh = 0;
      for (int j = 0; j < 16; j++) {
        int q0 = ((int) ((x[xo + j] - min) * id + 0.5f)) & 0xFF;
        int q1 = ((int) ((x[xo + 16 + j] - min) * id + 0.5f)) & 0xFF;
        putByte(y, o + 8 + j, (q0 & 0xF) | (q1 & 0xF) << 4);
        qh |= ((q0 & 0x10) >>> 4) << j;
        qh |= ((q1 & 0x10) >>> 4) << (j + 16);
      }
      y.set(LE_INT, o + 4, qh);
    }
  },

  /**
   * Sixteen 16-value groups fitted by {@code make_qkx2_quants} (|x| weights, absolute error), 4-bit
   * scales and mins.
   */
  Q2_K {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      int[] l = s.levels;
      float maxScale = 0;
      float maxMin = 0;
      for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) {
          s.weights[i] = Math.abs(x[xo + 16 * j + i]);
        }
        s.scales[j] =
            QuantSearch.makeQkx2Quants(
                16,
                3,
                x,
                xo + 16 * j,
                s.weights,
                l,
                16 * j,
                s.mins,
                j,
                s.aux,
                -0.5f,
                0.1f,
                15,
                true);
        if (s.scales[j] > maxScale) {
          maxScale = s.scales[j];
        }
        if (s.mins[j] > maxMin) {
          maxMin = s.mins[j];
        }
      }
      int[] sc = new int[16];
      if (maxScale > 0) {
        float iscale = 15f / maxScale;
        for (int j = 0; j < 16; j++) {
          sc[j] = nearestInt(iscale * s.scales[j]) & 0xFF;
        }
        putHalf(y, o + 80, maxScale / 15f);
      } else {
        putHalf(y, o + 80, 0f);
      }
      if (maxMin > 0) {
        float iscale = 15f / maxMin;
        for (int j = 0; j < 16; j++) {
          sc[j] = (sc[j] | nearestInt(iscale * s.mins[j]) << 4) & 0xFF;
        }
        putHalf(y, o + 82, maxMin / 15f);
      } else {
        putHalf(y, o + 82, 0f);
      }
      float dAll = half(y, o + 80);
      float minAll = half(y, o + 82);
      for (int j = 0; j < 16; j++) {
        putByte(y, o + j, sc[j]);
        float d = dAll * (sc[j] & 0xF);
        if (d == 0) {
          continue;
        }
        float dm = minAll * (sc[j] >> 4);
        for (int i = 0; i < 16; i++) {
          l[16 * j + i] = clamp(nearestInt((x[xo + 16 * j + i] + dm) / d), 0, 3);
        }
      }
      for (int j = 0; j < 256; j += 128) {
        for (int i = 0; i < 32; i++) {
          putByte(
              y,
              o + 16 + j / 4 + i,
              l[j + i] | l[j + i + 32] << 2 | l[j + i + 64] << 4 | l[j + i + 96] << 6);
        }
      }
    }
  },

  /**
   * Sixteen 16-value groups fitted by {@code make_q3_quants}, signed 6-bit scales, high bits in a
   * mask.
   */
  Q3_K {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      int[] l = s.levels;
      float maxScale = 0;
      float amax = 0;
      for (int j = 0; j < 16; j++) {
        s.scales[j] = QuantSearch.makeQ3Quants(16, 4, x, xo + 16 * j, l, 16 * j);
        float a = Math.abs(s.scales[j]);
        if (a > amax) {
          amax = a;
          maxScale = s.scales[j];
        }
      }
      int[] packed = new int[12];
      if (maxScale != 0) {
        float iscale = -32f / maxScale;
        for (int j = 0; j < 16; j++) {
          int q = clamp((byte) nearestInt(iscale * s.scales[j]), -32, 31) + 32;
          if (j < 8) {
            packed[j] = q & 0xF;
          } else {
            packed[j - 8] |= (q & 0xF) << 4;
          }
          packed[j % 4 + 8] |= (q >> 4) << (2 * (j / 4));
        }
        putHalf(y, o + 108, 1 / iscale);
      } else {
        putHalf(y, o + 108, 0f);
      }
      for (int j = 0; j < 12; j++) {
        putByte(y, o + 96 + j, packed[j]);
      }
      float dAll = half(y, o + 108);
      for (int j = 0; j < 16; j++) {
        int low = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
        int sc = (low | ((packed[8 + j % 4] >> (2 * (j / 4))) & 3) << 4) - 32;
        float d = dAll * sc;
        if (d == 0) {
          continue;
        }
        for (int i = 0; i < 16; i++) {
          l[16 * j + i] = clamp(nearestInt(x[xo + 16 * j + i] / d), -4, 3) + 4;
        }
      }
      int[] hmask = new int[32];
      for (int j = 0; j < 256; j++) {
        if (l[j] > 3) {
          hmask[j % 32] |= 1 << (j / 32);
          l[j] -= 4;
        }
      }
      for (int j = 0; j < 32; j++) {
        putByte(y, o + j, hmask[j]);
      }
      for (int j = 0; j < 256; j += 128) {
        for (int i = 0; i < 32; i++) {
          putByte(
              y,
              o + 32 + j / 4 + i,
              l[j + i] | l[j + i + 32] << 2 | l[j + i + 64] << 4 | l[j + i + 96] << 6);
        }
      }
    }
  },

  /**
   * Eight 32-value groups fitted by {@code make_qkx2_quants} (weights rms + |x|), 6-bit scales and
   * mins.
   */
  Q4_K {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      int[] l = s.levels;
      kScalesAndLevels(x, xo, y, o, s, 15, -1f, 0.1f, 20);
      for (int j = 0; j < 256; j += 64) {
        for (int i = 0; i < 32; i++) {
          putByte(y, o + 16 + j / 2 + i, l[j + i] | l[j + i + 32] << 4);
        }
      }
    }
  },

  /** As Q4_K with 5-bit levels: the fifth bits go to 32 bytes of bit planes. */
  Q5_K {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      int[] l = s.levels;
      kScalesAndLevels(x, xo, y, o, s, 31, -0.5f, 0.1f, 15);
      int[] qh = new int[32];
      int m1 = 1;
      int m2 = 2;
      for (int n = 0; n < 256; n += 64, m1 <<= 2, m2 <<= 2) {
        for (int j = 0; j < 32; j++) {
          int l1 = l[n + j];
          if (l1 > 15) {
            l1 -= 16;
            qh[j] |= m1;
          }
          int l2 = l[n + j + 32];
          if (l2 > 15) {
            l2 -= 16;
            qh[j] |= m2;
          }
          putByte(y, o + 48 + n / 2 + j, l1 | l2 << 4);
        }
      }
      for (int j = 0; j < 32; j++) {
        putByte(y, o + 16 + j, qh[j]);
      }
    }
  },

  /** Sixteen 16-value groups fitted by {@code make_qx_quants}, int8 scales, 6-bit levels. */
  Q6_K {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      int[] l = s.levels;
      float maxScale = 0;
      float maxAbsScale = 0;
      for (int ib = 0; ib < 16; ib++) {
        float scale = QuantSearch.makeQxQuants(16, 32, x, xo + 16 * ib, l, 16 * ib);
        s.scales[ib] = scale;
        float a = Math.abs(scale);
        if (a > maxAbsScale) {
          maxAbsScale = a;
          maxScale = scale;
        }
      }
      if (maxAbsScale < QuantSearch.GROUP_MAX_EPS) {
        y.asSlice(o, 210).fill((byte) 0);
        return;
      }
      float iscale = -128f / maxScale;
      putHalf(y, o + 208, 1 / iscale);
      float dAll = half(y, o + 208);
      for (int ib = 0; ib < 16; ib++) {
        byte sc = (byte) Math.min(127, nearestInt(iscale * s.scales[ib]));
        y.set(ValueLayout.JAVA_BYTE, o + 192 + ib, sc);
        float d = dAll * sc;
        if (d == 0) {
          continue;
        }
        for (int i = 0; i < 16; i++) {
          l[16 * ib + i] = clamp(nearestInt(x[xo + 16 * ib + i] / d), -32, 31) + 32;
        }
      }
      for (int j = 0; j < 256; j += 128) {
        for (int i = 0; i < 32; i++) {
          int q1 = l[j + i];
          int q2 = l[j + i + 32];
          int q3 = l[j + i + 64];
          int q4 = l[j + i + 96];
          putByte(y, o + j / 2 + i, (q1 & 0xF) | (q3 & 0xF) << 4);
          putByte(y, o + j / 2 + i + 32, (q2 & 0xF) | (q4 & 0xF) << 4);
          putByte(
              y, o + 128 + j / 4 + i, (q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
        }
      }
    }
  },

  /**
   * {@code quantize_iq4_nl} without importance weights: a scale search over the non-linear levels
   * (x² weights).
   */
  IQ4_NL {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      iq4Block(32, x, xo, y, o, s);
    }
  },

  /**
   * {@code quantize_iq4_xs} without importance weights: IQ4_NL's search per 32 values, 6-bit scales
   * per 256.
   */
  IQ4_XS {
    @Override
    void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s) {
      iq4Block(256, x, xo, y, o, s);
    }
  };

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** One thread's working arrays for a 256-value super-block. */
  static final class Scratch {
    final int[] levels = new int[256];
    final int[] aux = new int[32];
    final float[] weights = new float[32];
    final float[] scales = new float[16];
    final float[] mins = new float[16];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * One block from {@code x[xo ..]} (finite values, as {@link WeightType#quantize} checks) to
   * {@code y[o ..]}.
   */
  void quantizeBlock(float[] x, int xo, MemorySegment y, long o) {
    quantizeBlock(x, xo, y, o, SCRATCH.get());
  }

  abstract void quantizeBlock(float[] x, int xo, MemorySegment y, long o, Scratch s);

  /**
   * The common part of Q4_K and Q5_K: per 32-value group a {@code make_qkx2_quants} fit with
   * weights {@code rms(group) + |x|}, the eight scales and mins quantized to 6 bits against their
   * maxima and packed as {@code get_scale_min_k4} reads them, fp16 d and dmin, then every group's
   * levels recomputed from the stored scales into {@code s.levels}.
   */
  static void kScalesAndLevels(
      float[] x,
      int xo,
      MemorySegment y,
      long o,
      Scratch s,
      int nmax,
      float rmin,
      float rdelta,
      int nstep) {
    int[] l = s.levels;
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < 8; j++) {
      float sumX2 = 0;
      for (int i = 0; i < 32; i++) {
        sumX2 += x[xo + 32 * j + i] * x[xo + 32 * j + i];
      }
      float avX = QuantSearch.sqrtf(sumX2 / 32);
      for (int i = 0; i < 32; i++) {
        s.weights[i] = avX + Math.abs(x[xo + 32 * j + i]);
      }
      s.scales[j] =
          QuantSearch.makeQkx2Quants(
              32,
              nmax,
              x,
              xo + 32 * j,
              s.weights,
              l,
              32 * j,
              s.mins,
              j,
              s.aux,
              rmin,
              rdelta,
              nstep,
              false);
      if (s.scales[j] > maxScale) {
        maxScale = s.scales[j];
      }
      if (s.mins[j] > maxMin) {
        maxMin = s.mins[j];
      }
    }
    float invScale = maxScale > 0 ? 63f / maxScale : 0f;
    float invMin = maxMin > 0 ? 63f / maxMin : 0f;
    int[] packed = new int[12];
    for (int j = 0; j < 8; j++) {
      int ls = Math.min(63, nearestInt(invScale * s.scales[j]) & 0xFF);
      int lm = Math.min(63, nearestInt(invMin * s.mins[j]) & 0xFF);
      if (j < 4) {
        packed[j] = ls;
        packed[j + 4] = lm;
      } else {
        packed[j + 4] = (ls & 0xF) | (lm & 0xF) << 4;
        packed[j - 4] |= (ls >> 4) << 6;
        packed[j] |= (lm >> 4) << 6;
      }
    }
    for (int j = 0; j < 12; j++) {
      putByte(y, o + 4 + j, packed[j]);
    }
    putHalf(y, o, maxScale / 63f);
    putHalf(y, o + 2, maxMin / 63f);
    float dAll = half(y, o);
    float minAll = half(y, o + 2);
    for (int j = 0; j < 8; j++) {
      int sc = j < 4 ? packed[j] & 63 : (packed[j + 4] & 0xF) | (packed[j - 4] >> 6) << 4;
      int m = j < 4 ? packed[j + 4] & 63 : (packed[j + 4] >> 4) | (packed[j] >> 6) << 4;
      float d = dAll * sc;
      if (d == 0) {
        continue;
      }
      float dm = minAll * m;
      for (int i = 0; i < 32; i++) {
        l[32 * j + i] = clamp(nearestInt((x[xo + 32 * j + i] + dm) / d), 0, nmax);
      }
    }
  }

  /** The levels of IQ4_NL / IQ4_XS ({@code kvalues_iq4nl}). */
  private static final int[] IQ4 = {
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
  };

  /**
   * Search steps each side of the first guess in {@code quantize_iq4_nl} / {@code quantize_iq4_xs}.
   */
  private static final int IQ4_TRIES = 7;

  /** {@code best_index_int8}: the level nearest to {@code v} (the lower one on a tie). */
  static int bestIq4Index(float v) {
    if (v <= IQ4[0]) {
      return 0;
    }
    if (v >= IQ4[15]) {
      return 15;
    }
    int ml = 0;
    int mu = 15;
    while (mu - ml > 1) {
      int mav = (ml + mu) / 2;
      if (v < IQ4[mav]) {
        mu = mav;
      } else {
        ml = mav;
      }
    }
    return v - IQ4[mu - 1] < IQ4[mu] - v ? mu - 1 : mu;
  }

  /**
   * {@code quantize_row_iq4_nl_impl} with no importance weights and 7 tries, for a super-block of
   * {@code size} values (32: IQ4_NL, one fp16 scale; 256: IQ4_XS, fp16 d and eight 6-bit scales).
   */
  static void iq4Block(int size, float[] x, int xo, MemorySegment y, long o, Scratch s) {
    int[] l = s.levels;
    float[] w = s.weights;
    int blocks = size / 32;
    float maxScale = 0;
    float amaxScale = 0;
    for (int ib = 0; ib < blocks; ib++) {
      int xb = xo + 32 * ib;
      for (int j = 0; j < 32; j++) {
        w[j] = x[xb + j] * x[xb + j];
      }
      float amax = 0;
      float max = 0;
      for (int j = 0; j < 32; j++) {
        float ax = Math.abs(x[xb + j]);
        if (ax > amax) {
          amax = ax;
          max = x[xb + j];
        }
      }
      if (amax < QuantSearch.GROUP_MAX_EPS) {
        s.scales[ib] = 0;
        continue;
      }
      float d = -max / IQ4[0];
      float id = 1 / d;
      float sumqx = 0;
      float sumq2 = 0;
      for (int j = 0; j < 32; j++) {
        int li = bestIq4Index(id * x[xb + j]);
        l[32 * ib + j] = li;
        float q = IQ4[li];
        sumqx += w[j] * q * x[xb + j];
        sumq2 += w[j] * q * q;
      }
      d = sumq2 > 0 ? sumqx / sumq2 : 0f;
      float best = d * sumqx;
      for (int itry = -IQ4_TRIES; itry <= IQ4_TRIES; itry++) {
        id = (itry + IQ4[0]) / max;
        sumqx = 0;
        sumq2 = 0;
        for (int j = 0; j < 32; j++) {
          float q = IQ4[bestIq4Index(id * x[xb + j])];
          sumqx += w[j] * q * x[xb + j];
          sumq2 += w[j] * q * q;
        }
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
          d = sumqx / sumq2;
          best = d * sumqx;
        }
      }
      s.scales[ib] = d;
      float absD = Math.abs(d);
      if (absD > amaxScale) {
        amaxScale = absD;
        maxScale = d;
      }
    }
    long qs;
    if (blocks > 1) {
      int scalesH = 0;
      int[] scalesL = new int[4];
      float d = -maxScale / 32;
      putHalf(y, o, d);
      float id = d != 0 ? 1 / d : 0f;
      for (int ib = 0; ib < blocks; ib++) {
        int li = clamp(nearestInt(id * s.scales[ib]), -32, 31);
        float dl = d * li;
        float idl = dl != 0 ? 1 / dl : 0f;
        for (int j = 0; j < 32; j++) {
          l[32 * ib + j] = bestIq4Index(idl * x[xo + 32 * ib + j]);
        }
        li += 32;
        scalesL[ib / 2] |= (li & 0xF) << (4 * (ib % 2));
        scalesH |= (li >> 4) << (2 * ib);
      }
      y.set(LE_SHORT, o + 2, (short) scalesH);
      for (int j = 0; j < 4; j++) {
        putByte(y, o + 4 + j, scalesL[j]);
      }
      qs = o + 8;
    } else {
      putHalf(y, o, s.scales[0]);
      float id = s.scales[0] != 0 ? 1 / s.scales[0] : 0;
      for (int j = 0; j < 32; j++) {
        l[j] = bestIq4Index(id * x[xo + j]);
      }
      qs = o + 2;
    }
    for (int i = 0; i < blocks; i++) {
      for (int j = 0; j < 16; j++) {
        putByte(y, qs + 16 * i + j, l[32 * i + j] | l[32 * i + 16 + j] << 4);
      }
    }
  }

  static void putHalf(MemorySegment y, long o, float v) {
    y.set(LE_SHORT, o, Float.floatToFloat16(v));
  }

  static float half(MemorySegment y, long o) {
    return Float.float16ToFloat(y.get(LE_SHORT, o));
  }

  static void putByte(MemorySegment y, long o, int v) {
    y.set(ValueLayout.JAVA_BYTE, o, (byte) v);
  }
}
