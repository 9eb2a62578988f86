package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import dev.gemmaembed.tools.GgufQuantizeTool;
import dev.gemmaembed.tools.QuantType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
  private static final String HELLO = "{\"ids\":[2,9259,236764,1902,236888,1]}";

  @Test
  void textsFromArgumentsWithBundledTokenizer() {
    var r = CliHarness.exec("tokenize", "Hello, world!", "a", "");
    assertEquals(0, r.exit(), r.stderr());
    assertEquals(HELLO + "\n{\"ids\":[2,236746,1]}\n{\"ids\":[2,1]}\n", r.out());
  }

  @Test
  void noSpecial() {
    var r = CliHarness.exec("tokenize", "--no-special", "Hello, world!");
    assertEquals(0, r.exit(), r.stderr());
    assertEquals("{\"ids\":[9259,236764,1902,236888]}\n", r.out());
  }

  @Test
  void txtAndJsonlFiles(@TempDir Path dir) throws IOException {
    Path txt = dir.resolve("in.txt");
    // CRLF line, an empty line, a malformed UTF-8 byte (becomes U+FFFD), no final newline
    byte[] bytes = "Hello, world!\r\n\nx\u00FFy".getBytes(StandardCharsets.ISO_8859_1);
    bytes[bytes.length - 2] = (byte) 0xFF;
    Files.write(txt, bytes);
    var r = CliHarness.exec("tokenize", "--input", txt.toString());
    assertEquals(0, r.exit(), r.stderr());
    String[] lines = r.out().split("\n");
    assertEquals(3, lines.length, r.out());
    assertEquals(HELLO, lines[0]);
    assertEquals("{\"ids\":[2,1]}", lines[1]);
    assertEquals(ids(GemmaTokenizer.bundledGemma3().encode("x\uFFFDy")), lines[2]);

    Path jsonl = dir.resolve("in.jsonl");
    Files.writeString(jsonl, "{\"id\":1,\"text\":\"Hello, world!\"}\n\n{\"text\":\"a\"}\n");
    var j = CliHarness.exec("tokenize", "--input", jsonl.toString());
    assertEquals(0, j.exit(), j.stderr());
    assertEquals(HELLO + "\n{\"ids\":[2,236746,1]}\n", j.out());

    Path other = dir.resolve("texts.data");
    Files.writeString(other, "{\"text\":\"a\"}\n");
    var forced =
        CliHarness.exec(
            "tokenize", "--input", other.toString(), "--input-format", "jsonl", "--no-special");
    assertEquals("{\"ids\":[236746]}\n", forced.out());
  }

  @Test
  void stdinDefaultsToTxt() {
    var r = CliHarness.run().stdin("Hello, world!\na\n").exec("tokenize", "--input", "-");
    assertEquals(0, r.exit(), r.stderr());
    assertEquals(HELLO + "\n{\"ids\":[2,236746,1]}\n", r.out());
  }

  @Test
  void aLineOverTheCapIsCutWithAWarning(@TempDir Path dir) throws IOException {
    Path txt = dir.resolve("long.txt");
    Files.writeString(txt, "a".repeat(TxtSource.MAX_LINE_CHARS + 10) + "\nb\n");
    var r = CliHarness.exec("tokenize", "--no-special", "--input", txt.toString());
    assertEquals(0, r.exit(), r.stderr());
    assertTrue(
        r.stderr().contains("long.txt:1: the line is longer than " + TxtSource.MAX_LINE_CHARS),
        r.stderr());
    String[] lines = r.out().split("\n");
    assertEquals(2, lines.length);
    assertEquals(
        ids(GemmaTokenizer.bundledGemma3().encode("a".repeat(TxtSource.MAX_LINE_CHARS), false)),
        lines[0]);
  }

  private static String ids(int[] a) {
    StringBuilder b = new StringBuilder("{\"ids\":[");
    for (int i = 0; i < a.length; i++) {
      b.append(i > 0 ? "," : "").append(a[i]);
    }
    return b.append("]}").toString();
  }

  private static Path modelDir(Path dir, boolean addEos) throws IOException {
    try (InputStream in = GemmaTokenizer.class.getResourceAsStream("gemma3/tokenizer.json.gz")) {
      Files.write(dir.resolve("tokenizer.json"), new GZIPInputStream(in).readAllBytes());
    }
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"add_bos_token\": true, \"add_eos_token\": " + addEos + "}");
    return dir;
  }

  @Test
  void modelDirectoryTokenizerFileAndEnvironment(@TempDir Path dir) throws IOException {
    modelDir(dir, false); // a config that drops <eos>, so the source is visible in the output
    String bosOnly = "{\"ids\":[2,9259,236764,1902,236888]}\n";
    assertEquals(
        bosOnly, CliHarness.exec("tokenize", "--model", dir.toString(), "Hello, world!").out());
    assertEquals(
        bosOnly,
        CliHarness.exec(
                "tokenize",
                "--tokenizer",
                dir.resolve("tokenizer.json").toString(),
                "Hello, world!")
            .out());
    assertEquals(
        bosOnly,
        CliHarness.run()
            .env(ModelLocator.ENV, dir.toString())
            .exec("tokenize", "Hello, world!")
            .out());
  }

  @Test
  void aGgufModelGivesTheSameIdsAsItsFolder(@TempDir Path dir) throws IOException {
    Path gguf = dir.resolve("tiny-q8_0.gguf");
    GgufQuantizeTool.quantize(TinyModel.dir(), gguf, QuantType.Q8_0);
    String text = "Hello, world! <start_of_turn> ünïcödé";
    var fromFolder = CliHarness.exec("tokenize", "--model", TinyModel.dir().toString(), text);
    var fromGguf = CliHarness.exec("tokenize", "--model", gguf.toString(), text);
    assertEquals(0, fromGguf.exit(), fromGguf.stderr());
    assertEquals(fromFolder.out(), fromGguf.out());
  }

  @Test
  void errorsAreOneLineWithTheCommandsExitCodes(@TempDir Path dir) throws IOException {
    var noInput = CliHarness.exec("tokenize");
    assertEquals(ExitCodes.USAGE, noInput.exit());
    assertEquals(1, noInput.stderr().strip().lines().count(), noInput.stderr());

    var missing = CliHarness.exec("tokenize", "--input", dir.resolve("nope.txt").toString());
    assertEquals(ExitCodes.INPUT, missing.exit());
    assertTrue(missing.stderr().contains("nope.txt"), missing.stderr());
    assertEquals(1, missing.stderr().strip().lines().count());

    var noModel = CliHarness.exec("tokenize", "--model", dir.resolve("nomodel").toString(), "x");
    assertEquals(ExitCodes.MODEL, noModel.exit());
    assertTrue(noModel.stderr().contains("nomodel"), noModel.stderr());

    Path bad = dir.resolve("tokenizer.json");
    Files.writeString(bad, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
    var wrongType = CliHarness.exec("tokenize", "--tokenizer", bad.toString(), "x");
    assertEquals(ExitCodes.MODEL, wrongType.exit());
    assertTrue(wrongType.stderr().contains("WordPiece"), wrongType.stderr());
    assertEquals(1, wrongType.stderr().strip().lines().count());

    Path jsonl = dir.resolve("bad.jsonl");
    Files.writeString(jsonl, "{\"text\":\"a\"}\n{\"txt\":\"b\"}\n");
    var badLine = CliHarness.exec("tokenize", "--input", jsonl.toString());
    assertEquals(ExitCodes.INPUT, badLine.exit());
    assertTrue(badLine.stderr().contains("bad.jsonl:2"), badLine.stderr());
    assertEquals("{\"ids\":[2,236746,1]}\n", badLine.out()); // lines before the error were printed

    assertEquals(
        ExitCodes.USAGE, CliHarness.exec("tokenize", "--input", jsonl.toString(), "x").exit());
    assertEquals(ExitCodes.USAGE, CliHarness.exec("tokenize", "--input-format", "csv", "x").exit());
  }

  @Test
  void helpHasExamplesAndNamesTheTokenizerSources() {
    var r = CliHarness.exec("tokenize", "--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("bundled"), r.out());
    assertTrue(r.out().contains("GEMMA_EMBED_MODEL"), r.out());
    assertTrue(r.out().contains("Examples:"), r.out());
    assertTrue(r.out().contains(".gguf"), r.out());
  }
}
