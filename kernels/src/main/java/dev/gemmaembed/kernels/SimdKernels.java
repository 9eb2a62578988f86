package dev.gemmaembed.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API implementations of the element-wise and reduction kernels. Each method has a plain
 * twin in {@link ScalarKernels}; tests compare the two on odd sizes.
 *
 * <p>Reductions accumulate lane-wise over {@code loopBound} and fold the tail in scalar order
 * afterwards, so a result depends only on its inputs, never on where it sits in a batch.
 */
public final class SimdKernels {

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  /** Weight rows per register tile of {@link #matmulPanel}. */
  static final int TILE_ROWS = 4;

  /** Tokens per register tile of {@link #matmulPanel}. */
  static final int TILE_TOKENS = 4;

  private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
  private static final float GELU_KAPPA = 0.044715f;

  private SimdKernels() {}

  /** Σ a[aOff + i] · b[bOff + i] for i &lt; n. */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    int bound = F.loopBound(n);
    var acc = FloatVector.zero(F);
    int i = 0;
    for (; i < bound; i += L) {
      acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /** y[yOff + i] += alpha · x[xOff + i]. */
  public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    int bound = F.loopBound(n);
    var va = FloatVector.broadcast(F, alpha);
    int i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  /** dst[off + i] += src[srcOff + i]. */
  public static void add(float[] dst, int off, float[] src, int srcOff, int n) {
    int bound = F.loopBound(n);
    int i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(F, dst, off + i).add(FloatVector.fromArray(F, src, srcOff + i))
          .intoArray(dst, off + i);
    }
    for (; i < n; i++) {
      dst[off + i] += src[srcOff + i];
    }
  }

