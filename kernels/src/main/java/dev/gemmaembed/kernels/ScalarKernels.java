package dev.gemmaembed.kernels;

/**
 * Plain-Java reference kernels: the obvious loop for each operation, kept as the yardstick that
 * {@link SimdKernels} is tested against. Accumulates in double where that makes the reference more
 * exact than any float32 implementation.
 */
public final class ScalarKernels {

  private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

  private ScalarKernels() {}

  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += (double) a[aOff + i] * b[bOff + i];
    }
    return (float) sum;
  }

  public static void rmsNorm(
      float[] x, int off, int n, float[] weight, float eps, float[] out, int outOff) {
    double ss = 0;
    for (int i = 0; i < n; i++) {
      ss += (double) x[off + i] * x[off + i];
    }
    double inv = 1.0 / Math.sqrt(ss / n + eps);
    for (int i = 0; i < n; i++) {
      out[outOff + i] = (float) (x[off + i] * inv * weight[i]);
    }
  }

  /** PyTorch's {@code gelu(x, approximate="tanh")}. */
  public static float geluTanh(float x) {
    double v = x;
    return (float) (0.5 * v * (1.0 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));
  }

  public static void geluTanhMul(float[] gate, int off, float[] up, int upOff, int n) {
    for (int i = 0; i < n; i++) {
      gate[off + i] = geluTanh(gate[off + i]) * up[upOff + i];
    }
  }

  public static void ropeRotateHalf(
      float[] x, int off, int d, float[] cos, float[] sin, int tableOff) {
    int half = d / 2;
    for (int k = 0; k < half; k++) {
      double a = x[off + k];
      double b = x[off + half + k];
      x[off + k] = (float) (a * cos[tableOff + k] - b * sin[tableOff + k]);
      x[off + half + k] = (float) (b * cos[tableOff + k] + a * sin[tableOff + k]);
    }
  }

  /** out[t × rows + r] = x[t] · W[r], reading W through {@link WeightMatrix#readRow}. */
  public static void matmul(WeightMatrix w, float[] x, int tokens, float[] out) {
    float[] row = new float[w.cols()];
    for (int r = 0; r < w.rows(); r++) {
      w.readRow(r, row, 0);
      for (int t = 0; t < tokens; t++) {
        out[t * w.rows() + r] = dot(x, t * w.cols(), row, 0, w.cols());
      }
    }
  }

  /**
   * The exact float32 operation sequence of every SIMD product ({@link Matmul}, {@link
   * PackedF32Matrix}): {@code out[t][r] = fma(x[t][n−1], W[r][n−1], … fma(x[t][0], W[r][0], +0))}.
   * The SIMD kernels must match it bit for bit.
   */
  public static void matmulFmaChain(WeightMatrix w, float[] x, int tokens, float[] out) {
    int n = w.cols();
    float[] row = new float[n];
    for (int r = 0; r < w.rows(); r++) {
      w.readRow(r, row, 0);
      for (int t = 0; t < tokens; t++) {
        float acc = 0f;
        for (int c = 0; c < n; c++) {
          acc = Math.fma(x[t * n + c], row[c], acc);
        }
        out[t * w.rows() + r] = acc;
      }
    }
  }

  public static void l2Normalize(float[] x, int off, int n) {
    double ss = 0;
    for (int i = 0; i < n; i++) {
      ss += (double) x[off + i] * x[off + i];
    }
    double norm = Math.max(Math.sqrt(ss), 1e-12);
    for (int i = 0; i < n; i++) {
      x[off + i] = (float) (x[off + i] / norm);
    }
  }

  /**
   * Reference attention over one sequence of a packed batch, as {@link BatchAttention} computes it
   * for a batch: queries {@code [queryFrom, queryTo)} of the sequence at token rows {@code
   * [seqStart, seqStart + seqLen)}, query i seeing key j iff {@code |i − j| ≤ radius} (all keys
   * when {@code radius < 0}).
   */
  public static void attend(
      float[] q,
      float[] k,
      float[] v,
      int seqStart,
      int seqLen,
      int nHeads,
      int nKvHeads,
      int headDim,
      int radius,
      float scale,
      float[] out,
      int queryFrom,
      int queryTo) {
    int qStride = nHeads * headDim;
    int kvStride = nKvHeads * headDim;
    int group = nHeads / nKvHeads;
    double[] scores = new double[seqLen];
    for (int i = queryFrom; i < queryTo; i++) {
      int lo = radius < 0 ? 0 : Math.max(0, i - radius);
      int hi = radius < 0 ? seqLen - 1 : Math.min(seqLen - 1, i + radius);
      for (int h = 0; h < nHeads; h++) {
        int qo = (seqStart + i) * qStride + h * headDim;
        int kvh = (h / group) * headDim;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = lo; j <= hi; j++) {
          double s = 0;
          int ko = (seqStart + j) * kvStride + kvh;
          for (int c = 0; c < headDim; c++) {
            s += (double) q[qo + c] * k[ko + c];
          }
          scores[j - lo] = s * scale;
          max = Math.max(max, scores[j - lo]);
        }
        double sum = 0;
        for (int j = lo; j <= hi; j++) {
          scores[j - lo] = Math.exp(scores[j - lo] - max);
          sum += scores[j - lo];
        }
        int oo = (seqStart + i) * qStride + h * headDim;
        for (int c = 0; c < headDim; c++) {
          double acc = 0;
          for (int j = lo; j <= hi; j++) {
            acc += scores[j - lo] * v[(seqStart + j) * kvStride + kvh + c];
          }
          out[oo + c] = (float) (acc / sum);
        }
      }
    }
  }
}
