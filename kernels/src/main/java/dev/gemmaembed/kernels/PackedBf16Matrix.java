package dev.gemmaembed.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link PackedMatrix} panels kept in bfloat16, for {@link Bf16TileKernels}: half the memory of a
 * float32 copy (266 MB instead of 532 MB for EmbeddingGemma 2's matrices) and half the bytes
 * streamed per product, with the same results, since widening bf16 to float32 is exact.
 *
 * <p>Layout of one k-step (input column k of a panel of W = 4·L rows, L float lanes): two int
 * vectors of L lanes, each lane holding two bf16 weights. Int vector {@code h} (0 or 1), lane j has
 * row {@code 2h·L + j} in its low half and row {@code (2h + 1)·L + j} in its high half, so a tile
 * widens the two float vectors of one int vector with one shift ({@code << 16}) and one mask
 * ({@code & 0xFFFF0000}), both lane-wise (no shuffle).
 */
final class PackedBf16Matrix extends PackedMatrix {

  /** Bytes of a k-step: W bf16 weights. */
  static final long K_STEP_BYTES = 2L * W;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

  private PackedBf16Matrix(int rows, int cols, MemorySegment data) {
    super(rows, cols, data, K_STEP_BYTES);
  }

  /**
   * Packs the stored bf16 rows of {@code source} into memory of {@code arena} (which then owns the
   * packed copy's lifetime).
   */
  static PackedBf16Matrix pack(Bf16Matrix source, Arena arena) {
    int rows = source.rows();
    int cols = source.cols();
    int panels = panels(rows);
    int l = TileKernels.L;
    MemorySegment data = arena.allocate((long) panels * cols * K_STEP_BYTES, 64);
    short[] block = new short[W * cols];
    int[] panel = new int[W / 2 * cols];
    for (int p = 0; p < panels; p++) {
      int r0 = p * W;
      int n = Math.min(W, rows - r0);
      MemorySegment.copy(
          source.data(), WeightMatrix.LE_SHORT, r0 * source.rowBytes, block, 0, n * cols);
      java.util.Arrays.fill(block, n * cols, W * cols, (short) 0);
      for (int k = 0; k < cols; k++) {
        int base = k * (W / 2);
        for (int h = 0; h < 2; h++) {
          for (int j = 0; j < l; j++) {
            int lo = block[(2 * h * l + j) * cols + k] & 0xFFFF;
            int hi = block[((2 * h + 1) * l + j) * cols + k] & 0xFFFF;
            panel[base + h * l + j] = lo | hi << 16;
          }
        }
      }
      MemorySegment.copy(panel, 0, data, INT, (long) p * cols * K_STEP_BYTES, panel.length);
    }
    return new PackedBf16Matrix(rows, cols, data);
  }

  @Override
  void tile4(
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      long off,
      float[] c,
      int c0,
      int c1,
      int c2,
      int c3) {
    Bf16TileKernels.tile4(a, a0, a1, a2, a3, cols, data, off, c, c0, c1, c2, c3);
  }

  @Override
  void tile1(float[] a, int a0, long off, float[] c, int c0) {
    Bf16TileKernels.tile1(a, a0, cols, data, off, c, c0);
  }
}
