package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reference quantizers' rounding rules, on blocks whose expected bytes are worked out by hand.
 */
class QuantizerTest {

  private static final WeightType[] QUANTIZABLE = {WeightType.Q8_0, WeightType.Q4_0};

  private static byte[] quantize(WeightType f, float[] x) {
    byte[] out = new byte[x.length / 32 * f.blockBytes()];
    f.quantize(x, 0, x.length, MemorySegment.ofArray(out), 0);
    return out;
  }

  /** The scalar reference decode of {@code n} values of blocks {@code q}. */
  private static float[] dequantize(WeightType f, byte[] q, int n) {
    WeightMatrix m = f.matrix(MemorySegment.ofArray(q), n / 32, 32);
    float[] out = new float[n];
    for (int r = 0; r < n / 32; r++) {
      m.decodeRowScalar(r, out, r * 32);
    }
    return out;
  }

  private static float scale(byte[] block) {
    return Float.float16ToFloat(MemorySegment.ofArray(block).get(WeightMatrix.LE_SHORT, 0));
  }

  @Test
  void q8_0RoundsHalvesAwayFromZeroLikeCRoundf() {
    float[] x = new float[32];
    x[0] = 127f; // amax 127 → d = 1, id = 1: q = roundf(x)
    x[1] = 2.5f;
    x[2] = -2.5f;
    x[3] = 0.49999997f; // float32 0.49999997 + 0.5 rounds to 1.0; roundf still gives 0
    x[4] = -126.5f;
    byte[] q = quantize(WeightType.Q8_0, x);
    assertEquals(1f, scale(q));
    assertEquals(127, q[2]);
    assertEquals(3, q[3]);
    assertEquals(-3, q[4]);
    assertEquals(0, q[5]);
    assertEquals(-127, q[6]);
  }

