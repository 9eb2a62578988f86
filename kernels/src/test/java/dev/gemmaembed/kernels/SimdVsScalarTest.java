package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every SIMD kernel against its scalar reference on odd sizes, tolerances scaled by length. */
class SimdVsScalarTest {

  private static final Random RNG = new Random(42);

  static float[] random(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) RNG.nextGaussian();
    }
    return a;
  }

  /** float32 accumulation error bound for an n-term sum of unit-scale products. */
  static float tol(int n) {
    return 1e-6f * (float) Math.sqrt(n) * 8 + 1e-6f;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void dot(int n) {
    float[] a = random(n + 3);
    float[] b = random(n + 5);
    float expected = ScalarKernels.dot(a, 3, b, 5, n);
    assertEquals(expected, SimdKernels.dot(a, 3, b, 5, n), tol(n) * Math.sqrt(n));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void axpy(int n) {
    float[] x = random(n);
    float[] y1 = random(n);
    float[] y2 = y1.clone();
    ScalarKernels.axpy(0.37f, x, 0, y1, 0, n);
    SimdKernels.axpy(0.37f, x, 0, y2, 0, n);
    assertArrayEquals(y1, y2, 1e-6f);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void rmsNorm(int n) {
    float[] x = random(n + 2);
    float[] w = random(n);
    float[] a = new float[n];
    float[] b = new float[n];
    ScalarKernels.rmsNorm(x, 2, n, w, 1e-6f, a, 0);
    SimdKernels.rmsNorm(x, 2, n, w, 1e-6f, b, 0);
    assertArrayEquals(a, b, 1e-5f);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void geluTanhMul(int n) {
    float[] g = random(n);
    for (int i = 0; i < n; i++) {
      g[i] *= 4; // cover the saturated tails too
    }
    float[] up = random(n);
    float[] a = g.clone();
    float[] b = g.clone();
    ScalarKernels.geluTanhMul(a, 0, up, 0, n);
    SimdKernels.geluTanhMul(b, 0, up, 0, n);
    for (int i = 0; i < n; i++) {
      assertEquals(a[i], b[i], 2e-6f * Math.max(1f, Math.abs(a[i])), "element " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153})
  void softmax(int n) {
    float[] x = random(n);
    float[] a = x.clone();
    float[] b = x.clone();
    ScalarKernels.softmax(a, 0, n);
    SimdKernels.softmax(b, 0, n);
    assertArrayEquals(a, b, 1e-6f);
    double sum = 0;
    for (float v : b) {
      sum += v;
    }
    assertEquals(1.0, sum, 1e-5);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 8, 32, 34, 256, 258})
  void ropeRotateHalf(int d) {
    float[] x = random(d);
    float[] cos = random(d / 2 + 1);
    float[] sin = random(d / 2 + 1);
    float[] a = x.clone();
    float[] b = x.clone();
    ScalarKernels.ropeRotateHalf(a, 0, d, cos, sin, 1);
    SimdKernels.ropeRotateHalf(b, 0, d, cos, sin, 1);
    assertArrayEquals(a, b, 1e-5f);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 768, 1153})
  void l2Normalize(int n) {
    float[] x = random(n);
    float[] a = x.clone();
    float[] b = x.clone();
    ScalarKernels.l2Normalize(a, 0, n);
    SimdKernels.l2Normalize(b, 0, n);
    assertArrayEquals(a, b, 1e-6f);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153})
  void matmulAllFormats(int cols) {
    for (int tokens : new int[] {1, 3, 4, 9}) {
      for (int rows : new int[] {1, 5, 8, 19}) {
        float[] w = random(rows * cols);
        float[] x = random(tokens * cols);
        float[] expected = new float[tokens * rows];
        F32Matrix f32 = F32Matrix.of(w, rows, cols);
        ScalarKernels.matmul(f32, x, tokens, expected);
        float[] got = new float[tokens * rows];
        try (ComputePool pool = new ComputePool(2)) {
          Matmul.multiply(pool, f32, x, tokens, got);
        }
        assertArrayEquals(expected, got, tol(cols) * 4, "f32 " + tokens + "x" + rows + "x" + cols);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 33, 768})
  void attentionWindowedAndFull(int seqLen) {
    int heads = 3;
    int d = 32;
    float[] q = random((seqLen + 2) * heads * d);
    float[] k = random((seqLen + 2) * d);
    float[] v = random((seqLen + 2) * d);
    for (int radius : new int[] {-1, 0, 4, 256}) {
      float[] a = new float[q.length];
      float[] b = new float[q.length];
      ScalarKernels.attend(q, k, v, 2, seqLen, heads, 1, d, radius, 0.17f, a, 0, seqLen);
      Attention.attend(q, k, v, 2, seqLen, heads, 1, d, radius, 0.17f, b, 0, seqLen);
      assertArrayEquals(a, b, 2e-5f, "radius " + radius);
    }
  }

  @org.junit.jupiter.api.Test
  void matmulIsIndependentOfBatchAndThreads() {
    int rows = 37;
    int cols = 768;
    float[] w = random(rows * cols);
    float[] x = random(9 * cols);
    F32Matrix m = F32Matrix.of(w, rows, cols);
    float[] alone = new float[rows];
    float[] batched = new float[9 * rows];
    try (ComputePool one = new ComputePool(1); ComputePool two = new ComputePool(2)) {
      Matmul.multiply(two, m, x, 9, batched);
      for (int t = 0; t < 9; t++) {
        float[] single = java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
        Matmul.multiply(one, m, single, 1, alone);
        for (int r = 0; r < rows; r++) {
          assertTrue(Float.compare(alone[r], batched[t * rows + r]) == 0, "token " + t + " row " + r);
        }
      }
    }
  }
}
