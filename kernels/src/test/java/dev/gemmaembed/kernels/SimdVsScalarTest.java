package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
  @ValueSource(
      ints = {2, 14, 62, 66, 510, 1536, 2306, 6144}) // 2 × the odd sizes: pairs (k, k + d/2)
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
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void addAndScale(int n) {
    float[] a = random(n + 1);
    float[] b = random(n + 2);
    float[] got = a.clone();
    SimdKernels.add(got, 1, b, 2, n);
    SimdKernels.scale(got, 1, n, 0.3f);
    for (int i = 0; i < n; i++) {
      assertEquals((a[i + 1] + b[i + 2]) * 0.3f, got[i + 1], 0f, "element " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void l2Normalize(int n) {
    float[] x = random(n);
    float[] a = x.clone();
    float[] b = x.clone();
    ScalarKernels.l2Normalize(a, 0, n);
    SimdKernels.l2Normalize(b, 0, n);
    assertArrayEquals(a, b, 1e-6f);
  }

  /** {@link #allFormats(float[], int, int)}, then each again, packed into {@code arena}. */
  static List<WeightMatrix> allFormats(float[] w, int rows, int cols, Arena arena) {
    List<WeightMatrix> all = new ArrayList<>(allFormats(w, rows, cols));
    for (WeightMatrix m : allFormats(w, rows, cols)) {
      m.pack(arena);
      all.add(m);
    }
    return all;
  }

  /** {@code w} stored as F32, BF16 and F16 (each format rounds it its own way). */
  static List<WeightMatrix> allFormats(float[] w, int rows, int cols) {
    byte[] bf = new byte[w.length * 2];
    byte[] hf = new byte[w.length * 2];
    for (int i = 0; i < w.length; i++) {
      int b = Float.floatToRawIntBits(w[i]) >>> 16;
      short h = Float.floatToFloat16(w[i]);
      bf[2 * i] = (byte) b;
      bf[2 * i + 1] = (byte) (b >>> 8);
      hf[2 * i] = (byte) h;
      hf[2 * i + 1] = (byte) (h >>> 8);
    }
    return List.of(
        F32Matrix.of(w, rows, cols),
        new Bf16Matrix(MemorySegment.ofArray(bf), rows, cols),
        new F16Matrix(MemorySegment.ofArray(hf), rows, cols));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void matmulAllFormats(int cols) {
    try (ComputePool pool = new ComputePool(2);
        Arena arena = Arena.ofShared()) {
      for (int tokens : new int[] {1, 3, 4, 9}) {
        for (int rows : new int[] {1, 5, 64, 67}) {
          float[] x = random(tokens * cols);
          for (WeightMatrix m : allFormats(random(rows * cols), rows, cols, arena)) {
            float[] expected = new float[tokens * rows];
            ScalarKernels.matmul(m, x, tokens, expected);
            float[] got = new float[tokens * rows];
            Matmul.multiply(pool, m, x, tokens, got);
            String what =
                m + (m.packed() != null ? " packed " : " ") + tokens + "x" + rows + "x" + cols;
            assertArrayEquals(expected, got, tol(cols) * 4, what);
            // and bit for bit the documented operation order
            ScalarKernels.matmulFmaChain(m, x, tokens, expected);
            assertArrayEquals(expected, got, 0f, what + " (fma chain)");
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768})
  void packedMatrixRowRangesAndReadRow(int cols) {
    int rows = 150; // two full panels and a partial one
    int tokens = 6;
    float[] w = random(rows * cols);
    float[] x = random(tokens * cols);
    F32Matrix plain = F32Matrix.of(w, rows, cols);
    F32Matrix packed = F32Matrix.of(w, rows, cols);
    packed.pack(Arena.ofAuto());
    assertEquals(PackedF32Matrix.W, packed.rowGrain());
    float[] full = new float[tokens * rows];
    ScalarKernels.matmulFmaChain(plain, x, tokens, full);
    for (int[] range : new int[][] {{0, rows}, {3, 61}, {60, 130}, {149, 150}, {64, 128}}) {
      float[] got = new float[tokens * rows];
      packed.multiply(x, tokens, got, rows, 0, range[0], range[1]);
      for (int t = 0; t < tokens; t++) {
        for (int r = 0; r < rows; r++) {
          float want = r >= range[0] && r < range[1] ? full[t * rows + r] : 0f;
          assertEquals(
              want, got[t * rows + r], 0f, "row " + r + " of range " + Arrays.toString(range));
        }
      }
    }
    float[] row = new float[cols + 2];
    for (int r : new int[] {0, 63, 64, 149}) {
      packed.readRow(r, row, 2);
      assertArrayEquals(
          Arrays.copyOfRange(w, r * cols, (r + 1) * cols), Arrays.copyOfRange(row, 2, cols + 2));
    }
  }

  /**
   * A packed copy lives in the arena it was packed into: closing that frees it, and products then
   * fail cleanly.
   */
  @org.junit.jupiter.api.Test
  void packedCopyIsFreedWithItsArena() {
    F32Matrix m = F32Matrix.of(random(70 * 33), 70, 33);
    float[] x = random(33);
    float[] out = new float[70];
    Arena arena = Arena.ofConfined();
    m.pack(arena);
    m.multiply(x, 1, out, 70, 0, 0, 70);
    arena.close();
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> m.multiply(x, 1, out, 70, 0, 0, 70));
    Q8_0Matrix q =
        (Q8_0Matrix) WeightType.Q8_0.quantize(F32Matrix.of(random(64), 2, 32), Arena.ofAuto());
    q.pack(Arena.ofAuto());
    assertEquals(null, q.packed(), "quantized matrices keep decoding per product");
  }

  /**
   * The exp-based GELU against the float64 formula: within 1.5e-7·max(1, |x|) everywhere (the
   * float32 tanh form, 0.5·x·(1 + tanh u), loses all relative accuracy for x below about −3).
   */
  @org.junit.jupiter.api.Test
  void geluIsAccurateOverTheWholeRange() {
    int n = 40001;
    float[] x = new float[n];
    float[] up = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -12f + 24f * i / (n - 1);
      up[i] = 1f;
    }
    float[] g = x.clone();
    SimdKernels.geluTanhMul(g, 0, up, 0, n);
    for (int i = 0; i < n; i++) {
      double v = x[i];
      double want = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
      assertEquals(want, g[i], 1.5e-7 * Math.max(1, Math.abs(v)), "x = " + x[i]);
    }
  }

  @org.junit.jupiter.api.Test
  void expIsWithinAnUlpOverItsRangeAndLanesMatchTheScalarTwin() {
    float[] x = new float[20001];
    for (int i = 0; i < x.length; i++) {
      x[i] = -87f + 175f * i / (x.length - 1);
    }
    double worst = 0;
    for (float v : x) {
      double want = Math.exp(v);
      worst = Math.max(worst, Math.abs(SimdKernels.exp(v) - want) / want);
    }
    assertTrue(worst < 2.4e-7, "worst relative error " + worst);
    if (!VectorWidth.VECTOR) {
      return;
    }
    int l = VectorWidth.L;
    for (int i = 0; i + l <= x.length; i += l) {
      float[] e =
          SimdKernels.exp(jdk.incubator.vector.FloatVector.fromArray(SimdKernels.F, x, i))
              .toArray();
      float[] g =
          SimdKernels.gelu(
                  jdk.incubator.vector.FloatVector.fromArray(SimdKernels.F, x, i).mul(0.1f))
              .toArray();
      for (int j = 0; j < l; j++) {
        assertEquals(
            Float.floatToRawIntBits(SimdKernels.exp(x[i + j])),
            Float.floatToRawIntBits(e[j]),
            "scalar and vector exp differ at " + x[i + j]);
        assertEquals(
            Float.floatToRawIntBits(SimdKernels.gelu(x[i + j] * 0.1f)),
            Float.floatToRawIntBits(g[j]),
            "scalar and vector gelu differ at " + x[i + j] * 0.1f);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153, 3072})
  void hsumIsTheSumOfTheLanes(int n) {
    float[] a = random(n);
    float[] b = random(n);
    double want = 0;
    for (int i = 0; i < n; i++) {
      want += (double) a[i] * b[i];
    }
    assertEquals(want, SimdKernels.dot(a, 0, b, 0, n), tol(n) * Math.sqrt(n));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153})
  void attentionWindowedAndFull(int seqLen) {
    for (int[] shape : new int[][] {{3, 1, 32}, {3, 1, 256}, {4, 2, 20}, {6, 1, 16}}) {
      int heads = shape[0];
      int kv = shape[1];
      int d = shape[2];
      float[] q = random((seqLen + 2) * heads * d);
      float[] k = random((seqLen + 2) * kv * d);
      float[] v = random((seqLen + 2) * kv * d);
      for (int radius : new int[] {-1, 0, 4, 256}) {
        long band = radius < 0 ? seqLen : Math.min(seqLen, 2 * radius + 1);
        if (seqLen * band * heads * d > 40_000_000L) {
          continue; // keeps the O(T·band·d) double reference fast
        }
        float[] a = new float[q.length];
        float[] b = new float[q.length];
        ScalarKernels.attend(q, k, v, 2, seqLen, heads, kv, d, radius, 0.17f, a, 0, seqLen);
        try (ComputePool pool = new ComputePool(1)) {
          new BatchAttention(heads, kv, d)
              .run(pool, q, k, v, new int[] {2}, new int[] {seqLen}, 1, radius, 0.17f, b);
        }
        assertArrayEquals(
            a,
            b,
            2e-5f * (float) Math.sqrt(d / 32.0) + 1e-6f,
            "radius " + radius + " heads " + heads + "/" + kv + " d " + d);
      }
    }
  }
}
