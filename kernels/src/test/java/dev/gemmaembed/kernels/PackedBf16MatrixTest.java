package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BF16 matrices packed in their own bits ({@link PackedBf16Matrix}, widened in registers by {@link
 * Bf16TileKernels}) against the float32 packed path on the widened values, which they replace: bit
 * for bit at odd shapes, every batch size, row range and thread count, at whatever {@link
 * VectorWidth} the run uses (surefire runs preferred, 256 and scalar); and the vector tiles against
 * their scalar twin directly.
 */
class PackedBf16MatrixTest {

  private static final Random RNG = new Random(16);
  @RegisterExtension static final ThreadPools POOLS = new ThreadPools();

  /** Random bf16 bits, little-endian, with some ±0, subnormals and large values mixed in. */
  private static MemorySegment bf16Bits(int n) {
    MemorySegment s = MemorySegment.ofArray(new byte[2 * n]);
    for (int i = 0; i < n; i++) {
      float v =
          switch (RNG.nextInt(50)) {
            case 0 -> -0f;
            case 1 -> Float.MIN_NORMAL / 8;
            case 2 -> (float) RNG.nextGaussian() * 1e30f;
            default -> (float) RNG.nextGaussian() * 0.05f;
          };
      s.set(WeightMatrix.LE_SHORT, 2L * i, (short) (Float.floatToRawIntBits(v) >>> 16));
    }
    return s;
  }

  private static float[] random(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) RNG.nextGaussian();
    }
    return a;
  }

  /** The BF16 matrix and the F32 matrix of its widened values, both packed. */
  private static WeightMatrix[] pair(int rows, int cols, Arena arena) {
    Bf16Matrix bf = new Bf16Matrix(bf16Bits(rows * cols), rows, cols);
    float[] widened = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      bf.decodeRowScalar(r, widened, r * cols);
    }
    F32Matrix f32 = F32Matrix.of(widened, rows, cols);
    bf.pack(arena);
    f32.pack(arena);
    return new WeightMatrix[] {bf, f32};
  }

  private static void assertBitwise(float[] want, float[] got, String what) {
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        assertEquals(want[i], got[i], 0f, what + " at " + i);
        assertEquals(
            Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " at " + i);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 255, 768, 1153})
  void packedBf16EqualsTheFloat32PathOnItsWidenedValues(int cols) {
    try (Arena arena = Arena.ofShared()) {
      for (int rows : new int[] {1, 5, 33, 67, 150}) {
        WeightMatrix[] m = pair(rows, cols, arena);
        assertInstanceOf(PackedBf16Matrix.class, m[0].packed());
        assertEquals(m[1].packed().data.byteSize() / 2, m[0].packed().data.byteSize());
        for (int tokens : new int[] {1, 2, 3, 4, 5, 9, 37, 130}) {
          float[] x = random(tokens * cols);
          float[] want = new float[tokens * rows];
          ScalarKernels.matmulFmaChain(m[1], x, tokens, want);
          for (ComputePool pool : POOLS) {
            float[] bf = new float[tokens * rows];
            float[] f32 = new float[tokens * rows];
            Matmul.multiply(pool, m[0], x, tokens, bf);
            Matmul.multiply(pool, m[1], x, tokens, f32);
            String what = rows + "×" + cols + ", " + tokens + " tokens, " + pool.threads();
            assertBitwise(want, f32, what + " f32");
            assertBitwise(want, bf, what + " bf16");
          }
        }
      }
    }
  }

  /** Row ranges that start and end inside panels, into a strided, offset output. */
  @ParameterizedTest
  @ValueSource(ints = {1, 7, 33, 768})
  void rowRangesAndTokenBlocks(int cols) {
    int rows = 150;
    int tokens = 11;
    try (Arena arena = Arena.ofShared()) {
      WeightMatrix[] m = pair(rows, cols, arena);
      float[] x = random(tokens * cols);
      float[] full = new float[tokens * rows];
      ScalarKernels.matmulFmaChain(m[1], x, tokens, full);
      int w = PackedMatrix.W;
      for (int[] range :
          new int[][] {{0, rows}, {3, w + 1}, {w - 1, 2 * w + 5}, {rows - 1, rows}}) {
        float[] got = new float[tokens * (rows + 3)];
        m[0].multiply(x, tokens, got, rows + 3, 2, range[0], range[1]);
        for (int t = 0; t < tokens; t++) {
          for (int r = 0; r < rows; r++) {
            float want = r >= range[0] && r < range[1] ? full[t * rows + r] : 0f;
            assertEquals(
                Float.floatToRawIntBits(want),
                Float.floatToRawIntBits(got[t * (rows + 3) + 2 + r]),
                "token " + t + " row " + r + " of " + Arrays.toString(range));
          }
        }
      }
    }
  }

  /** The vector tiles (or, in scalar mode, the scalar dispatch) against the scalar twin. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7, 31, 33, 512})
  void tilesEqualTheirScalarTwin(int kLen) {
    int w = PackedMatrix.W;
    long step = PackedBf16Matrix.K_STEP_BYTES;
    // a panel one k-step into a native segment, as packed panels sit in an arena
    MemorySegment panel = Arena.ofAuto().allocate((kLen + 1) * step, 64);
    MemorySegment.copy(bf16Bits(kLen * w), 0, panel, step, kLen * step);
    float[] a = random(4 * kLen + 3);
    float[] want = new float[4 * w];
    for (int r = 0; r < 4; r++) {
      Bf16TileKernels.rowScalar(a, 3 + r * kLen, kLen, panel, step, want, r * w);
    }
    float[] got = new float[4 * w + 5];
    Bf16TileKernels.tile4(
        a,
        3,
        3 + kLen,
        3 + 2 * kLen,
        3 + 3 * kLen,
        kLen,
        panel,
        step,
        got,
        5,
        5 + w,
        5 + 2 * w,
        5 + 3 * w);
    assertBitwise(want, Arrays.copyOfRange(got, 5, 5 + 4 * w), "tile4, k " + kLen);
    float[] one = new float[w];
    Bf16TileKernels.tile1(a, 3 + 2 * kLen, kLen, panel, step, one, 0);
    assertBitwise(Arrays.copyOfRange(want, 2 * w, 3 * w), one, "tile1, k " + kLen);
  }

  /** The layout the scalar twin states: panel row j of k-step k is stored row j's bf16, widened. */
  @Test
  void packedLayoutHoldsEachStoredWeight() {
    int rows = 70;
    int cols = 9;
    Bf16Matrix bf = new Bf16Matrix(bf16Bits(rows * cols), rows, cols);
    bf.pack(Arena.ofAuto());
    PackedMatrix p = bf.packed();
    int w = PackedMatrix.W;
    float[] row = new float[cols];
    float[] unit = new float[cols];
    float[] c = new float[w];
    for (int r = 0; r < rows; r++) {
      bf.decodeRowScalar(r, row, 0);
      for (int k = 0; k < cols; k++) {
        Arrays.fill(unit, 0f);
        unit[k] = 1f;
        Bf16TileKernels.rowScalar(
            unit, 0, cols, p.data, (long) (r / w) * cols * p.kStepBytes, c, 0);
        assertEquals(
            Float.floatToRawIntBits(row[k] + 0f),
            Float.floatToRawIntBits(c[r % w]),
            "row " + r + " col " + k);
      }
    }
  }
}
