package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.TokenEmbeddings;
import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code embed --output-value token_embeddings} against {@link Embedder#embedTokens}. */
class TokenEmbeddingsCommandTest {

  private static final List<String> TEXTS = List.of("alpha", "the red planet 🚀", "b");

  private static String model;
  private static Embedder embedder;
  private static List<TokenEmbeddings> want;

  @BeforeAll
  static void load() {
    model = TinyModel.dir().toString();
    embedder = Embedder.load(TinyModel.dir());
    want = embedder.embedTokens(TEXTS, EmbedOptions.query());
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void jsonlHasIdsOffsetsAndVectorsPerText() throws IOException {
    var r =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--prompt",
            "query",
            "--output-value",
            "token_embeddings",
            TEXTS.get(0),
            TEXTS.get(1),
            TEXTS.get(2));
    assertEquals(0, r.exit(), r.toString());
    List<JsonNode> lines = OutputParsers.jsonLines(r.out());
    assertEquals(3, lines.size());
    for (int i = 0; i < 3; i++) {
      TokenEmbeddings t = want.get(i);
      JsonNode n = lines.get(i);
      assertEquals(t.size(), n.get("ids").size());
      for (int k = 0; k < t.size(); k++) {
        assertEquals(t.ids()[k], n.get("ids").get(k).intValue());
        assertEquals(
            t.starts()[k],
            n.get("starts").get(k).isNull() ? -1 : n.get("starts").get(k).intValue());
        assertEquals(
            t.ends()[k], n.get("ends").get(k).isNull() ? -1 : n.get("ends").get(k).intValue());
        assertArrayEquals(
            t.vector(k),
            OutputParsers.floats(n.get("embeddings").get(k)),
            "text " + i + " token " + k);
      }
    }
  }

  @Test
  void npyWritesTheMatrixAndInt64RowStarts(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("t.txt");
    Files.writeString(in, String.join("\n", TEXTS) + "\n", StandardCharsets.UTF_8);
    Path out = dir.resolve("tok.npy");
    var r =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--prompt",
            "query",
            "--output-value",
            "token_embeddings",
            "--input",
            in.toString(),
            "--output",
            out.toString());
    assertEquals(0, r.exit(), r.toString());
    List<float[]> rows = OutputParsers.npy(Files.readAllBytes(out));
    byte[] offsets = Files.readAllBytes(dir.resolve("tok.offsets.npy"));
    int headerLength = (offsets[8] & 0xFF) | (offsets[9] & 0xFF) << 8;
    String header = new String(offsets, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '<i8'") && header.contains("'shape': (4,)"), header);
    assertEquals(0, (10 + headerLength) % 64);
    assertEquals(10 + headerLength + 4 * 8, offsets.length);
    ByteBuffer b = ByteBuffer.wrap(offsets, 10 + headerLength, 32).order(ByteOrder.LITTLE_ENDIAN);
    long start = 0;
    for (int i = 0; i < 3; i++) {
      assertEquals(start, b.getLong());
      for (int k = 0; k < want.get(i).size(); k++) {
        assertArrayEquals(want.get(i).vector(k), rows.get((int) start + k));
      }
      start += want.get(i).size();
    }
    assertEquals(start, b.getLong());
    assertEquals(start, rows.size());
  }

  @Test
  void dimsPrecisionAndOtherFormatsAreRefused() {
    for (String[] extra :
        List.of(
            new String[] {"--dims", "32"},
            new String[] {"--precision", "binary"},
            new String[] {"--format", "csv"},
            new String[] {"--format", "npy"})) {
      String[] args = {
        "embed", "--model", model, "--output-value", "token_embeddings", extra[0], extra[1], "x"
      };
      var r = CliHarness.exec(args);
      assertEquals(2, r.exit(), String.join(" ", extra) + ": " + r);
    }
  }
}
