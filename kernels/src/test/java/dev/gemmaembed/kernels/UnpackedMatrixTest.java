package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Q8_0 / Q4_0 matrices (and F32, BF16 and F16 ones that are not packed, which take the same
 * decoded-panel path): the Vector API decoder against the scalar reference (bit for bit), the
 * matmul against a float64 reference over the dequantized weights, and bitwise batch invariance.
 */
class UnpackedMatrixTest {

  private static final Random RNG = new Random(11);

  static float[] random(int n, float std) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) RNG.nextGaussian() * std;
    }
    return a;
  }

  /**
   * A {@code rows × cols} matrix of type {@code f} (quantized, or rounded to it) over random
   * weights.
   */
  static WeightMatrix quantized(WeightType f, int rows, int cols) {
    float[] w = random(rows * cols, 0.05f);
    if (f.quantizable()) {
      return f.quantize(F32Matrix.of(w, rows, cols), Arena.ofAuto());
    }
    return SimdVsScalarTest.allFormats(w, rows, cols).stream()
        .filter(m -> m.type() == f)
        .findFirst()
        .orElseThrow();
  }

  /**
   * Odd row counts; widths in units of 32 values, or of 256 for the super-block types (K-quants,
   * IQ4_XS).
   */
  static Stream<Arguments> shapes() {
    return Stream.of(WeightType.values())
        .filter(WeightType::computable)
        .flatMap(
            f -> {
              int unit = f.blockSize() > 32 ? f.blockSize() / 32 : 1;
              return Stream.of(
                  Arguments.of(f, 1, 32 * unit),
                  Arguments.of(f, 3, 64 * unit),
                  Arguments.of(f, 7, 96 * unit),
                  Arguments.of(f, 13, 160 * unit),
                  // 256-bit row panels run in halves of 16 rows: a partial second half
                  Arguments.of(f, 21, 64 * unit),
                  Arguments.of(f, 33, 768 * unit / Math.min(unit, 3)),
                  Arguments.of(f, 5, 1152 * unit / Math.min(unit, 3)),
                  // wider than a short strip's panel stride (2064): short queries take 4-row tiles
                  Arguments.of(f, 3, 2304));
            });
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void vectorDecodeEqualsTheScalarReferenceExactly(WeightType f, int rows, int cols) {
    WeightMatrix m = quantized(f, rows, cols);
    float[] expected = new float[cols];
    float[] actual = new float[cols + 5];
    for (int r = 0; r < rows; r++) {
      m.decodeRowScalar(r, expected, 0);
      m.readRow(r, actual, 5);
      for (int c = 0; c < cols; c++) {
        assertEquals(
            Float.floatToRawIntBits(expected[c]),
            Float.floatToRawIntBits(actual[5 + c]),
            f + " row " + r + " col " + c);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void multiplyMatchesAFloat64ReferenceForManyTokenCounts(WeightType f, int rows, int cols) {
    WeightMatrix m = quantized(f, rows, cols);
    for (int tokens : new int[] {1, 2, 3, 4, 5, 9, 67}) {
      float[] x = random(tokens * cols, 1f);
      float[] expected = new float[tokens * rows];
      ScalarKernels.matmul(m, x, tokens, expected);
      float[] actual = new float[tokens * rows];
      m.multiply(x, tokens, actual, rows, 0, 0, rows);
      // error of an n-term float32 dot of unit activations and ~0.05 weights
      float tol = 2e-7f * cols * 0.05f * 4 + 1e-6f;
      assertArrayEquals(
          expected, actual, tol, f + " " + rows + "×" + cols + ", " + tokens + " tokens");
    }
  }

  /**
   * Every output element is bitwise the same whether its token is alone, first, last or in the
   * middle of a batch (in a 4-, 2- or 1-vector tile, in a full or a ragged strip), and whatever row
   * range a thread is given.
   */
  @ParameterizedTest
  @MethodSource("shapes")
  void resultsAreBitwiseIndependentOfBatchTileAndRowSplit(WeightType f, int rows, int cols) {
    WeightMatrix m = quantized(f, rows, cols);
    int tokens = 300; // past a 128-token strip twice, with a ragged last strip
    float[] x = random(tokens * cols, 1f);
    float[] batch = new float[tokens * rows];
    m.multiply(x, tokens, batch, rows, 0, 0, rows);
    for (int t = 0; t < tokens; t++) {
      float[] alone = new float[rows];
      m.multiply(
          java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone, rows, 0, 0, rows);
      for (int r = 0; r < rows; r++) {
        assertEquals(
            Float.floatToRawIntBits(batch[t * rows + r]),
            Float.floatToRawIntBits(alone[r]),
            "token " + t + " row " + r);
      }
    }
    // Odd row ranges (as a thread split could hand out), written into a strided, offset output.
    float[] split = new float[tokens * (rows + 3)];
    for (int from = 0; from < rows; from += 3) {
      m.multiply(x, tokens, split, rows + 3, 2, from, Math.min(rows, from + 3));
    }
    for (int t = 0; t < tokens; t++) {
      for (int r = 0; r < rows; r++) {
        assertEquals(
            Float.floatToRawIntBits(batch[t * rows + r]),
            Float.floatToRawIntBits(split[t * (rows + 3) + 2 + r]),
            "token " + t + " row " + r);
      }
    }
  }

  /**
   * The kernel's contract stated in scalar code: each output is the FMA chain {@code c =
   * fma(w[r][k], x[t][k], c)} over k in order from +0, on the dequantized row, bit for bit.
   */
  @ParameterizedTest
  @MethodSource("shapes")
  void eachOutputIsTheInOrderFmaChainBitForBit(WeightType f, int rows, int cols) {
    WeightMatrix m = quantized(f, rows, cols);
    // 1, 8, 13, 16, 17, 24 and 32 tokens run along lanes: short strips of one or two vectors in
    // 16-, 8-row tiles (AVX-512) or one vector in 8-row tiles (AVX2, where 2 vectors take 4-row
    // tiles); 37 in 4-vector tiles too; 128 is one strip with AVX-512 (two with AVX2, which take
    // the rows-along-lanes path); 131 and 150 take the rows-along-lanes path (in 4- or 6-token
    // tiles; 131 leaves a ragged last tile of either).
    for (int tokens : new int[] {1, 8, 13, 16, 17, 24, 32, 37, 128, 131, 150}) {
      assertChainsMatch(f, m, rows, cols, tokens);
    }
  }

  private static void assertChainsMatch(
      WeightType f, WeightMatrix m, int rows, int cols, int tokens) {
    float[] x = random(tokens * cols, 1f);
    float[] actual = new float[tokens * rows];
    m.multiply(x, tokens, actual, rows, 0, 0, rows);
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      m.decodeRowScalar(r, row, 0);
      for (int t = 0; t < tokens; t++) {
        float c = 0f;
        for (int k = 0; k < cols; k++) {
          c = Math.fma(row[k], x[t * cols + k], c);
        }
        assertEquals(
            Float.floatToRawIntBits(c),
            Float.floatToRawIntBits(actual[t * rows + r]),
            "token " + t + " row " + r);
      }
    }
  }

  /**
   * A thread's buffers grow with the widest matrix it has multiplied: a 2304-wide product after a
   * 64-wide one (one token, then 40: a short and a long strip) on the same thread.
   */
  @Test
  void aWiderMatrixAfterANarrowOneOnTheSameThread() {
    for (int cols : new int[] {64, 2304, 64}) {
      WeightMatrix m = quantized(WeightType.Q8_0, 9, cols);
      for (int tokens : new int[] {1, 40}) {
        assertChainsMatch(WeightType.Q8_0, m, 9, cols, tokens);
      }
    }
  }

  @Test
  void rejectsMisSizedDataAndBadRows() {
    MemorySegment seg = MemorySegment.ofArray(new byte[34 * 3]);
    assertThrows(IllegalArgumentException.class, () -> new Q8_0Matrix(seg, 2, 32));
    assertThrows(IllegalArgumentException.class, () -> new Q8_0Matrix(seg, 3, 33));
    assertThrows(IllegalArgumentException.class, () -> new Q4_0Matrix(seg, 3, 32));
    WeightMatrix m = WeightType.Q8_0.matrix(seg, 3, 32);
    assertThrows(IndexOutOfBoundsException.class, () -> m.readRow(3, new float[32], 0));
    assertEquals(102, m.byteSize());
  }
}