  @Test
  void q8_0MultipliesByTheReciprocalAndStoresAnFp16Scale() {
    Random rng = new Random(7);
    float[] x = new float[64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian() * 0.05f;
    }
    byte[] q = quantize(WeightType.Q8_0, x);
    for (int b = 0; b < 2; b++) {
      float amax = 0;
      for (int j = 0; j < 32; j++) {
        amax = Math.max(amax, Math.abs(x[b * 32 + j]));
      }
      float d = amax / 127f;
      float id = 1f / d;
      assertEquals(
          Float.floatToFloat16(d), MemorySegment.ofArray(q).get(WeightMatrix.LE_SHORT, b * 34L));
      for (int j = 0; j < 32; j++) {
        float v = x[b * 32 + j] * id;
        int expected = (int) (v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5));
        assertEquals(expected, q[b * 34 + 2 + j], "block " + b + " element " + j);
      }
    }
  }

  @Test
  void q4_0UsesTheSignedMaxOverMinusEightAndTruncates() {
    float[] x = new float[32];
    x[0] = -8f; // the largest magnitude, negative: d = -8 / -8 = 1, id = 1
    x[1] = 7f; // 7 + 8.5 = 15.5 → 15
    x[2] = 7.6f; // 16.1 → 16 → capped at 15
    x[3] = -0.5f; // 8.0 → 8
    x[4] = -0.6f; // 7.9 → 7
    x[16] = 3.4f; // 11.9 → 11, high nibble of byte 0
    x[17] = -7.9f; // 0.6 → 0
    byte[] q = quantize(WeightType.Q4_0, x);
    assertEquals(1f, scale(q));
    assertEquals(0 | 11 << 4, q[2] & 0xFF);
    assertEquals(15 | 0 << 4, q[3] & 0xFF);
    assertEquals(15 | 8 << 4, q[4] & 0xFF, "byte 2: element 2 and element 18 (zero → 8)");
    assertEquals(8 | 8 << 4, q[5] & 0xFF);
    assertEquals(7 | 8 << 4, q[6] & 0xFF);
  }

  @Test
  void q4_0TakesTheFirstOfEqualMagnitudes() {
    float[] x = new float[32];
    x[5] = 3f;
    x[9] = -3f;
    assertEquals(-0.375f, scale(quantize(WeightType.Q4_0, x)), "3 comes first: d = 3 / -8");
    x[5] = -3f;
    x[9] = 3f;
    assertEquals(0.375f, scale(quantize(WeightType.Q4_0, x)));
  }

  @Test
  void fp16ScaleRoundsToNearestEven() {
    // 1 + 2^-11 lies exactly between two fp16 values (1 and 1 + 2^-10): ties go to the even one, 1.
    float[] x = new float[32];
    x[0] = (1f + 0x1p-11f) * 127f;
    assertEquals(1f, scale(quantize(WeightType.Q8_0, x)), 0f);
  }

  @Test
  void zeroBlocksHaveAZeroScaleAndDecodeToZero() {
    float[] x = new float[32];
    for (WeightType f : QUANTIZABLE) {
      byte[] q = quantize(f, x);
      assertEquals(0f, Math.abs(scale(q)), "Q4_0 stores -0 (0 / -8), as C does");
      float[] back = dequantize(f, q, 32);
      assertArrayEquals(x, back, 0f);
    }
  }

  @Test
  void roundTripErrorIsBoundedByHalfAStep() {
    Random rng = new Random(3);
    float[] x = new float[32 * 9];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (WeightType f : QUANTIZABLE) {
      byte[] q = quantize(f, x);
      float[] back = dequantize(f, q, x.length);
      for (int b = 0; b < 9; b++) {
        float d =
            Math.abs(
                Float.float16ToFloat(
                    MemorySegment.ofArray(q)
                        .get(WeightMatrix.LE_SHORT, (long) b * f.blockBytes())));
        for (int j = 0; j < 32; j++) {
          int i = b * 32 + j;
          // Q8_0: half a step; Q4_0: a full step (the largest magnitude maps to -8, so its opposite
          // side clips at +7); plus the fp16 rounding of d (≤ 2^-11 relative) times the largest
          // level.
          float steps = f == WeightType.Q8_0 ? 0.5f : 1f;
          float levels = f == WeightType.Q8_0 ? 127 : 8;
          assertEquals(
              x[i], back[i], d * steps + d * 0x1p-11f * levels + 1e-6f, f + " element " + i);
        }
      }
    }
  }

  @Test
  void rejectsNonFiniteValuesAndPartialBlocks() {
    float[] x = new float[32];
    x[3] = Float.NaN;
    MemorySegment dst = MemorySegment.ofArray(new byte[34]);
    assertThrows(IllegalArgumentException.class, () -> WeightType.Q8_0.quantize(x, 0, 32, dst, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> WeightType.Q8_0.quantize(new float[40], 0, 40, dst, 0));
    assertThrows(IllegalArgumentException.class, () -> WeightType.Q4_0.rowBytes(48));
    assertThrows(
        IllegalArgumentException.class,
        () -> WeightType.F16.quantize(new float[32], 0, 32, dst, 0));
  }

  @Test
  void rowBytesMatchTheSpec() {
    assertEquals(816, WeightType.Q8_0.rowBytes(768));
    assertEquals(432, WeightType.Q4_0.rowBytes(768));
    assertEquals(ValueLayout.JAVA_SHORT.byteSize() + 32, WeightType.Q8_0.blockBytes());
    assertEquals(3072, WeightType.F32.rowBytes(768));
    assertEquals(1536, WeightType.BF16.rowBytes(768));
  }

  @Test
  void namesAndGgmlIdsMapToTypes() {
    assertEquals(WeightType.Q4_0, WeightType.parse("q4_0"));
    assertEquals(WeightType.BF16, WeightType.parse("BF16"));
    assertEquals(WeightType.Q8_0, WeightType.byGgmlId(8));
    assertEquals(WeightType.BF16, WeightType.byGgmlId(30));
    assertEquals(null, WeightType.byGgmlId(31));
    assertThrows(IllegalArgumentException.class, () -> WeightType.parse("q9_9"));
    assertThrows(
        IllegalArgumentException.class,
        () -> WeightType.TQ1_0.matrix(MemorySegment.ofArray(new byte[54]), 1, 256));
    for (WeightType t : WeightType.values()) {
      assertEquals(t, WeightType.byGgmlId(t.ggmlId()), t.name());
    }
  }
}
