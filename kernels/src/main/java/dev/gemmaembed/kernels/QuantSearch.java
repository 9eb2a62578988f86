package dev.gemmaembed.kernels;

/**
 * The scale searches behind ggml's reference K-quant quantizers ({@code make_qx_quants}, {@code
 * make_q3_quants}, {@code make_qkx2_quants}, {@code nearest_int}), in float32 with every operation
 * in ggml's order and rounded on its own (Java never contracts {@code a*b + c} into a fused
 * multiply-add), so the chosen levels and scales — and so the written bytes — equal llama.cpp's
 * {@code --pure} output.
 */
final class QuantSearch {

  /** Below this a group counts as all zero ({@code GROUP_MAX_EPS}). */
  static final float GROUP_MAX_EPS = 1e-15f;

  private QuantSearch() {}

  /**
   * ggml's {@code nearest_int}: round to nearest, ties to even, by adding 1.5·2^23 and reading the
   * mantissa (valid for |v| ≤ 2^22 − 1, as in ggml).
   */
  static int nearestInt(float v) {
    float t = v + 12582912f;
    return (Float.floatToRawIntBits(t) & 0x007FFFFF) - 0x00400000;
  }

  /**
   * {@code make_qx_quants} with {@code rmse_type} 1 and no importance weights (Q6_K): symmetric
   * levels {@code L[off + i] ∈ [0, 2·nmax)} of {@code n} values at {@code x[xo ..]}; returns the
   * scale. Tries 18 scales around {@code −nmax / max} and keeps the best weighted (x²) fit.
   */
  static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] levels, int lo) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; i++) {
      float ax = Math.abs(x[xo + i]);
      if (ax > amax) {
        amax = ax;
        max = x[xo + i];
      }
    }
    if (amax < GROUP_MAX_EPS) {
      for (int i = 0; i < n; i++) {
        levels[lo + i] = 0;
      }
      return 0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; i++) {
      float xi = x[xo + i];
      int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
      levels[lo + i] = l + nmax;
      float w = xi * xi;
      sumlx += w * xi * l;
      suml2 += w * l * l;
    }
    float scale = suml2 != 0 ? sumlx / suml2 : 0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; is++) {
      if (is == 0) {
        continue;
      }
      iscale = -(nmax + 0.1f * is) / max;
      sumlx = 0;
      suml2 = 0;
      for (int i = 0; i < n; i++) {
        float xi = x[xo + i];
        int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
        float w = xi * xi;
        sumlx += w * xi * l;
        suml2 += w * l * l;
      }
      if (suml2 > 0 && sumlx * sumlx > best * suml2) {
        for (int i = 0; i < n; i++) {
          levels[lo + i] = nmax + clamp(nearestInt(iscale * x[xo + i]), -nmax, nmax - 1);
        }
        scale = sumlx / suml2;
        best = scale * sumlx;
      }
    }
    return scale;
  }

  /**
   * {@code make_q3_quants} with {@code do_rmse} (Q3_K): levels in {@code [0, 2·nmax)}, refined by
   * up to five passes that move single values to a better level under the x²-weighted fit.
   */
  static float makeQ3Quants(int n, int nmax, float[] x, int xo, int[] levels, int lo) {
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; i++) {
      float ax = Math.abs(x[xo + i]);
      if (ax > amax) {
        amax = ax;
        max = x[xo + i];
      }
    }
    if (amax < GROUP_MAX_EPS) {
      for (int i = 0; i < n; i++) {
        levels[lo + i] = 0;
      }
      return 0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; i++) {
      float xi = x[xo + i];
      int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
      levels[lo + i] = l;
      float w = xi * xi;
      sumlx += w * xi * l;
      suml2 += w * l * l;
    }
    for (int itry = 0; itry < 5; itry++) {
      int changed = 0;
      for (int i = 0; i < n; i++) {
        float xi = x[xo + i];
        float w = xi * xi;
        int li = levels[lo + i];
        float slx = sumlx - w * xi * li;
        if (slx > 0) {
          float sl2 = suml2 - w * li * li;
          int newL = clamp(nearestInt(xi * sl2 / slx), -nmax, nmax - 1);
          if (newL != li) {
            slx += w * xi * newL;
            sl2 += w * newL * newL;
            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
              levels[lo + i] = newL;
              sumlx = slx;
              suml2 = sl2;
              changed++;
            }
          }
        }
      }
      if (changed == 0) {
        break;
      }
    }
    for (int i = 0; i < n; i++) {
      levels[lo + i] += nmax;
    }
    return suml2 > 0f ? sumlx / suml2 : 0f;
  }

  /**
   * {@code make_qkx2_quants} (Q2_K, Q4_K, Q5_K): asymmetric levels {@code [0, nmax]} with a
   * non-positive offset; scans {@code nstep + 1} scales from {@code (rmin + nmax) / (max − min)} by
   * {@code rdelta} and keeps the least weighted squared (or absolute, {@code useMad}) error.
   * Returns the scale and stores −min into {@code mins[mo]}.
   */
  static float makeQkx2Quants(
      int n,
      int nmax,
      float[] x,
      int xo,
      float[] weights,
      int[] levels,
      int lo,
      float[] mins,
      int mo,
      int[] aux,
      float rmin,
      float rdelta,
      int nstep,
      boolean useMad) {
    float min = x[xo];
    float max = x[xo];
    float sumW = weights[0];
    float sumX = sumW * x[xo];
    for (int i = 1; i < n; i++) {
      float xi = x[xo + i];
      if (xi < min) {
        min = xi;
      }
      if (xi > max) {
        max = xi;
      }
      float w = weights[i];
      sumW += w;
      sumX += w * xi;
    }
    if (min > 0) {
      min = 0;
    }
    if (max == min) {
      for (int i = 0; i < n; i++) {
        levels[lo + i] = 0;
      }
      mins[mo] = -min;
      return 0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; i++) {
      int l = clamp(nearestInt(iscale * (x[xo + i] - min)), 0, nmax);
      levels[lo + i] = l;
      float diff = scale * l + min - x[xo + i];
      diff = useMad ? Math.abs(diff) : diff * diff;
      bestError += weights[i] * diff;
    }
    if (nstep < 1) {
      mins[mo] = -min;
      return scale;
    }
    for (int is = 0; is <= nstep; is++) {
      iscale = (rmin + rdelta * is + nmax) / (max - min);
      float sumL = 0;
      float sumL2 = 0;
      float sumXl = 0;
      for (int i = 0; i < n; i++) {
        int l = clamp(nearestInt(iscale * (x[xo + i] - min)), 0, nmax);
        aux[i] = l;
        float w = weights[i];
        sumL += w * l;
        sumL2 += w * l * l;
        sumXl += w * l * x[xo + i];
      }
      float det = sumW * sumL2 - sumL * sumL;
      if (det > 0) {
        float thisScale = (sumW * sumXl - sumX * sumL) / det;
        float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
        if (thisMin > 0) {
          thisMin = 0;
          thisScale = sumXl / sumL2;
        }
        float curError = 0;
        for (int i = 0; i < n; i++) {
          float diff = thisScale * aux[i] + thisMin - x[xo + i];
          diff = useMad ? Math.abs(diff) : diff * diff;
          curError += weights[i] * diff;
        }
        if (curError < bestError) {
          System.arraycopy(aux, 0, levels, lo, n);
          bestError = curError;
          scale = thisScale;
          min = thisMin;
        }
      }
    }
    mins[mo] = -min;
    return scale;
  }

  static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /**
   * C's {@code sqrtf}: the double square root of a float rounds to the correctly rounded float
   * root.
   */
  static float sqrtf(float v) {
    return (float) Math.sqrt(v);
  }
}
