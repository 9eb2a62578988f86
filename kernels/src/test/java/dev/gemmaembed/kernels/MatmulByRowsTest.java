package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Matmul#multiplyAll} over unpacked matrices (one loop of row ranges across q/k/v-like
 * matrices) gives each output bitwise what one matrix alone on one thread gives, at any thread
 * count; and a thread's transposed token strip, reused within one product, is never reused by the
 * next product on the same input array after its values changed.
 */
class MatmulByRowsTest {

  @RegisterExtension static final ThreadPools POOLS = new ThreadPools();

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 13, 16, 37, 150})
  void multiplyAllEqualsEachMatrixAlone(int tokens) {
    int cols = 96;
    WeightType[] types = {WeightType.Q4_0, WeightType.Q8_0, WeightType.Q4_0};
    int[] rows = {131, 64, 7};
    WeightMatrix[] ws = new WeightMatrix[types.length];
    for (int i = 0; i < ws.length; i++) {
      ws[i] = UnpackedMatrixTest.quantized(types[i], rows[i], cols);
    }
    float[] x = UnpackedMatrixTest.random(tokens * cols, 1f);
    float[][] expected = new float[ws.length][];
    for (int i = 0; i < ws.length; i++) {
      expected[i] = new float[tokens * rows[i]];
      ws[i].multiply(x, tokens, expected[i], rows[i], 0, 0, rows[i]);
    }
    for (ComputePool pool : POOLS) {
      // q and k share one output array at disjoint offsets, as EncoderPass lays them out
      float[] qk = new float[tokens * (rows[0] + rows[1])];
      float[] v = new float[tokens * rows[2]];
      Matmul.multiplyAll(
          pool, x, tokens, ws, new float[][] {qk, qk, v}, new int[] {0, tokens * rows[0], 0});
      float[][] got = {
        java.util.Arrays.copyOfRange(qk, 0, tokens * rows[0]),
        java.util.Arrays.copyOfRange(qk, tokens * rows[0], qk.length),
        v
      };
      for (int i = 0; i < ws.length; i++) {
        for (int e = 0; e < expected[i].length; e++) {
          assertEquals(
              Float.floatToRawIntBits(expected[i][e]),
              Float.floatToRawIntBits(got[i][e]),
              "matrix " + i + ", element " + e + ", " + pool.threads() + " threads");
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 16, 37})
  void aChangedInputIsTransposedAgain(int tokens) {
    int cols = 64;
    int rows = 200;
    WeightMatrix w = UnpackedMatrixTest.quantized(WeightType.Q8_0, rows, cols);
    float[][] inputs = new float[3][];
    float[][] expected = new float[3][];
    for (int round = 0; round < 3; round++) {
      inputs[round] = UnpackedMatrixTest.random(tokens * cols, 1f);
      expected[round] = new float[tokens * rows];
      w.multiply(inputs[round], tokens, expected[round], rows, 0, 0, rows);
    }
    float[] x = new float[tokens * cols];
    for (ComputePool pool : POOLS) {
      // back to back on one array with new values, as a layer's activation buffer is reused
      for (int round = 0; round < 3; round++) {
        System.arraycopy(inputs[round], 0, x, 0, x.length);
        float[] got = new float[tokens * rows];
        Matmul.multiply(pool, w, x, tokens, got);
        for (int e = 0; e < got.length; e++) {
          assertEquals(
              Float.floatToRawIntBits(expected[round][e]),
              Float.floatToRawIntBits(got[e]),
              "round " + round + ", element " + e + ", " + pool.threads() + " threads");
        }
      }
    }
  }
}
