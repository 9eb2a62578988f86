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

  /** {@code embed --model} the tiny model with {@code args}. */
  private static CliHarness.Result embed(String... args) {
    String[] full = new String[args.length + 3];
    full[0] = "embed";
    full[1] = "--model";
    full[2] = model;
    System.arraycopy(args, 0, full, 3, args.length);
    return CliHarness.exec(full);
  }

  /**
   * {@link #embed} of {@link #TEXTS} cut to 32 dimensions at {@code precision}, then {@code extra};
   * it must succeed.
   */
  private static CliHarness.Result embed32(Path dir, String precision, String... extra)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of("--input", texts(dir).toString(), "--dims", "32", "--precision", precision));
    args.addAll(List.of(extra));
    CliHarness.Result r = embed(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    return r;
  }

  /** An {@code .npy} file of float32 rows {@code width} wide. */
  private static void writeNpy(Path file, int width, List<float[]> rows) throws IOException {
    try (var ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      var sink = new NpySink(ch, width);
      for (int i = 0; i < rows.size(); i++) {
        sink.write(new InputRecord(i, "", null, null), rows.get(i));
      }
      sink.finish();
    }
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
      List<int[]> rows = integers(embed32(dir, p.label()).out());
      for (int i = 0; i < TEXTS.size(); i++) {
        assertEquals(4, rows.get(i).length); // 32 dimensions, 8 to a byte
        assertArrayEquals(expected(p, vectors32.get(i), null), rows.get(i), p + " text " + i);
      }
    }
  }

  @Test
  void int8WithoutCalibrationTakesTheRangeOfTheWholeInputAndWarns(@TempDir Path dir)
      throws IOException {
    var r = embed32(dir, "int8", "--batch-size", "1");
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
    writeNpy(cal, 32, vectors32);
    Path out = dir.resolve("u.npy");
    var r = embed32(dir, "uint8", "--calibration", cal.toString(), "--output", out.toString());
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
    embed32(dir, "binary", "--output", out.toString());
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
    var r = embed("--format", "bin", "alpha");
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
    var r = embed("--truncate-from", "left", text);
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
    var bad = embed("--truncate-from", "middle", "x");
    assertEquals(2, bad.exit(), bad.toString());
  }

  @Test
  void refusals(@TempDir Path dir) throws IOException {
    var odd = embed("--dims", "12", "--precision", "binary", "x");
    assertEquals(2, odd.exit(), odd.toString());
    assertTrue(odd.stderr().contains("multiple of 8, got 12"), odd.stderr());

    var unknown = embed("--precision", "int4", "x");
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(
        unknown.stderr().contains("expected one of float32, int8, uint8, binary, ubinary"),
        unknown.stderr());

    Path cal = dir.resolve("cal.jsonl");
    Files.writeString(cal, "{\"embedding\":[0.1,0.2]}\n{\"embedding\":[0.3,0.1]}\n");
    var width = embed("--precision", "int8", "--calibration", cal.toString(), "x");
    assertEquals(2, width.exit(), width.toString());
    assertTrue(
        width
            .stderr()
            .contains("the calibration embeddings have 2 dimensions but the output has 64"),
        width.stderr());

    Path nan = dir.resolve("nan.npy");
    writeNpy(nan, 2, List.of(new float[] {0f, Float.NaN}, new float[] {1f, 1f}));
    var withNan = embed("--precision", "uint8", "--calibration", nan.toString(), "x");
    assertEquals(4, withNan.exit(), withNan.toString());
    assertTrue(withNan.stderr().contains("row 0, dimension 1 is NaN"), withNan.stderr());
    assertEquals(1, withNan.stderr().strip().lines().count(), withNan.stderr());

    var single = embed("--precision", "int8", "x");
    assertEquals(4, single.exit(), single.toString());
    assertTrue(single.stderr().contains("needs at least 2"), single.stderr());

    var calWithoutInt = embed("--precision", "binary", "--calibration", cal.toString(), "x");
    assertEquals(2, calWithoutInt.exit(), calWithoutInt.toString());
  }
}
