package dev.gemmaembed.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class PrecisionTest {

  /** Dimension 0 spans 0..255 (step exactly 1); dimension 1 spans −1..1 (step 2/255 in float32). */
  private static final QuantizationRange RANGE =
      QuantizationRange.of(List.of(new float[] {0f, -1f}, new float[] {255f, 1f}), "test");

  // Expected values computed by hand and confirmed with numpy 2.4 on float32 arrays:
  // (x - min) / step for dimension 1 gives 127.49999 at 0 and 254.99998 at the top of the range.
  @Test
  void uint8TruncatesTheLevelTowardZero() {
    assertArrayEquals(new int[] {0, 127}, values(Precision.UINT8, 0.5f, 0f));
    assertArrayEquals(
        new int[] {255, 254}, values(Precision.UINT8, 255f, 1f)); // max: 254.99998 → 254
    assertArrayEquals(new int[] {0, 0}, values(Precision.UINT8, 0f, -1f)); // min
    assertArrayEquals(new int[] {127, 165}, values(Precision.UINT8, 127.9f, 0.3f));
  }

  @Test
  void int8IsNotUint8Minus128() {
    assertArrayEquals(
        new int[] {-127, 0}, values(Precision.INT8, 0.5f, 0f)); // -127.5 → -127; -0.50001 → 0
    assertArrayEquals(new int[] {127, 126}, values(Precision.INT8, 255f, 1f));
    assertArrayEquals(new int[] {-128, -128}, values(Precision.INT8, 0f, -1f));
    assertArrayEquals(new int[] {0, -38}, values(Precision.INT8, 128.5f, -0.3f));
  }

  @Test
  void valuesOutsideTheRangeAreClampedToTheTypesBounds() {
    assertArrayEquals(new int[] {0, 0}, values(Precision.UINT8, -3f, -7f));
    assertArrayEquals(new int[] {255, 255}, values(Precision.UINT8, 300f, 1.5f));
    assertArrayEquals(new int[] {-128, -128}, values(Precision.INT8, -3f, -7f));
    assertArrayEquals(new int[] {127, 127}, values(Precision.INT8, 1e30f, 1.5f));
  }

  @Test
  void binaryPacksSignsMostSignificantBitFirstAndZeroIsNotPositive() {
    float[] v = {0.1f, -0.2f, 0f, -0f, 1f, 1f, -1f, 0.5f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f};
    // 1000 1101 = 141, 1111 1111 = 255; binary: minus 128 as int8
    assertArrayEquals(new byte[] {(byte) 141, (byte) 255}, Precision.UBINARY.quantize(v, null));
    assertArrayEquals(new byte[] {13, 127}, Precision.BINARY.quantize(v, null));
    assertArrayEquals(new byte[] {-128}, Precision.BINARY.quantize(new float[8], null));
    assertEquals(141, Precision.UBINARY.value((byte) 141));
    assertEquals(13, Precision.BINARY.value((byte) 13));
  }

  @Test
  void float32IsLittleEndianBytes() {
    assertArrayEquals(
        new byte[] {0, 0, (byte) 0x80, 0x3f}, Precision.FLOAT32.quantize(new float[] {1f}, null));
  }

  @Test
  void binaryNeedsAMultipleOf8() {
    var e =
        assertThrows(
            InvalidOptionException.class, () -> Precision.BINARY.quantize(new float[12], null));
    assertEquals(InvalidOptionException.Option.PRECISION, e.option());
    assertTrue(e.getMessage().contains("multiple of 8, got 12"), e.getMessage());
    Precision.INT8.checkWidth(12);
  }

  @Test
  void sizes() {
    assertEquals(32, Precision.BINARY.bytes(256));
    assertEquals(256, Precision.INT8.bytes(256));
    assertEquals(1024, Precision.FLOAT32.bytes(256));
  }

  @Test
  void parseIsCaseInsensitiveAndListsTheNames() {
    assertEquals(Precision.UBINARY, Precision.parse("UBinary"));
    var e = assertThrows(InvalidOptionException.class, () -> Precision.parse("int4"));
    assertTrue(e.getMessage().contains("float32, int8, uint8, binary, ubinary"), e.getMessage());
  }

  @Test
  void rangeRefusals() {
    assertTrue(
        assertThrows(
                InvalidInputException.class,
                () -> QuantizationRange.of(List.of(new float[2]), "the input"))
            .getMessage()
            .contains("at least 2"));
    assertTrue(
        assertThrows(
                InvalidInputException.class,
                () ->
                    QuantizationRange.of(
                        List.of(new float[] {0, Float.NaN}, new float[] {1, 1}), "cal.npy"))
            .getMessage()
            .contains("cal.npy: row 0, dimension 1 is NaN"));
    assertTrue(
        assertThrows(
                InvalidInputException.class,
                () -> QuantizationRange.of(List.of(new float[] {0, 2}, new float[] {1, 2}), "x"))
            .getMessage()
            .contains("dimension 1 has the same value"));
    assertTrue(
        assertThrows(
                InvalidInputException.class,
                () -> QuantizationRange.of(List.of(new float[] {0, 2}, new float[] {1}), "x"))
            .getMessage()
            .contains("row 1 has 1 values"));
    var e = assertThrows(InvalidOptionException.class, () -> RANGE.requireWidth(3));
    assertTrue(e.getMessage().contains("have 2 dimensions but the output has 3"), e.getMessage());
  }

  /** Bytes numpy made (scripts/make-precision-fixture.py), including ties at 0 and range ends. */
  @Test
  void matchesTheNumpyFixtureExactly() throws IOException {
    JsonNode root;
    try (InputStream in =
        new GZIPInputStream(
            PrecisionTest.class.getResourceAsStream("/precision/quantize.json.gz"))) {
      root = new ObjectMapper().readTree(in);
    }
    QuantizationRange range = QuantizationRange.of(floats(root.get("calibration")), "calibration");
    List<float[]> vectors = floats(root.get("vectors"));
    for (Precision p :
        List.of(Precision.INT8, Precision.UINT8, Precision.BINARY, Precision.UBINARY)) {
      JsonNode expected = root.get(p.label());
      for (int r = 0; r < vectors.size(); r++) {
        byte[] got = p.quantize(vectors.get(r), range);
        JsonNode row = expected.get(r);
        assertEquals(row.size(), got.length, p + " row " + r);
        for (int d = 0; d < got.length; d++) {
          assertEquals(row.get(d).intValue(), p.value(got[d]), p + " row " + r + " byte " + d);
        }
      }
    }
  }

  private static List<float[]> floats(JsonNode rows) {
    List<float[]> out = new ArrayList<>();
    for (JsonNode row : rows) {
      float[] v = new float[row.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) row.get(i).doubleValue();
      }
      out.add(v);
    }
    return out;
  }

  private static int[] values(Precision p, float... v) {
    byte[] b = p.quantize(v, RANGE);
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = p.value(b[i]);
    }
    return out;
  }
}
