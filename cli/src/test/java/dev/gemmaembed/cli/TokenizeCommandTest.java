package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenizeCommandTest {
  private static final String HELLO = "{\"ids\":[2,9259,236764,1902,236888,1]}";

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void keepTokenizerCacheInTarget() {
    // the parsed-tokenizer cache would otherwise go to ~/.cache/gemma-embed
    if (System.getProperty("gemmaembed.tokenizer.cacheDir") == null) {
      System.setProperty("gemmaembed.tokenizer.cacheDir", Path.of("target", "tokenizer-cache").toAbsolutePath().toString());
    }
  }

  private static Result run(CommandLine cl, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Result(exit, out.toString().replace("\r\n", "\n"), err.toString());
  }

  private static Result run(String... args) {
    return run(GemmaEmbed.newCommandLine(), args);
  }

  @Test
  void textsFromArgumentsWithBundledTokenizer() {
    Result r = run("tokenize", "Hello, world!", "a", "");
    assertEquals(0, r.exit(), r.err());
    assertEquals(HELLO + "\n{\"ids\":[2,236746,1]}\n{\"ids\":[2,1]}\n", r.out());
  }

  @Test
  void noSpecial() {
    Result r = run("tokenize", "--no-special", "Hello, world!");
    assertEquals(0, r.exit(), r.err());
    assertEquals("{\"ids\":[9259,236764,1902,236888]}\n", r.out());
  }

  @Test
  void txtAndJsonlFiles(@TempDir Path dir) throws IOException {
    Path txt = dir.resolve("in.txt");
    // CRLF line, an empty line, a malformed UTF-8 byte (becomes U+FFFD), no final newline
    byte[] bytes = "Hello, world!\r\n\nx\u00FFy".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    bytes[bytes.length - 2] = (byte) 0xFF;
    Files.write(txt, bytes);
    Result r = run("tokenize", "--input", txt.toString());
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(3, lines.length, r.out());
    assertEquals(HELLO, lines[0]);
    assertEquals("{\"ids\":[2,1]}", lines[1]);
    int[] replaced = dev.gemmaembed.tokenizer.GemmaTokenizer.bundledGemma3().encode("x\uFFFDy");
    assertEquals(ids(replaced), lines[2]);

    Path jsonl = dir.resolve("in.jsonl");
    Files.writeString(jsonl, "{\"id\":1,\"text\":\"Hello, world!\"}\n\n{\"text\":\"a\"}\n");
    Result j = run("tokenize", "--input", jsonl.toString());
    assertEquals(0, j.exit(), j.err());
    assertEquals(HELLO + "\n{\"ids\":[2,236746,1]}\n", j.out());

    Path other = dir.resolve("texts.data");
    Files.writeString(other, "{\"text\":\"a\"}\n");
    Result forced = run("tokenize", "--input", other.toString(), "--input-format", "jsonl", "--no-special");
    assertEquals("{\"ids\":[236746]}\n", forced.out());
  }

  @Test
  void stdinDefaultsToTxt() {
    InputStream stdin = new ByteArrayInputStream("Hello, world!\na\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    CommandLine cl = new CommandLine(new TokenizeCommand(Map.of(), stdin));
    Result r = run(cl, "--input", "-");
    assertEquals(0, r.exit(), r.err());
    assertEquals(HELLO + "\n{\"ids\":[2,236746,1]}\n", r.out());
  }

  private static String ids(int[] a) {
    StringBuilder b = new StringBuilder("{\"ids\":[");
    for (int i = 0; i < a.length; i++) b.append(i > 0 ? "," : "").append(a[i]);
    return b.append("]}").toString();
  }

  private static Path modelDir(Path dir, boolean addEos) throws IOException {
    try (InputStream in = dev.gemmaembed.tokenizer.GemmaTokenizer.class
        .getResourceAsStream("gemma3/tokenizer.json.gz")) {
      Files.write(dir.resolve("tokenizer.json"), new GZIPInputStream(in).readAllBytes());
    }
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"add_bos_token\": true, \"add_eos_token\": " + addEos + "}");
    return dir;
  }

  @Test
  void modelDirectoryTokenizerFileAndEnvironment(@TempDir Path dir) throws IOException {
    modelDir(dir, false); // a config that drops <eos>, so the source is visible in the output
    String bosOnly = "{\"ids\":[2,9259,236764,1902,236888]}\n";
    assertEquals(bosOnly, run("tokenize", "--model", dir.toString(), "Hello, world!").out());
    assertEquals(bosOnly,
        run("tokenize", "--tokenizer", dir.resolve("tokenizer.json").toString(), "Hello, world!").out());
    CommandLine env = new CommandLine(new TokenizeCommand(Map.of("GEMMA_EMBED_MODEL", dir.toString()), System.in));
    assertEquals(bosOnly, run(env, "Hello, world!").out());
  }

  @Test
  void errorsAreOneLineWithNonZeroExit(@TempDir Path dir) throws IOException {
    Result noInput = run("tokenize");
    assertNotEquals(0, noInput.exit());
    assertEquals(1, noInput.err().strip().lines().count(), noInput.err());

    Result missing = run("tokenize", "--input", dir.resolve("nope.txt").toString());
    assertNotEquals(0, missing.exit());
    assertTrue(missing.err().contains("nope.txt"), missing.err());
    assertEquals(1, missing.err().strip().lines().count());

    Result noModel = run("tokenize", "--model", dir.resolve("nomodel").toString(), "x");
    assertNotEquals(0, noModel.exit());
    assertTrue(noModel.err().contains("nomodel"), noModel.err());

    Path bad = dir.resolve("tokenizer.json");
    Files.writeString(bad, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
    Result wrongType = run("tokenize", "--tokenizer", bad.toString(), "x");
    assertEquals(3, wrongType.exit());
    assertTrue(wrongType.err().contains("WordPiece"), wrongType.err());
    assertEquals(1, wrongType.err().strip().lines().count());

    Path jsonl = dir.resolve("bad.jsonl");
    Files.writeString(jsonl, "{\"text\":\"a\"}\n{\"txt\":\"b\"}\n");
    Result badLine = run("tokenize", "--input", jsonl.toString());
    assertEquals(4, badLine.exit());
    assertTrue(badLine.err().contains("bad.jsonl:2"), badLine.err());
    assertEquals("{\"ids\":[2,236746,1]}\n", badLine.out()); // lines before the error were printed

    Result both = run("tokenize", "--input", jsonl.toString(), "x");
    assertEquals(2, both.exit());
    Result fmt = run("tokenize", "--input-format", "csv", "x");
    assertEquals(2, fmt.exit());
  }

  @Test
  void helpMentionsTheBundledTokenizer() {
    Result r = run("tokenize", "--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("bundled"), r.out());
    assertTrue(r.out().contains("GEMMA_EMBED_MODEL"), r.out());
  }
}
