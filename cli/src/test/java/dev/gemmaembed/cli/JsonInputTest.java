package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code .json} inputs, titles against --prompt, and empty inputs. */
class JsonInputTest {

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
  void aJsonArrayOfStringsOrObjectsIsReadAsSuch(@TempDir Path dir) throws IOException {
    Path in =
        Files.writeString(
            dir.resolve("texts.json"),
            """
        [
          "Mars is red",
          {"id": 7, "text": "Venus is hot", "title": "Venus"},
          {"text": "no id", "extra": [1, 2, {"deep": true}]}
        ]
        """);
    var r = CliHarness.exec("embed", "--model", model, "--input", in.toString());
    assertEquals(0, r.exit(), r.toString());
    assertEquals("", r.stderr());
    List<JsonNode> rows = OutputParsers.jsonLines(r.out());
    assertEquals(3, rows.size());
    assertEquals(7, rows.get(1).get("id").asInt());
    assertClose(embedder.embed("Mars is red"), OutputParsers.floats(rows.get(0).get("embedding")));
    assertClose(
        embedder.embed("Venus is hot", EmbedOptions.document("Venus")),
        OutputParsers.floats(rows.get(1).get("embedding")));
    assertClose(embedder.embed("no id"), OutputParsers.floats(rows.get(2).get("embedding")));
    var csv =
        CliHarness.exec("embed", "--model", model, "--input", in.toString(), "--format", "csv");
    assertTrue(csv.out().startsWith("index,id,d0,"), "a JSON input's ids get a CSV column");
  }

  @Test
  void anythingElseInAJsonFileIsOneInputError(@TempDir Path dir) throws IOException {
    assertInputError(
        dir,
        "{\"text\": \"one object\"}",
        "texts.json:1:1: expected a JSON array of strings or of objects");
    assertInputError(
        dir, "[\"ok\", 42]", "texts.json:1:8: element 1 is a number; expected a JSON array");
    assertInputError(
        dir,
        "[\"ok\", {\"txt\": \"x\"}]",
        "texts.json:1:8: the object has no string field \"text\"");
    assertInputError(dir, "[\"ok\", ", "texts.json:1:8: not valid JSON");
    assertInputError(dir, "[] []", "not valid JSON: more content after the array");
  }

  private static void assertInputError(Path dir, String content, String fragment)
      throws IOException {
    Path in = Files.writeString(dir.resolve("texts.json"), content);
    var r = CliHarness.exec("embed", "--model", model, "--input", in.toString());
    assertEquals(ExitCodes.INPUT, r.exit(), r.toString());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    assertTrue(r.stderr().contains(fragment), r.stderr());
  }

  @Test
  void aTitleFillsTheDocumentPromptAndAnotherPromptWinsWithAWarning() throws IOException {
    String input =
        "{\"text\": \"Venus is hot\", \"title\": \"Venus\"}\n{\"text\": \"Mars\", \"title\": \"Mars\"}\n";
    var none =
        CliHarness.run()
            .stdin(input)
            .exec("embed", "--model", model, "--input", "-", "--input-format", "jsonl");
    assertEquals("", none.stderr());
    assertClose(
        embedder.embed("Venus is hot", EmbedOptions.document("Venus")),
        OutputParsers.jsonl(none.out()).getFirst());
    var query =
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
                "query");
    assertEquals(0, query.exit(), query.toString());
    assertClose(
        embedder.embed("Venus is hot", EmbedOptions.query()),
        OutputParsers.jsonl(query.out()).getFirst());
    assertEquals(
        1, query.stderr().lines().count(), "one warning, not one per record: " + query.stderr());
    assertTrue(
        query
            .stderr()
            .startsWith("gemma-embed embed: warning: the input's \"title\" fields are ignored"),
        query.stderr());
  }

  @Test
  void anEmptyInputIsAnEmptyOutputAndOneWarning(@TempDir Path dir) throws IOException {
    for (String name : List.of("empty.txt", "empty.jsonl", "empty.json")) {
      Path in = Files.createFile(dir.resolve(name));
      var r = CliHarness.exec("embed", "--model", model, "--input", in.toString());
      assertEquals(0, r.exit(), r.toString());
      assertEquals("", r.out());
      assertEquals(
          "gemma-embed embed: warning: no texts in " + in + "; the output is empty\n", r.stderr());
    }
    Path emptyArray = Files.writeString(dir.resolve("none.json"), "[]");
    var json =
        CliHarness.exec(
            "embed", "--model", model, "--input", emptyArray.toString(), "--format", "json");
    assertEquals("[]\n", json.out());
    var search =
        CliHarness.exec(
            "search", "--model", model, "--query", "q", "--input", emptyArray.toString());
    assertEquals(ExitCodes.INPUT, search.exit(), "search with no documents stays an error");
  }
}
