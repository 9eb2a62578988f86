package dev.gemmaembed.core.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.kernels.BlockFormat;
import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Dense check reads a quantized row only when one of its block scales is non-finite: it must
 * still name the first bad row and column, and the premise (finite scales give finite values) must
 * hold for every quantized format.
 */
class FiniteWeightsTest {

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final Path FILE = Path.of("dense.gguf");
  private static final short FP16_NAN = 0x7E00;
  private static final short FP16_MINUS_INF = (short) 0xFC00;
  private static final short FP16_MAX = 0x7BFF;

  /** A {@code rows × cols} matrix of {@code type} quantized from values in [-1, 1). */
  private static WeightMatrix quantized(WeightType type, int rows, int cols, Arena arena) {
    float[] values = new float[rows * cols];
    Random random = new Random(7);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat() * 2 - 1;
    }
    return type.quantize(F32Matrix.of(values, rows, cols), arena);
  }

  private static String refused(WeightMatrix m) {
    return assertThrows(
            CheckpointException.class,
            () -> FiniteWeights.checkDense(new DenseLayer(m, null, false), FILE, "dense_2", null))
        .getMessage();
  }

  @Test
  void aNonFiniteQ4_0OrQ8_0ScaleIsNamedByRowAndColumn() {
    try (Arena arena = Arena.ofConfined()) {
      for (WeightType type : List.of(WeightType.Q4_0, WeightType.Q8_0)) {
        WeightMatrix m = quantized(type, 5, 96, arena);
        assertDoesNotThrow(
            () -> FiniteWeights.checkDense(new DenseLayer(m, null, false), FILE, "d", null));
        long rowBytes = type.rowBytes(96);
        // row 3, block 2 (columns 64..95): its scale is the fp16 at the block's first byte
        m.data().set(LE_SHORT, 3 * rowBytes + 2L * type.blockBytes(), FP16_NAN);
        String msg = refused(m);
        assertTrue(
            msg.contains("tensor 'dense_2' holds NaN at row 3, column 64"), type + ": " + msg);
        // an earlier row with an infinite scale is the one named
        m.data().set(LE_SHORT, rowBytes, FP16_MINUS_INF);
        assertTrue(refused(m).contains("at row 1, column 0"), type + ": " + refused(m));
      }
    }
  }

  @Test
  void aNonFiniteFloatIsNamedByRowAndColumn() {
    float[] values = new float[4 * 33];
    values[2 * 33 + 31] = Float.POSITIVE_INFINITY;
    String msg = refused(F32Matrix.of(values, 4, 33));
    assertTrue(msg.contains("holds Infinity at row 2, column 31"), msg);
  }

  @Test
  void aNonFiniteBiasIsNamed() {
    float[] bias = {0f, Float.NaN};
    var layer = new DenseLayer(F32Matrix.of(new float[4], 2, 2), bias, false);
    var e =
        assertThrows(
            CheckpointException.class,
            () -> FiniteWeights.checkDense(layer, FILE, "linear.weight", "linear.bias"));
    assertEquals(
        "dense.gguf: tensor 'linear.bias' holds NaN at index 1: the file is damaged or was "
            + "converted wrongly (every vector would come out as NaN)",
        e.getMessage());
  }

  /**
   * Blocks of random bytes whose fp16 scales are random finite values, the largest included, decode
   * to finite values in every quantized format: the rule the check relies on to skip the decode.
   */
  @Test
  void finiteScalesGiveFiniteValuesInEveryQuantizedFormat() {
    List<WeightType> types = new ArrayList<>(List.of(WeightType.Q4_0, WeightType.Q8_0));
    List<int[]> scales = new ArrayList<>(List.of(new int[] {0}, new int[] {0}));
    for (BlockFormat f : BlockFormat.values()) {
      types.add(f.type());
      scales.add(f.scaleOffsets());
    }
    Random random = new Random(19);
    try (Arena arena = Arena.ofConfined()) {
      for (int i = 0; i < types.size(); i++) {
        WeightType type = types.get(i);
        int rows = 64;
        int cols = 2 * type.blockSize();
        MemorySegment data = arena.allocate(rows * type.rowBytes(cols));
        for (long b = 0; b < data.byteSize(); b++) {
          data.set(ValueLayout.JAVA_BYTE, b, (byte) random.nextInt());
        }
        for (long o = 0; o < data.byteSize(); o += type.blockBytes()) {
          for (int so : scales.get(i)) {
            short s = (short) random.nextInt(FP16_MAX + 1);
            data.set(LE_SHORT, o + so, random.nextBoolean() ? s : (short) (s | 0x8000));
          }
        }
        data.set(LE_SHORT, scales.get(i)[0], FP16_MAX);
        WeightMatrix m = type.matrix(data, rows, cols);
        assertDoesNotThrow(
            () -> FiniteWeights.checkDense(new DenseLayer(m, null, false), FILE, "d", null));
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
          m.readRow(r, row, 0);
          assertEquals(-1, FiniteWeights.firstNonFinite(row), type + " row " + r);
        }
      }
    }
  }
}
