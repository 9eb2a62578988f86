package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.Precision;
import dev.gemmaembed.core.QuantizationRange;
import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code embed --precision/--calibration} and {@code --format bin} against core's {@link Precision}
 * on the library's vectors.
 */
class EmbedPrecisionTest {

  private static final List<String> TEXTS =
      List.of("alpha", "beta gamma", "the red planet", "a fourth, longer text here");

  private static String model;
  private static Embedder embedder;
  private static List<float[]> vectors32;

  @BeforeAll
  static void load() {
    model = TinyModel.dir().toString();
    embedder = Embedder.load(TinyModel.dir());
    vectors32 = embedder.embedAll(TEXTS, EmbedOptions.DEFAULT.withDimensions(32));
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  private static Path texts(Path dir) throws IOException {
    Path in = dir.resolve("t.txt");
    Files.writeString(in, String.join("\n", TEXTS) + "\n", StandardCharsets.UTF_8);
    return in;
  }

  private static List<int[]> integers(String jsonl) throws IOException {
    List<int[]> rows = new ArrayList<>();
    for (JsonNode line : OutputParsers.jsonLines(jsonl)) {
      JsonNode e = line.get("embedding");
      int[] v = new int[e.size()];
      for (int i = 0; i < v.length; i++) {
        assertTrue(e.get(i).isIntegralNumber(), "integers, got " + e.get(i));
        v[i] = e.get(i).intValue();
      }
      rows.add(v);
    }
    return rows;
  }

  private static int[] expected(Precision p, float[] v, QuantizationRange range) {
    byte[] b = p.quantize(v, range);
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = p.value(b[i]);
    }
    return out;
  }

  @Test
  void binaryJsonlHoldsThePackedSignsAfterTheMatryoshkaCut(@TempDir Path dir) throws IOException {
    for (Precision p : List.of(Precision.BINARY, Precision.UBINARY)) {
      var r =
          CliHarness.exec(
              "embed",
              "--model",
              model,
              "--input",
              texts(dir).toString(),
              "--dims",
              "32",
              "--precision",
              p.label());
      assertEquals(0, r.exit(), r.toString());
      List<int[]> rows = integers(r.out());
      for (int i = 0; i < TEXTS.size(); i++) {
        assertEquals(4, rows.get(i).length); // 32 dimensions, 8 to a byte
        assertArrayEquals(expected(p, vectors32.get(i), null), rows.get(i), p + " text " + i);
      }
    }
  }

