package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gemma-embed embed} end to end on the tiny synthetic model, checked against the library.
 */
class EmbedCommandTest {

  private static final String QUERY_PROMPT = "task: search result | query: ";

  private static String model;
  private static Embedder embedder;

  @BeforeAll
  static void load() {
    model = TinyModel.dir().toString();
    embedder = Embedder.load(TinyModel.dir());
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-6, "dimension " + i);
    }
  }

  @Test
  void textsFromArgumentsMatchTheLibrary() throws IOException {
    var r =
        CliHarness.exec(
            "embed", "--model", model, "--prompt", "query", "Which planet is red?", "Mars");
    assertEquals(0, r.exit(), r.toString());
    List<float[]> vectors = OutputParsers.jsonl(r.out());
    assertEquals(2, vectors.size());
    assertClose(embedder.embed("Which planet is red?", EmbedOptions.query()), vectors.get(0));
    assertClose(embedder.embed("Mars", EmbedOptions.query()), vectors.get(1));
    assertEquals(64, vectors.get(0).length);
    assertEquals("", r.stderr());
  }

  @Test
  void promptNameEqualsItsLiteralText() {
    var byName =
        CliHarness.exec("embed", "--model", model, "--prompt", "query", "how do I bake bread");
    var byText =
        CliHarness.exec(
            "embed", "--model", model, "--prompt-text", QUERY_PROMPT, "how do I bake bread");
    assertEquals(0, byName.exit(), byName.toString());
    assertEquals(byName.out(), byText.out());
  }

  @Test
  void dims32IsTheRenormalisedPrefix() throws IOException {
    var full =
        OutputParsers.jsonl(CliHarness.exec("embed", "--model", model, "some text").out())
            .getFirst();
    var r = CliHarness.exec("embed", "--model", model, "--dims", "32", "some text");
    assertEquals(0, r.exit(), r.toString());
    float[] small = OutputParsers.jsonl(r.out()).getFirst();
    assertEquals(32, small.length);
    assertEquals(1.0, OutputParsers.norm(small), 1e-6);
    double prefixNorm = OutputParsers.norm(java.util.Arrays.copyOf(full, 32));
    for (int i = 0; i < 32; i++) {
      assertEquals(full[i] / prefixNorm, small[i], 1e-6);
    }
  }

  @Test
  void txtFileHasOneTextPerLineDecodedLeniently(@TempDir Path dir) throws IOException {
    // CRLF, a blank line, a malformed byte (0xFF becomes U+FFFD), no final newline
    var bytes = new ByteArrayOutputStream();
    bytes.writeBytes("first line\r\n\nx".getBytes(StandardCharsets.UTF_8));
    bytes.write(0xFF);
    bytes.writeBytes("y".getBytes(StandardCharsets.UTF_8));
    Path txt = dir.resolve("in.txt");
    Files.write(txt, bytes.toByteArray());
    var r = CliHarness.exec("embed", "--model", model, "--input", txt.toString());
    assertEquals(0, r.exit(), r.toString());
    List<float[]> vectors = OutputParsers.jsonl(r.out());
    assertEquals(3, vectors.size());
    assertClose(embedder.embed("first line"), vectors.get(0));
    assertClose(embedder.embed(""), vectors.get(1));
    assertClose(embedder.embed("x\uFFFDy"), vectors.get(2));
  }

  @Test
  void jsonlOnStdinPassesIdsThroughAndUsesTitles() throws IOException {
    String input =
        """
        {"id": "a-1", "text": "Mars is red"}

        {"id": 7, "text": "Venus is hot", "title": "Venus"}
        {"text": "no id here"}
        """;
    var r =
        CliHarness.run()
            .stdin(input)
            .exec(
                "embed",
                "--model",
                model,
                "--input",
                "-",
                "--input-format",
                "jsonl",
                "--prompt",
                "document");
    assertEquals(0, r.exit(), r.toString());
    List<JsonNode> rows = OutputParsers.jsonLines(r.out());
    assertEquals(3, rows.size());
    assertEquals("a-1", rows.get(0).get("id").asText());
    assertTrue(rows.get(1).get("id").isNumber(), "a numeric id stays a number");
    assertEquals(7, rows.get(1).get("id").asInt());
    assertFalse(rows.get(2).has("id"));
    for (int i = 0; i < 3; i++) {
      assertEquals(i, rows.get(i).get("index").asInt());
    }
    assertClose(
        embedder.embed("Mars is red", EmbedOptions.document()),
        OutputParsers.floats(rows.get(0).get("embedding")));
    assertClose(
        embedder.embed("Venus is hot", EmbedOptions.document("Venus")),
        OutputParsers.floats(rows.get(1).get("embedding")));
  }

  @Test
  void jsonlIdsAreWrittenAsTheyAppearedInEveryTextFormat(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(
        in,
        """
        {"id": "a,1", "text": "Mars is red", "ids": [2, 3], "meta": {"id": true}}
        {"id": 12345678901234567890123, "text": "Venus is hot"}
        {"text": "no id", "id": 1, "id": 1.50}
        """);
    String[] common = {"embed", "--model", model, "--input", in.toString()};
    var jsonl = CliHarness.exec(common);
    assertEquals(0, jsonl.exit(), jsonl.toString());
    List<String> lines = jsonl.out().lines().toList();
    assertTrue(
        lines.get(0).startsWith("{\"index\":0,\"id\":\"a,1\",\"embedding\":["), lines.get(0));
    assertTrue(
        lines.get(1).startsWith("{\"index\":1,\"id\":12345678901234567890123,\"embedding\":["),
        lines.get(1));
    assertTrue(lines.get(2).startsWith("{\"index\":2,\"id\":1.50,\"embedding\":["), lines.get(2));
    List<float[]> expected = OutputParsers.jsonl(jsonl.out());
    assertClose(embedder.embed("Venus is hot"), expected.get(1));

    var json = CliHarness.exec(concat(common, "--format", "json"));
    assertEquals(0, json.exit(), json.toString());
    assertTrue(json.out().contains("{\"index\":2,\"id\":1.50,\"embedding\":["), json.out());
    List<float[]> fromJson = OutputParsers.json(json.out());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), fromJson.get(i), "json row " + i);
    }

    var csv = CliHarness.exec(concat(common, "--format", "csv"));
    assertEquals(0, csv.exit(), csv.toString());
    List<String> rows = csv.out().lines().toList();
    assertTrue(rows.get(0).startsWith("index,id,d0,"), rows.get(0));
    assertTrue(rows.get(1).startsWith("0,\"a,1\","), rows.get(1));
    assertTrue(rows.get(2).startsWith("1,12345678901234567890123,"), rows.get(2));
    assertTrue(rows.get(3).startsWith("2,1.50,"), rows.get(3));
  }

  @Test
  void everyFormatParsesBackToTheSameNumbers(@TempDir Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add(
          "text number " + i + (i % 3 == 0 ? " with a few more words to vary the length" : ""));
    }
    Path txt = dir.resolve("texts.txt");
    Files.write(txt, lines);
    String[] common = {"embed", "--model", model, "--input", txt.toString(), "--batch-size", "16"};

    var jsonl = CliHarness.exec(common);
    assertEquals(0, jsonl.exit(), jsonl.toString());
    List<float[]> expected = OutputParsers.jsonl(jsonl.out());
    assertEquals(40, expected.size());
    assertClose(embedder.embed(lines.get(5)), expected.get(5));

    for (String format : new String[] {"json", "csv", "npy"}) {
      Path out = dir.resolve("out." + format);
      var r = CliHarness.exec(concat(common, "--output", out.toString()));
      assertEquals(0, r.exit(), format + ": " + r);
      assertEquals(0, r.stdout().length, "nothing on stdout with --output");
      byte[] bytes = Files.readAllBytes(out);
      List<float[]> actual =
          switch (format) {
            case "json" -> OutputParsers.json(new String(bytes, StandardCharsets.UTF_8));
            case "csv" -> OutputParsers.csv(new String(bytes, StandardCharsets.UTF_8));
            default -> OutputParsers.npy(bytes);
          };
      assertEquals(expected.size(), actual.size(), format);
      for (int i = 0; i < expected.size(); i++) {
        assertArrayEquals(expected.get(i), actual.get(i), format + " row " + i);
      }
    }
    // npy on stdout, and --format overriding the extension
    var npyOut = CliHarness.exec(concat(common, "--format", "npy"));
    assertEquals(0, npyOut.exit(), npyOut.toString());
    assertArrayEquals(expected.get(39), OutputParsers.npy(npyOut.stdout()).get(39));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(4, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void emptyInputGivesEmptyDocuments(@TempDir Path dir) throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.txt"));
    Path npy = dir.resolve("empty.npy");
    var r =
        CliHarness.exec(
            "embed", "--model", model, "--input", empty.toString(), "--output", npy.toString());
    assertEquals(0, r.exit(), r.toString());
    assertEquals(0, OutputParsers.npy(Files.readAllBytes(npy)).size());
    var json =
        CliHarness.exec("embed", "--model", model, "--input", empty.toString(), "--format", "json");
    assertEquals("[]\n", json.out());
  }

  @Test
  void aFailedRunLeavesTheOutputFileAsItWas(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"text\": \"fine\"}\n{\"text\": \"also fine\"}\n{\"txt\": \"oops\"}\n");
    Path out = dir.resolve("out.jsonl");
    Files.writeString(out, "previous contents");
    var r =
        CliHarness.exec(
            "embed",
            "--model",
            model,
            "--input",
            in.toString(),
            "--output",
            out.toString(),
            "--batch-size",
            "1");
    assertEquals(ExitCodes.INPUT, r.exit(), r.toString());
    assertEquals(
        "gemma-embed embed: " + in + ":3: the object has no string field \"text\"\n", r.stderr());
    assertEquals("previous contents", Files.readString(out));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(2, files.count(), "the temporary file is removed");
    }
  }

  @Test
  void errorsAreOneLineWithDistinctExitCodes(@TempDir Path dir) throws IOException {
    Path badJson = dir.resolve("bad.jsonl");
    Files.writeString(badJson, "{\"text\": \"ok\"}\n{not json\n");
    assertError(
        ExitCodes.INPUT,
        "bad.jsonl:2: not valid JSON",
        "embed",
        "--model",
        model,
        "--input",
        badJson.toString());
    assertError(
        ExitCodes.INPUT,
        "--input " + dir.resolve("missing.txt") + ": no such file",
        "embed",
        "--model",
        model,
        "--input",
        dir.resolve("missing.txt").toString());
    assertError(
        ExitCodes.USAGE,
        "--prompt: unknown prompt name 'nope'; the model has: query, document,",
        "embed",
        "--model",
        model,
        "--prompt",
        "nope",
        "x");
    assertError(
        ExitCodes.USAGE,
        "--dims: this model has 64 dimensions; choose 1..64, not 65",
        "embed",
        "--model",
        model,
        "--dims",
        "65",
        "x");
    assertError(
        ExitCodes.USAGE,
        "mutually exclusive",
        "embed",
        "--model",
        model,
        "--prompt",
        "query",
        "--prompt-text",
        "q: ",
        "x");
    assertError(
        ExitCodes.USAGE, "not both", "embed", "--model", model, "--input", badJson.toString(), "x");
    assertError(
        ExitCodes.USAGE,
        "Unknown option: '--formt' (did you mean --format?)",
        "embed",
        "--formt",
        "csv",
        "x");
    assertError(
        ExitCodes.USAGE, "Invalid value for option '--format'", "embed", "--format", "xml", "x");
    assertError(
        ExitCodes.MODEL,
        "--model " + dir.resolve("nothing") + ": no such model directory or file",
        "embed",
        "--model",
        dir.resolve("nothing").toString(),
        "x");
    assertError(
        ExitCodes.MODEL,
        "cannot load the model at " + dir + ": ",
        "embed",
        "--model",
        dir.toString(),
        "x");
    var noModel = assertError(ExitCodes.MODEL, "no model: pass --model DIR", "embed", "x");
    assertTrue(
        noModel.contains("GEMMA_EMBED_MODEL")
            && noModel.contains("gemma-embed pull")
            && noModel.contains("models--google--embeddinggemma-300m"),
        noModel);
  }

  @Test
  void verboseAddsTheStackTrace(@TempDir Path dir) {
    var r = CliHarness.exec("embed", "--verbose", "--model", dir.toString(), "x");
    assertEquals(ExitCodes.MODEL, r.exit());
    assertTrue(r.stderr().lines().count() > 3, r.stderr());
    assertTrue(r.stderr().contains("\tat dev.gemmaembed."), r.stderr());
  }

  private static String assertError(int code, String fragment, String... args) {
    var r = CliHarness.exec(args);
    assertEquals(code, r.exit(), r.toString());
    assertTrue(r.stderr().startsWith("gemma-embed embed: "), r.stderr());
    assertTrue(r.stderr().contains(fragment), r.stderr());
    assertEquals(1, r.stderr().lines().count(), "one line: " + r.stderr());
    return r.stderr();
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
