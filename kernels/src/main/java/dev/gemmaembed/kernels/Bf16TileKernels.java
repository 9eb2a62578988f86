package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link TileKernels} outer-product tile over {@link PackedBf16Matrix} panels: the weights are
 * loaded as bf16 pairs and widened to float32 in registers (bf16 is the top half of a float32, so
 * widening is exact), then fused exactly as the float32 tile does. Every output element is the
 * chain {@code c = fma(a[r][k], w[k][lane], c)} for k = 0, 1, …, kLen − 1 from +0: the same bits as
 * the float32 tile on the widened weights, at any width, tile or thread split.
 *
 * <p>The 4-row tile runs as two passes over k, each on half the panel (two float vectors from one
 * int vector): 8 accumulators and 2 weight vectors stay in registers even with AVX2's 16, where one
 * pass over all four vectors (16 accumulators, 4 widened weights) would spill every step. The
 * broadcasts of the activations are repeated per pass; they are loads, not arithmetic.
 *
 * <p>At the {@code scalar} {@link VectorWidth} each tile row is a scalar loop of the same chains
 * ({@link #rowScalar}, the reference for the layout).
 */
final class Bf16TileKernels {

  static final VectorSpecies<Float> F = VectorWidth.F;
  static final int L = VectorWidth.L;
  static final int W = TileKernels.W;
  private static final boolean VECTOR = VectorWidth.VECTOR;
  private static final VectorSpecies<Integer> I =
      VECTOR ? VectorSpecies.of(int.class, F.vectorShape()) : null;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

  /** Bytes of one int vector: half a k-step. */
  private static final long VB = (long) L * Integer.BYTES;

  private static final long K_STEP = PackedBf16Matrix.K_STEP_BYTES;
  private static final int HIGH_HALF = 0xFFFF0000;

  private Bf16TileKernels() {}

  /**
   * Four A rows (starting at {@code a0..a3}, contiguous along k) times the panel at byte {@code
   * bOff} of {@code b}, into C rows {@code c0..c3} (W floats each).
   */
  static void tile4(
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      int kLen,
      MemorySegment b,
      long bOff,
      float[] c,
      int c0,
      int c1,
      int c2,
      int c3) {
    if (!VECTOR) {
      rowScalar(a, a0, kLen, b, bOff, c, c0);
      rowScalar(a, a1, kLen, b, bOff, c, c1);
      rowScalar(a, a2, kLen, b, bOff, c, c2);
      rowScalar(a, a3, kLen, b, bOff, c, c3);
      return;
    }
    half4(a, a0, a1, a2, a3, kLen, b, bOff, c, c0, c1, c2, c3);
    half4(a, a0, a1, a2, a3, kLen, b, bOff + VB, c, c0 + 2 * L, c1 + 2 * L, c2 + 2 * L, c3 + 2 * L);
  }

  /** Four A rows times the two float vectors of one int vector per k-step (at {@code bOff}). */
  private static void half4(
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      int kLen,
      MemorySegment b,
      long bOff,
      float[] c,
      int c0,
      int c1,
      int c2,
      int c3) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c10 = c00;
    var c11 = c00;
    var c20 = c00;
    var c21 = c00;
    var c30 = c00;
    var c31 = c00;
    for (int k = 0; k < kLen; k++) {
      var pair = IntVector.fromMemorySegment(I, b, bOff + k * K_STEP, NATIVE);
      var w0 = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      var w1 = pair.and(HIGH_HALF).reinterpretAsFloats();
      var x = FloatVector.broadcast(F, a[a0 + k]);
      c00 = x.fma(w0, c00);
      c01 = x.fma(w1, c01);
      x = FloatVector.broadcast(F, a[a1 + k]);
      c10 = x.fma(w0, c10);
      c11 = x.fma(w1, c11);
      x = FloatVector.broadcast(F, a[a2 + k]);
      c20 = x.fma(w0, c20);
      c21 = x.fma(w1, c21);
      x = FloatVector.broadcast(F, a[a3 + k]);
      c30 = x.fma(w0, c30);
      c31 = x.fma(w1, c31);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c1);
    c11.intoArray(c, c1 + L);
    c20.intoArray(c, c2);
    c21.intoArray(c, c2 + L);
    c30.intoArray(c, c3);
    c31.intoArray(c, c3 + L);
  }

  /** One A row times the panel: the same chain as {@link #tile4} for a single row. */
  static void tile1(float[] a, int a0, int kLen, MemorySegment b, long bOff, float[] c, int c0) {
    if (!VECTOR) {
      rowScalar(a, a0, kLen, b, bOff, c, c0);
      return;
    }
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    for (int k = 0; k < kLen; k++) {
      long bo = bOff + k * K_STEP;
      var lo = IntVector.fromMemorySegment(I, b, bo, NATIVE);
      var hi = IntVector.fromMemorySegment(I, b, bo + VB, NATIVE);
      var x = FloatVector.broadcast(F, a[a0 + k]);
      c00 = x.fma(lo.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), c00);
      c01 = x.fma(lo.and(HIGH_HALF).reinterpretAsFloats(), c01);
      c02 = x.fma(hi.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), c02);
      c03 = x.fma(hi.and(HIGH_HALF).reinterpretAsFloats(), c03);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c03.intoArray(c, c0 + 3 * L);
  }

  /**
   * The scalar twin of one tile row, and the statement of the layout: panel row j of k-step k is
   * half {@code (j / L) % 2} of int {@code (j / L / 2) · L + j % L} of the step. The same FMA chain
   * per output element, so the same bits. C must not overlap A's row (it accumulates in place).
   */
  static void rowScalar(
      float[] a, int a0, int kLen, MemorySegment b, long bOff, float[] c, int c0) {
    Arrays.fill(c, c0, c0 + W, 0f);
    for (int k = 0; k < kLen; k++) {
      float x = a[a0 + k];
      long bo = bOff + k * K_STEP;
      for (int j = 0; j < W; j++) {
        int vector = j / L;
        int pair = b.get(INT, bo + (long) ((vector / 2) * L + j % L) * Integer.BYTES);
        int bits = vector % 2 == 0 ? pair << 16 : pair & HIGH_HALF;
        c[c0 + j] = Math.fma(x, Float.intBitsToFloat(bits), c[c0 + j]);
      }
    }
  }
}
