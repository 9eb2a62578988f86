package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The outer-product register tile behind every product in this module (packed matmul, attention
 * scores, attention-weighted values): {@code C[r][lane] = Σ_k A[r][k] · B[k][lane]} for 4 (or 1)
 * rows of A and one strip of {@link #W} = 4 vectors of B columns (also 3 rows, for attention).
 *
 * <p>Each step k broadcasts one A element per row and fuses it with the 4 B vectors of row k, so
 * the 16 accumulators (4 rows × 4 vectors) stay in registers and each B load feeds 4 rows. The lane
 * dimension is the output column, so there is no horizontal reduction: every output element is the
 * chain {@code c = fma(A[r][k], B[k][lane], c)} for k = 0, 1, …, kLen − 1 from c = +0. That chain
 * is the same whichever tile, tile row or thread computed the element, and lane-wise FMA is exact
 * IEEE arithmetic in the interpreter, C1 and C2 alike. That is what makes results bitwise
 * independent of batch composition and thread count ({@link ScalarKernels#matmulFmaChain} is the
 * scalar statement of it).
 *
 * <p>At the {@code scalar} {@link VectorWidth} each tile row is a scalar loop of the same chains.
 *
 * <p>B is a native segment with rows {@code bStride} bytes apart (packed weights, transposed keys,
 * values); A and C are heap arrays, and each C row is a whole strip ({@code W} floats in bounds).
 * The kernels have no branches on vectors (no masked tails, no optional reload of C): C2 keeps
 * vectors that merge at a branch boxed, an allocation per vector per call — measured 3× slower.
 */
final class TileKernels {

  static final VectorSpecies<Float> F = VectorWidth.F;
  static final int L = VectorWidth.L;

  /**
   * Checked in each tile's entry, outside the method that holds the vector loop ({@code
   * tile4Vector} etc.): with the check at the top of the loop's own method, C2 compiled tile4's
   * loop into other code (40 bytes more than without the check; split out, its compiled size is the
   * same as before the width switch existed), and the float32 {@code bench} lost 4–6%.
   */
  private static final boolean VECTOR = VectorWidth.VECTOR;

  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

  /** Columns of one B strip: 4 vectors (64 floats with AVX-512). */
  static final int W = 4 * L;

  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final long VB = (long) L * Float.BYTES;

  private TileKernels() {}

  /**
   * Four A rows (starting at {@code a0..a3}, contiguous along k) times one B strip, into C rows
   * {@code c0..c3}.
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
      long bStride,
      float[] c,
      int c0,
      int c1,
      int c2,
      int c3) {
    if (!VECTOR) {
      rowScalar(a, a0, kLen, b, bOff, bStride, c, c0);
      rowScalar(a, a1, kLen, b, bOff, bStride, c, c1);
      rowScalar(a, a2, kLen, b, bOff, bStride, c, c2);
      rowScalar(a, a3, kLen, b, bOff, bStride, c, c3);
      return;
    }
    tile4Vector(a, a0, a1, a2, a3, kLen, b, bOff, bStride, c, c0, c1, c2, c3);
  }

  /** {@link #tile4} at the chosen vector width. */
  private static void tile4Vector(
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      int kLen,
      MemorySegment b,
      long bOff,
      long bStride,
      float[] c,
      int c0,
      int c1,
      int c2,
      int c3) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    var c10 = c00;
    var c11 = c00;
    var c12 = c00;
    var c13 = c00;
    var c20 = c00;
    var c21 = c00;
    var c22 = c00;
    var c23 = c00;
    var c30 = c00;
    var c31 = c00;
    var c32 = c00;
    var c33 = c00;
    for (int k = 0; k < kLen; k++) {
      long bo =
          bOff + k * bStride; // not an accumulated offset: C2 then hoists the segment bounds checks
      // (+20%)
      var w0 = FloatVector.fromMemorySegment(F, b, bo, NATIVE);
      var w1 = FloatVector.fromMemorySegment(F, b, bo + VB, NATIVE);
      var w2 = FloatVector.fromMemorySegment(F, b, bo + 2 * VB, NATIVE);
      var w3 = FloatVector.fromMemorySegment(F, b, bo + 3 * VB, NATIVE);
      var x = FloatVector.broadcast(F, a[a0 + k]);
      c00 = x.fma(w0, c00);
      c01 = x.fma(w1, c01);
      c02 = x.fma(w2, c02);
      c03 = x.fma(w3, c03);
      x = FloatVector.broadcast(F, a[a1 + k]);
      c10 = x.fma(w0, c10);
      c11 = x.fma(w1, c11);
      c12 = x.fma(w2, c12);
      c13 = x.fma(w3, c13);
      x = FloatVector.broadcast(F, a[a2 + k]);
      c20 = x.fma(w0, c20);
      c21 = x.fma(w1, c21);
      c22 = x.fma(w2, c22);
      c23 = x.fma(w3, c23);
      x = FloatVector.broadcast(F, a[a3 + k]);
      c30 = x.fma(w0, c30);
      c31 = x.fma(w1, c31);
      c32 = x.fma(w2, c32);
      c33 = x.fma(w3, c33);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c03.intoArray(c, c0 + 3 * L);
    c10.intoArray(c, c1);
    c11.intoArray(c, c1 + L);
    c12.intoArray(c, c1 + 2 * L);
    c13.intoArray(c, c1 + 3 * L);
    c20.intoArray(c, c2);
    c21.intoArray(c, c2 + L);
    c22.intoArray(c, c2 + 2 * L);
    c23.intoArray(c, c2 + 3 * L);
    c30.intoArray(c, c3);
    c31.intoArray(c, c3 + L);
    c32.intoArray(c, c3 + 2 * L);
    c33.intoArray(c, c3 + 3 * L);
  }

  /**
   * Whether {@link #tile6Half} is the faster tile: where {@link #tile4}'s 16 accumulators, 4 B
   * vectors and a broadcast do not fit the registers ({@link VectorWidth#SIXTEEN_REGISTERS}).
   */
  static final boolean SIX_ROW_TILES = VectorWidth.SIXTEEN_REGISTERS;

  /**
   * Six A rows times half a B strip (its 2 vectors from byte {@code bOff}), into C rows {@code
   * c0..c5} (2 vectors each): the same chain as {@link #tile4}, in 12 accumulators. Only where
   * {@link #SIX_ROW_TILES}.
   */
  static void tile6Half(
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      int a4,
      int a5,
      int kLen,
      MemorySegment b,
      long bOff,
      long bStride,
      float[] c,
      int c0,
      int c1,
      int c2,
      int c3,
      int c4,
      int c5) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c10 = c00;
    var c11 = c00;
    var c20 = c00;
    var c21 = c00;
    var c30 = c00;
    var c31 = c00;
    var c40 = c00;
    var c41 = c00;
    var c50 = c00;
    var c51 = c00;
    for (int k = 0; k < kLen; k++) {
      long bo = bOff + k * bStride;
      var w0 = FloatVector.fromMemorySegment(F, b, bo, NATIVE);
      var w1 = FloatVector.fromMemorySegment(F, b, bo + VB, NATIVE);
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
      x = FloatVector.broadcast(F, a[a4 + k]);
      c40 = x.fma(w0, c40);
      c41 = x.fma(w1, c41);
      x = FloatVector.broadcast(F, a[a5 + k]);
      c50 = x.fma(w0, c50);
      c51 = x.fma(w1, c51);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c1);
    c11.intoArray(c, c1 + L);
    c20.intoArray(c, c2);
    c21.intoArray(c, c2 + L);
    c30.intoArray(c, c3);
    c31.intoArray(c, c3 + L);
    c40.intoArray(c, c4);
    c41.intoArray(c, c4 + L);
    c50.intoArray(c, c5);
    c51.intoArray(c, c5 + L);
  }

  /**
   * Three A rows times one B strip: the same chain as {@link #tile4}, for the three query heads
   * that share EmbeddingGemma's kv head (12 accumulators).
   */
  static void tile3(
      float[] a,
      int a0,
      int a1,
      int a2,
      int kLen,
      MemorySegment b,
      long bOff,
      long bStride,
      float[] c,
      int c0,
      int c1,
      int c2) {
    if (!VECTOR) {
      rowScalar(a, a0, kLen, b, bOff, bStride, c, c0);
      rowScalar(a, a1, kLen, b, bOff, bStride, c, c1);
      rowScalar(a, a2, kLen, b, bOff, bStride, c, c2);
      return;
    }
    tile3Vector(a, a0, a1, a2, kLen, b, bOff, bStride, c, c0, c1, c2);
  }

  /** {@link #tile3} at the chosen vector width. */
  private static void tile3Vector(
      float[] a,
      int a0,
      int a1,
      int a2,
      int kLen,
      MemorySegment b,
      long bOff,
      long bStride,
      float[] c,
      int c0,
      int c1,
      int c2) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    var c10 = c00;
    var c11 = c00;
    var c12 = c00;
    var c13 = c00;
    var c20 = c00;
    var c21 = c00;
    var c22 = c00;
    var c23 = c00;
    for (int k = 0; k < kLen; k++) {
      long bo = bOff + k * bStride;
      var w0 = FloatVector.fromMemorySegment(F, b, bo, NATIVE);
      var w1 = FloatVector.fromMemorySegment(F, b, bo + VB, NATIVE);
      var w2 = FloatVector.fromMemorySegment(F, b, bo + 2 * VB, NATIVE);
      var w3 = FloatVector.fromMemorySegment(F, b, bo + 3 * VB, NATIVE);
      var x = FloatVector.broadcast(F, a[a0 + k]);
      c00 = x.fma(w0, c00);
      c01 = x.fma(w1, c01);
      c02 = x.fma(w2, c02);
      c03 = x.fma(w3, c03);
      x = FloatVector.broadcast(F, a[a1 + k]);
      c10 = x.fma(w0, c10);
      c11 = x.fma(w1, c11);
      c12 = x.fma(w2, c12);
      c13 = x.fma(w3, c13);
      x = FloatVector.broadcast(F, a[a2 + k]);
      c20 = x.fma(w0, c20);
      c21 = x.fma(w1, c21);
      c22 = x.fma(w2, c22);
      c23 = x.fma(w3, c23);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c03.intoArray(c, c0 + 3 * L);
    c10.intoArray(c, c1);
    c11.intoArray(c, c1 + L);
    c12.intoArray(c, c1 + 2 * L);
    c13.intoArray(c, c1 + 3 * L);
    c20.intoArray(c, c2);
    c21.intoArray(c, c2 + L);
    c22.intoArray(c, c2 + 2 * L);
    c23.intoArray(c, c2 + 3 * L);
  }

  /** One A row times one B strip: the same chain as {@link #tile4} for a single row. */
  static void tile1(
      float[] a, int a0, int kLen, MemorySegment b, long bOff, long bStride, float[] c, int c0) {
    if (!VECTOR) {
      rowScalar(a, a0, kLen, b, bOff, bStride, c, c0);
      return;
    }
    tile1Vector(a, a0, kLen, b, bOff, bStride, c, c0);
  }

  /** {@link #tile1} at the chosen vector width. */
  private static void tile1Vector(
      float[] a, int a0, int kLen, MemorySegment b, long bOff, long bStride, float[] c, int c0) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    for (int k = 0; k < kLen; k++) {
      long bo = bOff + k * bStride;
      var x = FloatVector.broadcast(F, a[a0 + k]);
      c00 = x.fma(FloatVector.fromMemorySegment(F, b, bo, NATIVE), c00);
      c01 = x.fma(FloatVector.fromMemorySegment(F, b, bo + VB, NATIVE), c01);
      c02 = x.fma(FloatVector.fromMemorySegment(F, b, bo + 2 * VB, NATIVE), c02);
      c03 = x.fma(FloatVector.fromMemorySegment(F, b, bo + 3 * VB, NATIVE), c03);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c03.intoArray(c, c0 + 3 * L);
  }

  /**
   * The scalar twin of one tile row: the same FMA chain per output element, so the same bits. C
   * must not overlap A's row or B (it accumulates in place).
   */
  private static void rowScalar(
      float[] a, int a0, int kLen, MemorySegment b, long bOff, long bStride, float[] c, int c0) {
    Arrays.fill(c, c0, c0 + W, 0f);
    for (int k = 0; k < kLen; k++) {
      float x = a[a0 + k];
      long bo = bOff + k * bStride;
      for (int j = 0; j < W; j++) {
        c[c0 + j] = Math.fma(x, b.get(FLOAT, bo + (long) j * Float.BYTES), c[c0 + j]);
      }
    }
  }
}
