package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A token's products and attention outputs are bitwise the same alone as inside batches of any
 * size, at any position (first/middle/last tile, tail tokens), with 1, 2 or 3 threads.
 */
class BatchInvarianceTest {

  private static final Random RNG = new Random(7);
  @RegisterExtension static final ThreadPools POOLS = new ThreadPools();

  @Test
  void matmulRowOfAToken() {
    int cols = 1153;
    for (int rows : new int[] {37, 256, 300}) {
      for (WeightMatrix m :
          SimdVsScalarTest.allFormats(SimdVsScalarTest.random(rows * cols), rows, cols)) {
        float[] token = SimdVsScalarTest.random(cols);
        float[] alone = new float[rows];
        Matmul.multiply(POOLS.single(), m, token, 1, alone);
        for (int batch : new int[] {2, 3, 4, 5, 8, 9, 17, 64, 130}) {
          for (ComputePool pool : POOLS) {
            int at = RNG.nextInt(batch);
            float[] x = SimdVsScalarTest.random(batch * cols);
            System.arraycopy(token, 0, x, at * cols, cols);
            float[] out = new float[batch * rows];
            Matmul.multiply(pool, m, x, batch, out);
            float[] got = Arrays.copyOfRange(out, at * rows, (at + 1) * rows);
            assertBitwise(
                alone,
                got,
                m.getClass().getSimpleName()
                    + " "
                    + rows
                    + " rows, token "
                    + at
                    + " of "
                    + batch
                    + ", "
                    + pool.threads()
                    + " threads");
          }
        }
      }
    }
  }

  /**
   * Groups of 3 (EmbeddingGemma), 2 (EmbeddingGemma 2's sliding layers: two queries with the same
   * window share a 4-row tile) and 1 (four queries per tile): how queries are tiled must not show.
   */
  @ParameterizedTest
  @CsvSource({"3, 1", "4, 2", "2, 2"})
  void attentionOfASequence(int heads, int kvHeads) {
    int d = 64;
    int qs = heads * d;
    int kvs = kvHeads * d;
    for (int radius : new int[] {-1, 5, 40, 80}) {
      int len = 75;
      float[] q1 = SimdVsScalarTest.random(len * qs);
      float[] k1 = SimdVsScalarTest.random(len * kvs);
      float[] v1 = SimdVsScalarTest.random(len * kvs);
      float[] alone = new float[len * qs];
      new BatchAttention(heads, kvHeads, d)
          .run(
              POOLS.single(), q1, k1, v1, new int[] {0}, new int[] {len}, 1, radius, 0.125f, alone);
      for (int[] others : new int[][] {{1}, {40, 3}, {130, 9, 64}}) {
        for (ComputePool pool : POOLS) {
          // the sequence sits after the others
          int before = Arrays.stream(others).sum();
          int total = before + len;
          float[] q = SimdVsScalarTest.random(total * qs);
          float[] k = SimdVsScalarTest.random(total * kvs);
          float[] v = SimdVsScalarTest.random(total * kvs);
          System.arraycopy(q1, 0, q, before * qs, len * qs);
          System.arraycopy(k1, 0, k, before * kvs, len * kvs);
          System.arraycopy(v1, 0, v, before * kvs, len * kvs);
          int n = others.length + 1;
          int[] start = new int[n];
          int[] length = new int[n];
          for (int s = 0, t = 0; s < n; s++) {
            start[s] = t;
            length[s] = s < others.length ? others[s] : len;
            t += length[s];
          }
          float[] out = new float[total * qs];
          new BatchAttention(heads, kvHeads, d)
              .run(pool, q, k, v, start, length, n, radius, 0.125f, out);
          assertBitwise(
              alone,
              Arrays.copyOfRange(out, before * qs, total * qs),
              heads
                  + "/"
                  + kvHeads
                  + " heads, radius "
                  + radius
                  + " after "
                  + Arrays.toString(others)
                  + ", "
                  + pool.threads()
                  + " threads");
        }
      }
    }
  }

  @Test
  void attentionInPlaceOverTheQueries() {
    int d = 32;
    for (int[] heads : new int[][] {{3, 1}, {4, 2}}) {
      int qs = heads[0] * d;
      int kvs = heads[1] * d;
      int[] start = {0, 7, 80};
      int[] length = {7, 73, 40};
      int total = 120;
      for (int radius : new int[] {-1, 6}) {
        for (ComputePool pool : POOLS) {
          float[] q = SimdVsScalarTest.random(total * qs);
          float[] k = SimdVsScalarTest.random(total * kvs);
          float[] v = SimdVsScalarTest.random(total * kvs);
          float[] out = new float[total * qs];
          new BatchAttention(heads[0], heads[1], d)
              .run(pool, q, k, v, start, length, 3, radius, 0.2f, out);
          new BatchAttention(heads[0], heads[1], d)
              .run(pool, q, k, v, start, length, 3, radius, 0.2f, q);
          assertBitwise(
              out,
              q,
              heads[0]
                  + "/"
                  + heads[1]
                  + " heads, radius "
                  + radius
                  + ", "
                  + pool.threads()
                  + " threads");
        }
      }
    }
  }

  private static void assertBitwise(float[] want, float[] got, String what) {
    for (int i = 0; i < want.length; i++) {
      assertEquals(
          Float.floatToRawIntBits(want[i]),
          Float.floatToRawIntBits(got[i]),
          what + ", element " + i);
    }
  }
}
