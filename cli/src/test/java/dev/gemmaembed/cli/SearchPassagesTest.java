package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.Passage;
import dev.gemmaembed.core.PassageSplitter;
import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code search} over long files: passages, line ranges, one hit per file, the binary index. */
class SearchPassagesTest {

  private static final String QUERY = "how often does the pump need oil";
  private static final Pattern STATS =
      Pattern.compile("embedded (\\d+) of (\\d+) passages of (\\d+) documents, (\\d+) from");

  private static String model;
  private static Embedder embedder;

  @BeforeAll
  static void load() {
    model = TinyModel.dir().toString();
    embedder = TinyModel.embedder();
  }

  /** A folder with two long manuals (hundreds of lines) and a short note. */
  private static Path manuals(Path dir) throws IOException {
    Path docs = Files.createDirectories(dir.resolve("manuals"));
    StringBuilder pump = new StringBuilder();
    StringBuilder oven = new StringBuilder();
    for (int i = 1; i <= 200; i++) {
      pump.append("Step ").append(i).append(": the pump needs oil every ").append(i);
      pump.append(" days; check the filter.\n");
      oven.append("Step ").append(i).append(": preheat the oven to ").append(150 + i);
      oven.append(" degrees and bake the bread.\n");
    }
    Files.writeString(docs.resolve("pump.txt"), pump);
    Files.writeString(docs.resolve("oven.md"), oven);
    Files.writeString(docs.resolve("note.txt"), "Oil the pump.\n");
    return docs;
  }

  private static CliHarness.Result search(Path docs, String... extra) {
    return search(docs, 64, extra);
  }

