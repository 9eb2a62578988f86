package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link BlockFormat}s (Q4_1, Q5_0, Q5_1, Q2_K … Q6_K, IQ4_NL, IQ4_XS) on random blocks (every
 * bit pattern of the quants, finite fp16 scales): the Vector API decoder against the scalar
 * reference bit for bit, each product as the in-order FMA chain over the decoded row, bitwise batch
 * / row-split invariance, and NaN / infinite scales rejected per row.
 */
class BlockFormatMatrixTest {

  private static final Random RNG = new Random(23);

  static MemorySegment randomBlocks(BlockFormat f, int rows, int cols) {
    byte[] bytes = new byte[(int) f.rowBytes(cols) * rows];
    RNG.nextBytes(bytes);
    MemorySegment s = MemorySegment.ofArray(bytes);
    for (long o = 0; o < bytes.length; o += f.blockBytes()) {
      for (int so : f.scaleOffsets()) {
        s.set(
            BlockFormat.LE_SHORT,
            o + so,
            Float.floatToFloat16((float) (RNG.nextGaussian() * 0.01)));
      }
    }
    return s;
  }

  static Stream<Arguments> shapes() {
    return Stream.of(BlockFormat.values())
        .flatMap(
            f -> {
              int bv = f.blockValues();
              return Stream.of(
                  Arguments.of(f, 1, bv),
                  Arguments.of(f, 7, 3 * bv),
                  Arguments.of(f, 33, bv == 32 ? 1152 : 768),
                  Arguments.of(f, 13, 5 * bv));
            });
  }