  @Test
  void int8WithoutCalibrationTakesTheRangeOfTheWholeInputAndWarns(@TempDir Path dir)
      throws IOException {
    var r =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--input",
            texts(dir).toString(),
            "--dims",
            "32",
            "--precision",
            "int8",
            "--batch-size",
            "1");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(
        r.stderr().contains("range was taken from these 4 texts")
            && r.stderr().contains("fewer than 100"),
        r.stderr());
    QuantizationRange range = QuantizationRange.of(vectors32, "library");
    List<int[]> rows = integers(r.out());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertArrayEquals(
          expected(Precision.INT8, vectors32.get(i), range), rows.get(i), "text " + i);
    }
  }

  @Test
  void uint8NpyWithCalibrationFromAnNpyFile(@TempDir Path dir) throws IOException {
    Path cal = dir.resolve("cal.npy");
    // the calibration set: these vectors, so the range is theirs
    try (var ch = FileChannel.open(cal, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      var sink = new NpySink(ch, 32);
      for (float[] v : vectors32) {
        sink.write(new InputRecord(0, "", null, null), v);
      }
      sink.finish();
    }
    Path out = dir.resolve("u.npy");
    var r =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--input",
            texts(dir).toString(),
            "--dims",
            "32",
            "--precision",
            "uint8",
            "--calibration",
            cal.toString(),
            "--output",
            out.toString());
    assertEquals(0, r.exit(), r.toString());
    assertEquals("", r.stderr());
    byte[] bytes = Files.readAllBytes(out);
    String header = new String(bytes, 10, NpySink.HEADER_BYTES - 10, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '|u1'") && header.contains("'shape': (4, 32)"), header);
    QuantizationRange range = QuantizationRange.of(vectors32, "library");
    for (int i = 0; i < TEXTS.size(); i++) {
      byte[] row =
          Arrays.copyOfRange(
              bytes, NpySink.HEADER_BYTES + i * 32, NpySink.HEADER_BYTES + (i + 1) * 32);
      assertArrayEquals(Precision.UINT8.quantize(vectors32.get(i), range), row, "text " + i);
    }
  }

  @Test
  void binFormatHasItsDocumentedHeaderThenTheRows(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("v.bin");
    var r =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--input",
            texts(dir).toString(),
            "--dims",
            "32",
            "--precision",
            "binary",
            "--output",
            out.toString());
    assertEquals(0, r.exit(), r.toString());
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(16 + 4 * 4, b.remaining());
    byte[] magic = new byte[4];
    b.get(magic);
    assertEquals("GEMB", new String(magic, StandardCharsets.US_ASCII));
    assertEquals(1, b.get());
    assertEquals(3, b.get()); // binary
    assertEquals(0, b.getShort());
    assertEquals(32, b.getInt());
    assertEquals(4, b.getInt());
    for (float[] v : vectors32) {
      byte[] row = new byte[4];
      b.get(row);
      assertArrayEquals(Precision.BINARY.quantize(v, null), row);
    }
  }

  @Test
  void binFloat32RowsAreLittleEndianFloats() {
    var r = CliHarness.exec("embed", "--model", model, "--format", "bin", "alpha");
    assertEquals(0, r.exit(), r.toString());
    ByteBuffer b = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(16 + 64 * 4, b.remaining());
    assertEquals(0, b.get(5));
    assertEquals(64 * 4, b.getInt(12));
    float[] want = embedder.embed("alpha");
    for (int d = 0; d < 64; d++) {
      assertEquals(want[d], b.getFloat(16 + d * 4), "dimension " + d);
    }
  }

  @Test
  void truncateFromLeftKeepsTheEndOfALongText() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; b.length() < 12 * embedder.maxSeqLength(); i++) {
      b.append("w").append(i).append(' ');
    }
    String text = b.toString();
    var r = CliHarness.exec("embed", "--model", model, "--truncate-from", "left", text);
    assertEquals(0, r.exit(), r.toString());
    float[] want =
        embedder
            .embedTokenIds(
                List.of(
                    embedder
                        .prepare(
                            text, EmbedOptions.DEFAULT, dev.gemmaembed.core.Truncation.CUT_LEFT)
                        .ids()),
                0)
            .getFirst();
    assertArrayEquals(want, OutputParsers.jsonl(r.out()).getFirst());
    var bad = CliHarness.exec("embed", "--model", model, "--truncate-from", "middle", "x");
    assertEquals(2, bad.exit(), bad.toString());
  }

  @Test
  void refusals(@TempDir Path dir) throws IOException {
    var odd =
        CliHarness.exec("embed", "--model", model, "--dims", "12", "--precision", "binary", "x");
    assertEquals(2, odd.exit(), odd.toString());
    assertTrue(odd.stderr().contains("multiple of 8, got 12"), odd.stderr());

    var unknown = CliHarness.exec("embed", "--model", model, "--precision", "int4", "x");
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(
        unknown.stderr().contains("expected one of float32, int8, uint8, binary, ubinary"),
        unknown.stderr());

    Path cal = dir.resolve("cal.jsonl");
    Files.writeString(cal, "{\"embedding\":[0.1,0.2]}\n{\"embedding\":[0.3,0.1]}\n");
    var width =
        CliHarness.exec(
            "embed", "--model", model, "--precision", "int8", "--calibration", cal.toString(), "x");
    assertEquals(2, width.exit(), width.toString());
    assertTrue(
        width
            .stderr()
            .contains("the calibration embeddings have 2 dimensions but the output has 64"),
        width.stderr());

    Path nan = dir.resolve("nan.npy");
    try (var ch = FileChannel.open(nan, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      var sink = new NpySink(ch, 2);
      sink.write(new InputRecord(0, "", null, null), new float[] {0f, Float.NaN});
      sink.write(new InputRecord(1, "", null, null), new float[] {1f, 1f});
      sink.finish();
    }
    var withNan =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--precision",
            "uint8",
            "--calibration",
            nan.toString(),
            "x");
    assertEquals(4, withNan.exit(), withNan.toString());
    assertTrue(withNan.stderr().contains("row 0, dimension 1 is NaN"), withNan.stderr());
    assertEquals(1, withNan.stderr().strip().lines().count(), withNan.stderr());

    var single = CliHarness.exec("embed", "--model", model, "--precision", "int8", "x");
    assertEquals(4, single.exit(), single.toString());
    assertTrue(single.stderr().contains("needs at least 2"), single.stderr());

    var calWithoutInt =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--precision",
            "binary",
            "--calibration",
            cal.toString(),
            "x");
    assertEquals(2, calWithoutInt.exit(), calWithoutInt.toString());
  }
}
