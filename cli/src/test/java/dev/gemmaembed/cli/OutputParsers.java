package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads every output format back, exactly: numbers are parsed from their text as floats. */
final class OutputParsers {

  /** Big decimals keep each number's digits, so Float.parseFloat sees exactly what was written. */
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private OutputParsers() {}

  static List<JsonNode> jsonLines(String out) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isEmpty()) {
        rows.add(JSON.readTree(line));
      }
    }
    return rows;
  }

  static float[] floats(JsonNode array) {
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.parseFloat(array.get(i).decimalValue().toString());
    }
    return v;
  }

  static List<float[]> jsonl(String out) throws IOException {
    List<float[]> vectors = new ArrayList<>();
    int index = 0;
    for (JsonNode row : jsonLines(out)) {
      assertEquals(index++, row.get("index").asInt());
      vectors.add(floats(row.get("embedding")));
    }
    return vectors;
  }

  static List<float[]> json(String out) throws IOException {
    JsonNode array = JSON.readTree(out);
    assertTrue(array.isArray(), out);
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      assertEquals(i, array.get(i).get("index").asInt());
      vectors.add(floats(array.get(i).get("embedding")));
    }
    return vectors;
  }

  /** A CSV without an id column: index,d0,d1,… */
  static List<float[]> csv(String out) {
    String[] lines = out.split("\n");
    String[] header = lines[0].split(",");
    assertEquals("index", header[0]);
    assertEquals("d0", header[1]);
    List<float[]> vectors = new ArrayList<>();
    for (int r = 1; r < lines.length; r++) {
      String[] cells = lines[r].split(",");
      assertEquals(header.length, cells.length);
      assertEquals(r - 1, Integer.parseInt(cells[0]));
      float[] v = new float[cells.length - 1];
      for (int i = 0; i < v.length; i++) {
        v[i] = Float.parseFloat(cells[i + 1]);
      }
      vectors.add(v);
    }
    return vectors;
  }

  private static final Pattern NPY_DICT =
      Pattern.compile(
          "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\((\\d+), (\\d+)\\), } *\n");

  /** An NPY 1.0 float32 matrix, its header checked as numpy.lib.format reads it. */
  static List<float[]> npy(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals((byte) 0x93, b.get());
    byte[] magic = new byte[5];
    b.get(magic);
    assertEquals("NUMPY", new String(magic, StandardCharsets.US_ASCII));
    assertEquals(1, b.get(), "major version");
    assertEquals(0, b.get(), "minor version");
    int headerLength = Short.toUnsignedInt(b.getShort());
    int dataStart = 10 + headerLength;
    assertEquals(0, dataStart % 64, "data must start at a multiple of 64 bytes");
    String dict = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    Matcher m = NPY_DICT.matcher(dict);
    assertTrue(m.matches(), dict);
    int rows = Integer.parseInt(m.group(1));
    int cols = Integer.parseInt(m.group(2));
    assertEquals(dataStart + (long) rows * cols * 4, bytes.length, "file size");
    b.position(dataStart);
    List<float[]> vectors = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      float[] v = new float[cols];
      for (int c = 0; c < cols; c++) {
        v[c] = b.getFloat();
      }
      vectors.add(v);
    }
    return vectors;
  }

  static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