  static float[] random(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) RNG.nextGaussian();
    }
    return a;
  }

  /**
   * The Vector API decoder at the kernels' {@link VectorWidth} (the build runs this class at the
   * preferred width, at 256 bits and scalar) against the scalar reference, bit for bit, and the
   * matrix's scalar twin against it too.
   */
  @ParameterizedTest
  @MethodSource("shapes")
  void vectorDecodeEqualsTheScalarReference(BlockFormat f, int rows, int cols) {
    MemorySegment data = randomBlocks(f, rows, cols);
    float[] expected = new float[cols];
    float[] actual = new float[cols + 3];
    float[] twin = new float[cols];
    BlockFormatMatrix m = new BlockFormatMatrix(f, data, rows, cols);
    for (int r = 0; r < rows; r++) {
      f.dequantize(data, r * f.rowBytes(cols), cols, expected, 0);
      m.readRow(r, actual, 3);
      m.decodeRowScalar(r, twin, 0);
      for (int c = 0; c < cols; c++) {
        assertEquals(
            Float.floatToRawIntBits(expected[c]),
            Float.floatToRawIntBits(actual[3 + c]),
            f + " at " + VectorWidth.describe() + ", row " + r + " col " + c);
        assertEquals(Float.floatToRawIntBits(expected[c]), Float.floatToRawIntBits(twin[c]));
      }
    }
  }

  /**
   * Each output is {@code c = fma(w[r][k], x[t][k], c)} over k in order on the decoded row, for
   * both batch paths.
   */
  @ParameterizedTest
  @MethodSource("shapes")
  void eachOutputIsTheInOrderFmaChainBitForBit(BlockFormat f, int rows, int cols) {
    BlockFormatMatrix m = new BlockFormatMatrix(f, randomBlocks(f, rows, cols), rows, cols);
    for (int tokens : new int[] {5, 150}) {
      float[] x = random(tokens * cols);
      float[] actual = new float[tokens * rows];
      m.multiply(x, tokens, actual, rows, 0, 0, rows);
      float[] row = new float[cols];
      for (int r = 0; r < rows; r++) {
        f.dequantize(m.data(), r * f.rowBytes(cols), cols, row, 0);
        for (int t = 0; t < tokens; t++) {
          float c = 0f;
          for (int k = 0; k < cols; k++) {
            c = Math.fma(row[k], x[t * cols + k], c);
          }
          assertEquals(
              Float.floatToRawIntBits(c),
              Float.floatToRawIntBits(actual[t * rows + r]),
              f + " token " + t + " row " + r);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void resultsAreBitwiseIndependentOfBatchAndRowSplit(BlockFormat f, int rows, int cols) {
    BlockFormatMatrix m = new BlockFormatMatrix(f, randomBlocks(f, rows, cols), rows, cols);
    int tokens = 131;
    float[] x = random(tokens * cols);
    float[] batch = new float[tokens * rows];
    m.multiply(x, tokens, batch, rows, 0, 0, rows);
    float[] split = new float[tokens * (rows + 3)];
    for (int from = 0; from < rows; from += 3) {
      m.multiply(x, tokens, split, rows + 3, 2, from, Math.min(rows, from + 3));
    }
    for (int t = 0; t < tokens; t += 13) {
      float[] alone = new float[rows];
      m.multiply(Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone, rows, 0, 0, rows);
      for (int r = 0; r < rows; r++) {
        int bits = Float.floatToRawIntBits(batch[t * rows + r]);
        assertEquals(
            bits, Float.floatToRawIntBits(alone[r]), "token " + t + " row " + r + " alone");
        assertEquals(
            bits,
            Float.floatToRawIntBits(split[t * (rows + 3) + 2 + r]),
            "token " + t + " row " + r + " split");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(BlockFormat.class)
  void aNanOrInfiniteScaleIsRejectedWhenItsRowIsDecoded(BlockFormat f) {
    int cols = f.blockValues() * 2;
    for (short bad : new short[] {(short) 0x7E00, (short) 0x7C00, (short) 0xFC00}) {
      MemorySegment data = randomBlocks(f, 3, cols);
      int[] offsets = f.scaleOffsets();
      data.set(
          BlockFormat.LE_SHORT,
          f.rowBytes(cols) * 2 + f.blockBytes() + offsets[offsets.length - 1],
          bad);
      BlockFormatMatrix m = new BlockFormatMatrix(f, data, 3, cols);
      float[] row = new float[cols];
      m.readRow(0, row, 0);
      m.readRow(1, row, 0);
      var e = assertThrows(InvalidBlockException.class, () -> m.readRow(2, row, 0));
      assertTrue(e.getMessage().contains("row 2, block 1"), e.getMessage());
      assertEquals(1, f.firstNonFiniteScale(data, f.rowBytes(cols) * 2, 2));
      // a row that failed is checked again, not remembered as good
      assertThrows(InvalidBlockException.class, () -> m.readRow(2, row, 0));
    }
  }

  /**
   * Rows that passed are remembered a bit each (64 to a word): past the first word, a bad row still
   * fails every time, whatever its neighbours did.
   */
  @ParameterizedTest
  @EnumSource(BlockFormat.class)
  void aBadRowPastTheFirst64FailsEveryTime(BlockFormat f) {
    int cols = f.blockValues();
    int rows = 130;
    MemorySegment data = randomBlocks(f, rows, cols);
    data.set(BlockFormat.LE_SHORT, f.rowBytes(cols) * 129 + f.scaleOffsets()[0], (short) 0x7C00);
    BlockFormatMatrix m = new BlockFormatMatrix(f, data, rows, cols);
    float[] row = new float[cols];
    for (int pass = 0; pass < 2; pass++) {
      for (int r = 0; r < rows - 1; r++) {
        m.readRow(r, row, 0);
      }
      var e = assertThrows(InvalidBlockException.class, () -> m.readRow(129, row, 0));
      assertTrue(e.getMessage().contains("row 129, block 0"), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(BlockFormat.class)
  void rejectsRowsThatAreNotWholeBlocksAndMisSizedData(BlockFormat f) {
    int bv = f.blockValues();
    assertThrows(IllegalArgumentException.class, () -> f.rowBytes(bv + 16));
    MemorySegment seg = MemorySegment.ofArray(new byte[f.blockBytes() * 3]);
    assertThrows(IllegalArgumentException.class, () -> new BlockFormatMatrix(f, seg, 2, bv));
    assertEquals(3L * f.blockBytes(), new BlockFormatMatrix(f, seg, 3, bv).byteSize());
    assertEquals(ValueLayout.JAVA_BYTE.byteSize(), 1);
  }

  /**
   * The Q4_K scale and min fields that the vector decoder reads from two loads of the 12 packed
   * bytes (bytes 0–7 as a long, 8–11 as an int) equal the reference's byte-by-byte {@code
   * get_scale_min_k4}, for random packings (every bit of every byte set in some of them).
   */
  @Test
  void packedK4ScalesAndMinsMatchTheByteWiseReference() {
    MemorySegment packed = MemorySegment.ofArray(new byte[12]);
    byte[] bytes = new byte[12];
    for (int trial = 0; trial < 20_000; trial++) {
      RNG.nextBytes(bytes);
      MemorySegment.copy(MemorySegment.ofArray(bytes), 0, packed, 0, 12);
      long lo = packed.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
      int hi = packed.get(BlockFormat.LE_INT, 8);
      for (int j = 0; j < 8; j++) {
        assertEquals(BlockFormat.k4Scale(packed, 0, j), BlockVectorDecoder.k4Scale(lo, hi, j));
        assertEquals(BlockFormat.k4Min(packed, 0, j), BlockVectorDecoder.k4Min(lo, hi, j));
      }
    }
  }
}
