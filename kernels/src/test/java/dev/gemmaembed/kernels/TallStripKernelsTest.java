package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The short-query tiles (8 rows × 1 token vector, 6 rows × 2) against the in-order FMA chain, bit
 * for bit, at odd widths, every row count up to the tile's (missing rows repeat the last one) and
 * every token count it covers; run at each vector width and on the scalar twin by the module's
 * surefire executions.
 */
class TallStripKernelsTest {

  private static final Random RNG = new Random(18);

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 31, 33, 768, 1153})
  void everyOutputIsTheInOrderFmaChain(int cols) {
    int l = PanelKernels.L;
    for (int n = 1; n <= 2 * l; n++) {
      float[] x = UnpackedMatrixTest.random(n * cols, 1f);
      float[] xT = new float[PanelKernels.GROUP * cols];
      PanelKernels.transpose(x, 0, n, cols, xT);
      for (int nRows = 1; nRows <= TallStripKernels.rows(n); nRows++) {
        float[] w = UnpackedMatrixTest.random(nRows * cols, 0.05f);
        int stride = nRows + 3;
        int t0 = RNG.nextInt(3);
        float[] out = new float[(t0 + n) * stride];
        float[] scratch = new float[12 * l];
        TallStripKernels.multiplyStrip(xT, n, cols, w, nRows, out, stride, 2, t0, scratch);
        for (int t = 0; t < n; t++) {
          for (int r = 0; r < nRows; r++) {
            float c = 0f;
            for (int k = 0; k < cols; k++) {
              c = Math.fma(w[r * cols + k], x[t * cols + k], c);
            }
            assertEquals(
                Float.floatToRawIntBits(c),
                Float.floatToRawIntBits(out[(t0 + t) * stride + 2 + r]),
                VectorWidth.describe()
                    + " "
                    + n
                    + " tokens, "
                    + nRows
                    + " rows, t "
                    + t
                    + " r "
                    + r);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 8, 9, 16, 17})
  void coversUpToTwoVectorsOfTokens(int n) {
    int l = PanelKernels.L;
    int expected =
        n <= l ? TallStripKernels.ROWS_ONE_VECTOR : n <= 2 * l ? TallStripKernels.ROWS : 0;
    assertEquals(expected, TallStripKernels.rows(n));
  }
}
