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

/** {@code similarity} and {@code search} on the tiny model, scores checked against the library. */
class SimilaritySearchTest {

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

  @Test
  void similarityJsonIsTheCosineMatrixWithTheStsPrompt() throws IOException {
    List<String> texts =
        List.of("The cat sat on the mat", "A cat is sitting on a mat", "Stock prices fell");
    var r =
        CliHarness.exec(
            "similarity",
            "--model",
            model,
            "--format",
            "json",
            texts.get(0),
            texts.get(1),
            texts.get(2));
    assertEquals(0, r.exit(), r.toString());
    JsonNode matrix = OutputParsers.JSON.readTree(r.out()).get("matrix");
    assertEquals(3, matrix.size());
    List<float[]> v = embedder.embedAll(texts, EmbedOptions.prompt("STS"));
    for (int i = 0; i < 3; i++) {
      assertEquals(3, matrix.get(i).size());
      for (int j = 0; j < 3; j++) {
        assertEquals(
            Texts.cosine(v.get(i), v.get(j)), matrix.get(i).get(j).floatValue(), 1e-5, i + "," + j);
        assertEquals(matrix.get(i).get(j).floatValue(), matrix.get(j).get(i).floatValue());
      }
      assertEquals(1.0, matrix.get(i).get(i).floatValue(), 1e-5);
    }
  }

  @Test
  void similarityTableListsTheTexts() {
    var r = CliHarness.exec("similarity", "--model", model, "--dims", "32", "alpha", "beta");
    assertEquals(0, r.exit(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(1).startsWith("1   1.0000  "), r.out());
    assertEquals("1  alpha", lines.get(4));
    assertEquals("2  beta", lines.get(5));
    assertEquals(
        ExitCodes.USAGE, CliHarness.exec("similarity", "--model", model, "only one").exit());
  }

  @Test
  void searchDirRanksTitledDocumentsWithTheModelCardPrompts(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("planets"));
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve("planets/mars.md"), "Mars is known for its reddish appearance.");
    Files.writeString(dir.resolve("planets/venus.txt"), "Venus is the hottest planet.");
    Files.writeString(dir.resolve("bread.txt"), "Knead the dough and let it rise.");
    Files.writeString(dir.resolve("ignored.pdf"), "not a document");
    Files.writeString(dir.resolve(".git/config.txt"), "hidden");
    String query = "Which planet is known as the Red Planet?";
    var r =
        CliHarness.exec(
            "search",
            "--model",
            model,
            "--query",
            query,
            "--dir",
            dir.toString(),
            "--format",
            "jsonl");
    assertEquals(0, r.exit(), r.toString());
    List<JsonNode> rows = OutputParsers.jsonLines(r.out());
    assertEquals(3, rows.size(), r.out());
    float[] q = embedder.embed(query, EmbedOptions.query());
    float previous = Float.POSITIVE_INFINITY;
    for (int rank = 0; rank < rows.size(); rank++) {
      JsonNode row = rows.get(rank);
      assertEquals(rank + 1, row.get("rank").asInt());
      String id = row.get("id").asText();
      Path file = dir.resolve(id);
      assertEquals(Files.readString(file), row.get("text").asText());
      // documents are embedded as "title: {file name} | text: {content}"
      float[] d =
          embedder.embed(
              Files.readString(file), EmbedOptions.document(file.getFileName().toString()));
      float score = row.get("score").floatValue();
      assertEquals(Texts.cosine(q, d), score, 1e-5, id);
      assertTrue(score <= previous);
      previous = score;
    }
    List<String> ids = rows.stream().map(n -> n.get("id").asText()).sorted().toList();
    assertEquals(List.of("bread.txt", "planets/mars.md", "planets/venus.txt"), ids);
    assertEquals(
        List.of(0, 1, 2), rows.stream().map(n -> n.get("index").asInt()).sorted().toList());
  }

  @Test
  void searchArgumentsKeepsTheTopKWithNullIds() throws IOException {
    String[] docs = {"Mars is red", "Venus is hot", "Jupiter is big", "Bread needs yeast"};
    var r =
        CliHarness.exec(
            "search",
            "--model",
            model,
            "--query",
            "red planet",
            "--top",
            "2",
            "--format",
            "jsonl",
            docs[0],
            docs[1],
            docs[2],
            docs[3]);
    assertEquals(0, r.exit(), r.toString());
    List<JsonNode> rows = OutputParsers.jsonLines(r.out());
    assertEquals(2, rows.size());
    float[] q = embedder.embed("red planet", EmbedOptions.query());
    float[] best = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    int[] bestIndex = {-1, -1};
    for (int i = 0; i < docs.length; i++) {
      float s = Texts.cosine(q, embedder.embed(docs[i], EmbedOptions.document()));
      if (s > best[0]) {
        best[1] = best[0];
        bestIndex[1] = bestIndex[0];
        best[0] = s;
        bestIndex[0] = i;
      } else if (s > best[1]) {
        best[1] = s;
        bestIndex[1] = i;
      }
    }
    for (int k = 0; k < 2; k++) {
      assertEquals(bestIndex[k], rows.get(k).get("index").asInt());
      assertTrue(rows.get(k).get("id").isNull());
      assertEquals(docs[bestIndex[k]], rows.get(k).get("text").asText());
    }
  }

  @Test
  void searchJsonlInputUsesTitlesAndIdsAndPrintsATable(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("docs.jsonl");
    Files.writeString(
        in,
        """
        {"id": "m", "title": "Mars", "text": "The fourth planet"}
        {"id": "b", "text": "A loaf of bread"}
        """);
    var r =
        CliHarness.exec("search", "--model", model, "--query", "planet", "--input", in.toString());
    assertEquals(0, r.exit(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).matches("rank +score +doc +lines +text"), r.out());
    assertEquals(3, lines.size(), r.out());
    assertTrue(r.out().contains("The fourth planet") && r.out().contains(" m "), r.out());
  }

  @Test
  void searchJsonlRowsRepeatNumericIdsAsTheyAppeared(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("docs.jsonl");
    Files.writeString(
        in,
        """
        {"id": 1.50, "text": "The fourth planet"}
        """);
    var r =
        CliHarness.exec(
            "search",
            "--model",
            model,
            "--query",
            "planet",
            "--input",
            in.toString(),
            "--format",
            "jsonl");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(
        r.out()
            .matches(
                "\\{\"rank\":1,\"score\":[-0-9.E]+,\"index\":0,\"id\":1\\.50,\"passage\":0,"
                    + "\"start_line\":1,\"end_line\":1,\"text\":\"The fourth planet\"}\n"),
        r.out());
  }

  @Test
  void searchErrors(@TempDir Path dir) {
    var none = CliHarness.exec("search", "--model", model, "--query", "q");
    assertEquals(ExitCodes.USAGE, none.exit());
    var two =
        CliHarness.exec("search", "--model", model, "--query", "q", "--dir", dir.toString(), "doc");
    assertEquals(ExitCodes.USAGE, two.exit());
    var empty =
        CliHarness.exec("search", "--model", model, "--query", "q", "--dir", dir.toString());
    assertEquals(ExitCodes.INPUT, empty.exit());
    assertEquals(
        "gemma-embed search: --dir " + dir + ": no .txt or .md files in it\n", empty.stderr());
    var prompt =
        CliHarness.exec(
            "search", "--model", model, "--query", "q", "--query-prompt", "nope", "doc");
    assertEquals(ExitCodes.USAGE, prompt.exit());
  }
}
