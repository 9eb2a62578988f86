package dev.gemmaembed.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API implementations of the element-wise and reduction kernels, at the width {@link
 * VectorWidth} chose. Each method has a plain twin in {@link ScalarKernels}; tests compare the two
 * on odd sizes. Each method's scalar tail is the whole computation when the width is {@code scalar}
 * (the vector part is then skipped, and folded away by the JIT).
 *
 * <p>Every result is a fixed sequence of IEEE operations that depends only on the inputs and the
 * length, never on where the data sits in a batch, and never on the JIT tier: sums go through
 * {@link #hsum} (a fixed butterfly) rather than {@code reduceLanes(ADD)}, whose order is
 * unspecified and differs between the interpreter and C2; {@code exp} is computed here ({@link
 * #exp}) rather than by {@code VectorOperators.EXP}/{@code TANH}, whose C2 intrinsics (SVML) and
 * Java fallbacks ({@code Math.exp}/{@code Math.tanh} per lane) round differently.
 */
public final class SimdKernels {

  static final VectorSpecies<Float> F = VectorWidth.F;
  private static final boolean VECTOR = VectorWidth.VECTOR;
  private static final int L = VectorWidth.L;

  private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
  private static final float GELU_KAPPA = 0.044715f;

  // exp: x = n·ln2 + r, |r| ≤ ln2/2, e^x = 2^n · P(r), P the degree-7 Taylor polynomial
  // (truncation error r^8/8! < 5.3e-9 relative, below half an ulp).
  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693145751953125f; // 15 significant bits: n·LN2_HI is exact
  private static final float LN2_LO = 1.42860682030941723e-6f;
  private static final float ROUND = 12582912f; // 1.5·2^23: adding it rounds to an integer
  private static final float EXP_MIN = -87.33654f; // e^x stays a normal float
  private static final float EXP_MAX = 88.0f; // n ≤ 127
  private static final float P7 = 1f / 5040;
  private static final float P6 = 1f / 720;
  private static final float P5 = 1f / 120;
  private static final float P4 = 1f / 24;
  private static final float P3 = 1f / 6;

  /** Per-thread lane sums of {@link #expShiftedInPlace}. */
  private static final ThreadLocal<float[]> LANE_SUMS = ThreadLocal.withInitial(() -> new float[L]);

  private SimdKernels() {}

  /** Σ a[aOff + i] · b[bOff + i] for i &lt; n. */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    int i = 0;
    float sum = 0f;
    if (VECTOR) {
      int bound = F.loopBound(n);
      var acc = FloatVector.zero(F);
      for (; i < bound; i += L) {
        acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
      }
      sum = hsum(acc);
    }
    for (; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /** dst[off + i] += src[srcOff + i]. */
  public static void add(float[] dst, int off, float[] src, int srcOff, int n) {
    int bound = VECTOR ? F.loopBound(n) : 0;
    int i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(F, dst, off + i)
          .add(FloatVector.fromArray(F, src, srcOff + i))
          .intoArray(dst, off + i);
    }
    for (; i < n; i++) {
      dst[off + i] += src[srcOff + i];
    }
  }

  /** x[off + i] *= s. */
  public static void scale(float[] x, int off, int n, float s) {
    int bound = VECTOR ? F.loopBound(n) : 0;
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
  public static void rmsNorm(
      float[] x, int off, int n, float[] weight, float eps, float[] out, int outOff) {
    int bound = VECTOR ? F.loopBound(n) : 0;
    int i = 0;
    float ss = 0f;
    if (VECTOR) {
      var acc = FloatVector.zero(F);
      for (; i < bound; i += L) {
        var v = FloatVector.fromArray(F, x, off + i);
        acc = v.fma(v, acc);
      }
      ss = hsum(acc);
    }
    for (; i < n; i++) {
      ss += x[off + i] * x[off + i];
    }
    float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
    i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(F, x, off + i)
          .mul(inv)
          .mul(FloatVector.fromArray(F, weight, i))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = (x[off + i] * inv) * weight[i];
    }
  }

  /**
   * gate[off + i] = gelu_tanh(gate[off + i]) · up[upOff + i] (PyTorch's tanh approximation).
   *
   * <p>Uses {@code 0.5·(1 + tanh(u)) = 1 / (1 + e^(−2u))}, so {@code gelu_tanh(x) = x / (1 +
   * e^(−2u))} with {@code u = √(2/π)·(x + 0.044715·x³)}: one {@link #exp} and one division, and no
   * cancellation in {@code 1 + tanh(u)} for negative x. The tail is the same computation under a
   * lane mask.
   *
   * <p>Not {@code VectorOperators.TANH}: its C2 intrinsic and its interpreter fallback round
   * differently, so results would depend on the JIT tier; the tanh form of GELU loses accuracy for
   * negative x; and it is slower ({@code bench/README.md} has the measurements). This form stays
   * within 1.5e-7·max(1, |x|) of the float64 formula.
   */
  public static void geluTanhMul(float[] gate, int off, float[] up, int upOff, int n) {
    if (!VECTOR) {
      for (int i = 0; i < n; i++) {
        gate[off + i] = gelu(gate[off + i]) * up[upOff + i];
      }
      return;
    }
    int bound = F.loopBound(n);
    int i = 0;
    for (; i < bound; i += L) {
      var x = FloatVector.fromArray(F, gate, off + i);
      gelu(x).mul(FloatVector.fromArray(F, up, upOff + i)).intoArray(gate, off + i);
    }
    if (i < n) {
      VectorMask<Float> m = F.indexInRange(i, n);
      var x = FloatVector.fromArray(F, gate, off + i, m);
      gelu(x).mul(FloatVector.fromArray(F, up, upOff + i, m)).intoArray(gate, off + i, m);
    }
  }

  static FloatVector gelu(FloatVector x) {
    var u = x.mul(x).mul(x).mul(GELU_KAPPA).add(x).mul(SQRT_2_OVER_PI);
    return x.div(exp(u.mul(-2f)).add(1f));
  }

  /** {@link #gelu(FloatVector)} for one float: the same operations, so the same bits as a lane. */
  static float gelu(float x) {
    float u = (x * x * x * GELU_KAPPA + x) * SQRT_2_OVER_PI;
    return x / (exp(u * -2f) + 1f);
  }

  /** max of x[off .. off + n) (−∞ for n = 0); exact whatever the order. */
  static float max(float[] x, int off, int n) {
    int bound = VECTOR ? F.loopBound(n) : 0;
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
    return max;
  }

  /**
   * x[off + i] = e^(x[off + i] − shift) for i &lt; n; returns their sum, accumulated lane-wise in
   * index order and folded by {@link #hsum}.
   */
  static float expShiftedInPlace(float[] x, int off, int n, float shift) {
    int i = 0;
    float sum = 0f;
    if (VECTOR) {
      int bound = F.loopBound(n);
      // the lane sums live in memory, not in a loop-carried vector: C2 could not always unbox
      // that vector here (attention calls this on its own, not inlined), and then ran the
      // loop's additions through the Vector API's Java fallback, allocating each vector
      float[] lanes = LANE_SUMS.get();
      var acc = FloatVector.zero(F);
      acc.intoArray(lanes, 0);
      for (; i < bound; i += L) {
        var e = exp(FloatVector.fromArray(F, x, off + i).sub(shift));
        e.intoArray(x, off + i);
        FloatVector.fromArray(F, lanes, 0).add(e).intoArray(lanes, 0);
      }
      sum = hsum(FloatVector.fromArray(F, lanes, 0));
    }
    for (; i < n; i++) {
      float e = exp(x[off + i] - shift);
      x[off + i] = e;
      sum += e;
    }
    return sum;
  }

  /** {@link #exp(FloatVector)} for one float: the same operations, so the same bits as a lane. */
  static float exp(float x) {
    float c = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
    float k = Math.fma(c, LOG2E, ROUND);
    float nf = k - ROUND;
    float r = Math.fma(nf, -LN2_HI, c);
    r = Math.fma(nf, -LN2_LO, r);
    float p = Math.fma(P7, r, P6);
    p = Math.fma(p, r, P5);
    p = Math.fma(p, r, P4);
    p = Math.fma(p, r, P3);
    p = Math.fma(p, r, 0.5f);
    p = Math.fma(p, r, 1f);
    p = Math.fma(p, r, 1f);
    return p
        * Float.intBitsToFloat(
            (Float.floatToRawIntBits(k) - (Float.floatToRawIntBits(ROUND) - 127)) << 23);
  }

  /**
   * e^x per lane to about 1 ulp (max relative error 1.2e-7 over [−87, 88]); inputs below −87.34
   * give ≈ 1e-38 rather than a subnormal or 0, inputs above 88 give e^88. Only add/mul/fma and
   * integer bit operations, so every JIT tier returns the same bits.
   */
  static FloatVector exp(FloatVector x) {
    var c = x.max(EXP_MIN).min(EXP_MAX);
    var k = c.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND));
    var nf = k.sub(ROUND);
    var r = nf.fma(FloatVector.broadcast(F, -LN2_HI), c);
    r = nf.fma(FloatVector.broadcast(F, -LN2_LO), r);
    var p = FloatVector.broadcast(F, P7).fma(r, FloatVector.broadcast(F, P6));
    p = p.fma(r, FloatVector.broadcast(F, P5));
    p = p.fma(r, FloatVector.broadcast(F, P4));
    p = p.fma(r, FloatVector.broadcast(F, P3));
    p = p.fma(r, FloatVector.broadcast(F, 0.5f));
    p = p.fma(r, FloatVector.broadcast(F, 1f));
    p = p.fma(r, FloatVector.broadcast(F, 1f));
    // k's low mantissa bits hold n (k = 1.5·2^23 + n); 2^n = (n + 127) << 23
    IntVector bits =
        k.reinterpretAsInts()
            .sub(Float.floatToRawIntBits(ROUND) - 127)
            .lanewise(VectorOperators.LSHL, 23);
    return p.mul(bits.reinterpretAsFloats());
  }

  /**
   * Sum of the lanes by a fixed butterfly (lane i += lane i ^ h for h = L/2, …, 1), lane 0 of which
   * is, for 8 lanes, {@code ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7))}. Straight-line code
   * on lanes read out one by one: a loop over stages would carry the vector in a loop phi, which C2
   * boxes (an allocation per stage), and lane shuffles go through {@code rearrange}, whose
   * covariant bridge method C2 may compile on its own and then not inline, boxing every vector that
   * reaches the call, in the caller's loop too (2.9 GB per 8 × 512-token EmbeddingGemma 2 batch,
   * from {@link #expShiftedInPlace}).
   */
  static float hsum(FloatVector v) {
    return switch (L) {
      case 4 -> (v.lane(0) + v.lane(2)) + (v.lane(1) + v.lane(3));
      case 8 ->
          fold8(
              v.lane(0), v.lane(1), v.lane(2), v.lane(3), v.lane(4), v.lane(5), v.lane(6),
              v.lane(7));
      case 16 ->
          fold8(
              v.lane(0) + v.lane(8),
              v.lane(1) + v.lane(9),
              v.lane(2) + v.lane(10),
              v.lane(3) + v.lane(11),
              v.lane(4) + v.lane(12),
              v.lane(5) + v.lane(13),
              v.lane(6) + v.lane(14),
              v.lane(7) + v.lane(15));
      default -> hsumWide(v);
    };
  }

  /** Lane 0 of the last three butterfly stages over lanes c0..c7. */
  private static float fold8(
      float c0, float c1, float c2, float c3, float c4, float c5, float c6, float c7) {
    return ((c0 + c4) + (c2 + c6)) + ((c1 + c5) + (c3 + c7));
  }

  /** {@link #hsum} for vectors wider than 16 lanes (SVE), through an array. */
  private static float hsumWide(FloatVector v) {
    float[] t = v.toArray();
    for (int h = L / 2; h > 0; h /= 2) {
      for (int i = 0; i < h; i++) {
        t[i] += t[i + h];
      }
    }
    return t[0];
  }

  /**
   * Rotate-half RoPE on one head vector of width {@code d}: pairs (k, k + d/2) are rotated by the
   * angle whose cos/sin are {@code cos[tableOff + k]}, {@code sin[tableOff + k]} (k &lt; d/2).
   */
  public static void ropeRotateHalf(
      float[] x, int off, int d, float[] cos, float[] sin, int tableOff) {
    int half = d / 2;
    int bound = VECTOR ? F.loopBound(half) : 0;
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

  /** dst[dOff + i] = src[sOff + i] · s. */
  static void scaleInto(float[] src, int sOff, int n, float s, float[] dst, int dOff) {
    int bound = VECTOR ? F.loopBound(n) : 0;
    int i = 0;
    for (; i < bound; i += L) {
      FloatVector.fromArray(F, src, sOff + i).mul(s).intoArray(dst, dOff + i);
    }
    for (; i < n; i++) {
      dst[dOff + i] = src[sOff + i] * s;
    }
  }

  /** Scales x[off .. off + n) to unit L2 norm (a zero vector stays zero, as F.normalize's eps). */
  public static void l2Normalize(float[] x, int off, int n) {
    float ss = dot(x, off, x, off, n);
    float norm = (float) Math.sqrt(ss);
    scale(x, off, n, 1f / Math.max(norm, 1e-12f));
  }
}