  private static CliHarness.Result search(Path docs, int passageTokens, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "search",
                "--model",
                model,
                "--query",
                QUERY,
                "--dir",
                docs.toString(),
                "--dims",
                "32",
                "--passage-tokens",
                String.valueOf(passageTokens),
                "--overlap",
                "8",
                "--format",
                "jsonl"));
    args.addAll(List.of(extra));
    var r = CliHarness.exec(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.toString());
    return r;
  }

  /** Each row's score is the cosine of the query with the passage embedded under its title. */
  @Test
  void resultsAreTheBestPassageOfEachFileWithItsLines(@TempDir Path dir) throws IOException {
    Path docs = manuals(dir);
    var r = search(docs, "--no-cache", "--show", "0");
    List<JsonNode> rows = OutputParsers.jsonLines(r.out());
    assertEquals(3, rows.size(), r.out());
    assertEquals(3, rows.stream().map(n -> n.get("id").asText()).distinct().count());
    float[] q = embedder.embed(QUERY, EmbedOptions.query().withDimensions(32));
    PassageSplitter splitter = new PassageSplitter(embedder, 64, 8);
    for (JsonNode row : rows) {
      String name = row.get("id").asText();
      String file = Files.readString(docs.resolve(name));
      EmbedOptions options = EmbedOptions.document(name).withDimensions(32);
      List<Passage> passages = splitter.split(file, options);
      Passage shown = passages.get(row.get("passage").asInt());
      assertEquals(shown.text(), row.get("text").asText());
      assertEquals(shown.firstLine(), row.get("start_line").asInt());
      assertEquals(shown.lastLine(), row.get("end_line").asInt());
      String[] lines = file.split("\n", -1);
      assertTrue(
          shown.text().strip().endsWith(lines[shown.lastLine() - 1].strip()),
          "the passage ends on its last line");
      float best = Float.NEGATIVE_INFINITY;
      for (Passage p : passages) {
        best = Math.max(best, Texts.cosine(q, embedder.embed(p.text(), options)));
      }
      assertEquals(best, row.get("score").floatValue(), 1e-5, name + " at its best passage");
      if (!name.equals("note.txt")) {
        assertTrue(passages.size() > 10, name + ": " + passages.size());
      }
    }
  }

  @Test
  void allPassagesListsAFileSeveralTimesAndShowCutsTheText(@TempDir Path dir) throws IOException {
    Path docs = manuals(dir);
    var r = search(docs, "--no-cache", "--all-passages", "--top", "30", "--show", "20");
    List<JsonNode> rows = OutputParsers.jsonLines(r.out());
    assertEquals(30, rows.size());
    Set<String> seen = new HashSet<>();
    for (JsonNode row : rows) {
      seen.add(row.get("id").asText() + "#" + row.get("passage").asInt());
      assertTrue(row.get("text").asText().length() <= 20, row.toString());
    }
    assertEquals(30, seen.size(), "each passage once");
    assertTrue(rows.stream().map(n -> n.get("id").asText()).distinct().count() < 30);

    var table =
        CliHarness.exec(
            "search",
            "--model",
            model,
            "--query",
            QUERY,
            "--dir",
            docs.toString(),
            "--dims",
            "32",
            "--passage-tokens",
            "64",
            "--overlap",
            "8",
            "--no-cache",
            "--top",
            "1",
            "--show",
            "30");
    assertEquals(0, table.exit(), table.toString());
    List<String> lines = table.out().lines().toList();
    assertTrue(lines.get(0).matches("rank +score +doc +lines +text"), table.out());
    assertTrue(lines.get(1).matches(" +1 +[-0-9.]+ +\\S+ +\\d+-\\d+ +.{29}…"), table.out());
  }

  /**
   * The binary index with a multiplier covering every passage and float rescoring is the float
   * search, row for row; int8 rescoring gives the same files with nearby scores here.
   */
  @Test
  void binaryCoveringEveryPassageEqualsTheFloatSearch(@TempDir Path dir) throws IOException {
    Path docs = manuals(dir);
    for (String all : List.of("--top", "--all-passages")) {
      List<String> extra = new ArrayList<>(List.of("--no-cache"));
      if (all.equals("--all-passages")) {
        extra.add(all);
      }
      var exact = search(docs, extra.toArray(String[]::new));
      extra.addAll(
          List.of("--precision", "binary", "--rescore", "float32", "--rescore-multiplier", "1000"));
      var binary = search(docs, extra.toArray(String[]::new));
      assertEquals(exact.out(), binary.out());
    }
    var int8 = search(docs, "--no-cache", "--precision", "binary", "--rescore-multiplier", "1000");
    List<JsonNode> exact = OutputParsers.jsonLines(search(docs, "--no-cache").out());
    List<JsonNode> approx = OutputParsers.jsonLines(int8.out());
    assertEquals(exact.size(), approx.size());
    for (int i = 0; i < exact.size(); i++) {
      assertEquals(
          exact.get(i).get("score").floatValue(), approx.get(i).get("score").floatValue(), 0.02);
    }
    // few candidates: still one row per file, at most --top
    var narrow =
        search(
            docs, "--no-cache", "--precision", "binary", "--top", "2", "--rescore-multiplier", "1");
    List<JsonNode> rows = OutputParsers.jsonLines(narrow.out());
    assertTrue(rows.size() <= 2 && !rows.isEmpty(), narrow.out());
    assertEquals(rows.size(), rows.stream().map(n -> n.get("id").asText()).distinct().count());
  }

  /** Without --passage-tokens and --overlap: passages of at most 512 tokens overlapping by 64. */
  @Test
  void theDefaultsAre512TokenPassagesOverlapping64(@TempDir Path dir) throws IOException {
    Path docs = Files.createDirectories(dir.resolve("long"));
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 400; i++) {
      text.append("Entry ").append(i).append(": the pump's oil level was fine on day ");
      text.append(i).append(".\n");
    }
    Files.writeString(docs.resolve("log.txt"), text);
    var r =
        CliHarness.exec(
            "search",
            "--model",
            model,
            "--query",
            QUERY,
            "--dir",
            docs.toString(),
            "--dims",
            "32",
            "--no-cache",
            "--all-passages",
            "--top",
            "1000",
            "--show",
            "0",
            "--format",
            "jsonl");
    assertEquals(0, r.exit(), r.toString());
    List<Passage> expected =
        new PassageSplitter(embedder, 512, 64)
            .split(text.toString(), EmbedOptions.document("log.txt").withDimensions(32));
    assertTrue(expected.size() > 4, "a file of several default passages: " + expected.size());
    List<JsonNode> rows = OutputParsers.jsonLines(r.out());
    assertEquals(expected.size(), rows.size(), r.out());
    for (JsonNode row : rows) {
      Passage p = expected.get(row.get("passage").asInt());
      assertEquals(p.text(), row.get("text").asText());
      assertEquals(p.firstLine(), row.get("start_line").asInt());
      assertEquals(p.lastLine(), row.get("end_line").asInt());
      assertTrue(p.tokens() <= 512, "passage " + p.index() + ": " + p.tokens());
    }
    for (int i = 1; i < expected.size(); i++) {
      Passage before = expected.get(i - 1);
      assertTrue(before.tokens() >= 512 - 512 / 5, "cut in the last 20%: " + before.tokens());
      int shared = before.firstToken() + before.tokens() - expected.get(i).firstToken();
      assertTrue(shared >= 64 && shared <= 64 + 64 / 5, "overlap " + shared);
    }
  }

  /** The cache holds passages: appending to a long file embeds only the passages that changed. */
  @Test
  void theCacheStoresPassages(@TempDir Path dir) throws IOException {
    Path docs = manuals(dir);
    Path cache = dir.resolve("cache");
    var first = search(docs, "--verbose", "--cache-dir", cache.toString());
    Matcher m = STATS.matcher(first.stderr());
    assertTrue(m.find(), first.stderr());
    int passages = Integer.parseInt(m.group(2));
    assertEquals(passages, Integer.parseInt(m.group(1)));
    assertEquals(3, Integer.parseInt(m.group(3)));
    assertTrue(passages > 20, first.stderr());

    var second = search(docs, "--verbose", "--cache-dir", cache.toString());
    assertTrue(
        second.stderr().contains("embedded 0 of " + passages + " passages"), second.stderr());
    assertEquals(first.out(), second.out());

    Files.writeString(
        docs.resolve("pump.txt"),
        Files.readString(docs.resolve("pump.txt")) + "Step 201: drain the old oil first.\n");
    var third = search(docs, "--verbose", "--cache-dir", cache.toString());
    m = STATS.matcher(third.stderr());
    assertTrue(m.find(), third.stderr());
    int embedded = Integer.parseInt(m.group(1));
    assertTrue(embedded >= 1 && embedded <= 2, "only the tail of pump.txt: " + third.stderr());
    assertEquals(search(docs, "--no-cache").out(), third.out());

    // other passage sizes: other passages, embedded anew; the short file's one passage is reused
    var other = search(docs, 100, "--verbose", "--cache-dir", cache.toString());
    m = STATS.matcher(other.stderr());
    assertTrue(m.find(), other.stderr());
    assertEquals(Integer.parseInt(m.group(2)) - 1, Integer.parseInt(m.group(1)), other.stderr());
    assertNotEquals(passages, Integer.parseInt(m.group(2)));
  }

  @Test
  void badPassageOptionsAreOneLineUsageErrors(@TempDir Path dir) throws IOException {
    Path docs = manuals(dir);
    String window = String.valueOf(embedder.maxSeqLength());
    String[][] cases = {
      {"--passage-tokens", "15"},
      {"--passage-tokens", String.valueOf(embedder.maxSeqLength() + 1)},
      {"--overlap", "512"},
      {"--overlap", "-1"},
      {"--precision", "int8"},
      {"--precision", "sideways"},
      {"--rescore", "float32"},
      {"--precision", "binary", "--rescore-multiplier", "0"},
      {"--show", "-1"},
    };
    for (String[] c : cases) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "search",
                  "--model",
                  model,
                  "--query",
                  "q",
                  "--dir",
                  docs.toString(),
                  "--no-cache"));
      args.addAll(List.of(c));
      var r = CliHarness.exec(args.toArray(String[]::new));
      assertEquals(ExitCodes.USAGE, r.exit(), String.join(" ", c) + ": " + r);
      assertTrue(r.stderr().startsWith("gemma-embed search: " + c[c.length - 2]), r.stderr());
      assertEquals(1, r.stderr().lines().filter(l -> l.startsWith("gemma-embed search:")).count());
    }
    var large =
        CliHarness.exec(
            "search",
            "--model",
            model,
            "--query",
            "q",
            "--dir",
            docs.toString(),
            "--passage-tokens",
            "4096");
    assertTrue(
        large.stderr().contains("16 to " + window + " tokens (the model's window)"),
        large.stderr());
    var odd =
        CliHarness.exec(
            "search",
            "--model",
            model,
            "--query",
            "q",
            "--dir",
            docs.toString(),
            "--dims",
            "30",
            "--precision",
            "binary");
    assertEquals(ExitCodes.USAGE, odd.exit());
    assertTrue(odd.stderr().contains("multiple of 8"), odd.stderr());
    var one =
        CliHarness.exec(
            "search", "--model", model, "--query", "q", "--precision", "binary", "only one doc");
    assertEquals(ExitCodes.INPUT, one.exit(), one.toString());
    assertTrue(one.stderr().contains("--rescore float32"), one.stderr());
    assertEquals(
        0,
        CliHarness.exec(
                "search",
                "--model",
                model,
                "--query",
                "q",
                "--precision",
                "binary",
                "--rescore",
                "FLOAT32",
                "only one doc")
            .exit());
  }
}