  /** x[off + i] *= s. */
  public static void scale(float[] x, int off, int n, float s) {
    int bound = F.loopBound(n);
    int i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] *= s;
    }
  }

  /**
   * RMSNorm with a pre-scaled weight: {@code out = (x · rsqrt(mean(x²) + eps)) · weight}. For Gemma
   * the caller passes {@code weight = 1 + w} (computed once, in float32, as transformers does).
   * {@code out} may alias {@code x}.
   */
  public static void rmsNorm(float[] x, int off, int n, float[] weight, float eps, float[] out, int outOff) {
    int bound = F.loopBound(n);
    var acc = FloatVector.zero(F);
    int i = 0;
    for (; i < bound; i += L) {
      var v = FloatVector.fromArray(F, x, off + i);
      acc = v.fma(v, acc);
    }
    float ss = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      ss += x[off + i] * x[off + i];
    }
    float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
    i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(F, x, off + i).mul(inv).mul(FloatVector.fromArray(F, weight, i))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = (x[off + i] * inv) * weight[i];
    }
  }

  /** gate[off + i] = gelu_tanh(gate[off + i]) · up[upOff + i] (PyTorch's tanh approximation). */
  public static void geluTanhMul(float[] gate, int off, float[] up, int upOff, int n) {
    int bound = F.loopBound(n);
    int i = 0;
    for (; i < bound; i += L) {
      var x = FloatVector.fromArray(F, gate, off + i);
      var inner = x.mul(x).mul(x).mul(GELU_KAPPA).add(x).mul(SQRT_2_OVER_PI);
      var g = inner.lanewise(VectorOperators.TANH).add(1f).mul(x).mul(0.5f);
      g.mul(FloatVector.fromArray(F, up, upOff + i)).intoArray(gate, off + i);
    }
    for (; i < n; i++) {
      gate[off + i] = ScalarKernels.geluTanh(gate[off + i]) * up[upOff + i];
    }
  }

  /** In-place softmax of x[off .. off + n). */
  public static void softmax(float[] x, int off, int n) {
    int bound = F.loopBound(n);
    float max = Float.NEGATIVE_INFINITY;
    int i = 0;
    if (bound > 0) {
      var vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
      for (; i < bound; i += L) {
        vmax = vmax.max(FloatVector.fromArray(F, x, off + i));
      }
      max = vmax.reduceLanes(VectorOperators.MAX);
    }
    for (; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    var acc = FloatVector.zero(F);
    i = 0;
    for (; i < bound; i += L) {
      var e = FloatVector.fromArray(F, x, off + i).sub(max).lanewise(VectorOperators.EXP);
      e.intoArray(x, off + i);
      acc = acc.add(e);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    float inv = 1f / sum;
    scale(x, off, n, inv);
  }

  /**
   * Rotate-half RoPE on one head vector of width {@code d}: pairs (k, k + d/2) are rotated by the
   * angle whose cos/sin are {@code cos[tableOff + k]}, {@code sin[tableOff + k]} (k &lt; d/2).
   */
  public static void ropeRotateHalf(float[] x, int off, int d, float[] cos, float[] sin, int tableOff) {
    int half = d / 2;
    int bound = F.loopBound(half);
    int k = 0;
    for (; k < bound; k += L) {
      var a = FloatVector.fromArray(F, x, off + k);
      var b = FloatVector.fromArray(F, x, off + half + k);
      var c = FloatVector.fromArray(F, cos, tableOff + k);
      var s = FloatVector.fromArray(F, sin, tableOff + k);
      a.mul(c).sub(b.mul(s)).intoArray(x, off + k);
      b.mul(c).add(a.mul(s)).intoArray(x, off + half + k);
    }
    for (; k < half; k++) {
      float a = x[off + k];
      float b = x[off + half + k];
      x[off + k] = a * cos[tableOff + k] - b * sin[tableOff + k];
      x[off + half + k] = b * cos[tableOff + k] + a * sin[tableOff + k];
    }
  }

  /**
   * {@code out[t · outStride + outOffset + j] = x[t] · w[j]} for a panel of {@code nRows ≤ 4}
   * decoded weight rows ({@code w} is {@code nRows × cols}) and every token. Tiles of 4 tokens × 4
   * rows keep 16 accumulators in registers so each weight load feeds four tokens.
   */
  public static void matmulPanel(
      float[] x, int tokens, int cols, float[] w, int nRows, float[] out, int outStride, int outOffset) {
    int t = 0;
    if (nRows == TILE_ROWS) {
      for (; t + TILE_TOKENS <= tokens; t += TILE_TOKENS) {
        tile4x4(x, t, cols, w, out, outStride, outOffset);
      }
    }
    for (; t < tokens; t++) {
      for (int j = 0; j < nRows; j++) {
        out[t * outStride + outOffset + j] = dot(x, t * cols, w, j * cols, cols);
      }
    }
  }

  private static void tile4x4(float[] x, int t, int cols, float[] w, float[] out, int outStride, int outOffset) {
    int bound = F.loopBound(cols);
    int x0 = t * cols;
    int x1 = x0 + cols;
    int x2 = x1 + cols;
    int x3 = x2 + cols;
    int w1 = cols;
    int w2 = 2 * cols;
    int w3 = 3 * cols;
    var a00 = FloatVector.zero(F); var a01 = FloatVector.zero(F); var a02 = FloatVector.zero(F); var a03 = FloatVector.zero(F);
    var a10 = FloatVector.zero(F); var a11 = FloatVector.zero(F); var a12 = FloatVector.zero(F); var a13 = FloatVector.zero(F);
    var a20 = FloatVector.zero(F); var a21 = FloatVector.zero(F); var a22 = FloatVector.zero(F); var a23 = FloatVector.zero(F);
    var a30 = FloatVector.zero(F); var a31 = FloatVector.zero(F); var a32 = FloatVector.zero(F); var a33 = FloatVector.zero(F);
    for (int k = 0; k < bound; k += L) {
      var v0 = FloatVector.fromArray(F, w, k);
      var v1 = FloatVector.fromArray(F, w, w1 + k);
      var v2 = FloatVector.fromArray(F, w, w2 + k);
      var v3 = FloatVector.fromArray(F, w, w3 + k);
      var u = FloatVector.fromArray(F, x, x0 + k);
      a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
      u = FloatVector.fromArray(F, x, x1 + k);
      a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
      u = FloatVector.fromArray(F, x, x2 + k);
      a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
      u = FloatVector.fromArray(F, x, x3 + k);
      a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
    }
    int o = t * outStride + outOffset;
    store(out, o, x, x0, w, cols, bound, a00, a01, a02, a03);
    store(out, o + outStride, x, x1, w, cols, bound, a10, a11, a12, a13);
    store(out, o + 2 * outStride, x, x2, w, cols, bound, a20, a21, a22, a23);
    store(out, o + 3 * outStride, x, x3, w, cols, bound, a30, a31, a32, a33);
  }

  /** Reduces one token's four accumulators and adds the scalar tail exactly as {@link #dot} does. */
  private static void store(float[] out, int o, float[] x, int xo, float[] w, int cols, int bound,
      FloatVector c0, FloatVector c1, FloatVector c2, FloatVector c3) {
    out[o] = tail(c0.reduceLanes(VectorOperators.ADD), x, xo, w, 0, cols, bound);
    out[o + 1] = tail(c1.reduceLanes(VectorOperators.ADD), x, xo, w, cols, cols, bound);
    out[o + 2] = tail(c2.reduceLanes(VectorOperators.ADD), x, xo, w, 2 * cols, cols, bound);
    out[o + 3] = tail(c3.reduceLanes(VectorOperators.ADD), x, xo, w, 3 * cols, cols, bound);
  }

  private static float tail(float sum, float[] x, int xo, float[] w, int wo, int cols, int bound) {
    for (int i = bound; i < cols; i++) {
      sum += x[xo + i] * w[wo + i];
    }
    return sum;
  }

  /** Scales x[off .. off + n) to unit L2 norm (a zero vector stays zero, as F.normalize's eps). */
  public static void l2Normalize(float[] x, int off, int n) {
    float ss = dot(x, off, x, off, n);
    float norm = (float) Math.sqrt(ss);
    scale(x, off, n, 1f / Math.max(norm, 1e-12f));
  }
}
