package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.PoisonedModel;
import dev.gemmaembed.testing.TinyModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line inputs that used to escape their folder, crash with a raw trace or print NaN. */
class HardeningTest {

  private static final String MODEL = TinyModel.dir().toString();

  @Test
  void batchSizeOutsideOneTo4096IsAUsageError() {
    for (String bad : List.of("0", "-1", "4097", "2147483647")) {
      var embed = CliHarness.exec("embed", "--model", MODEL, "--batch-size", bad, "hello");
      assertEquals(ExitCodes.USAGE, embed.exit(), embed.toString());
      assertEquals(
          "gemma-embed embed: --batch-size must be between 1 and 4096, got "
              + bad
              + "; see 'gemma-embed embed --help'\n",
          embed.stderr());
      var search =
          CliHarness.exec("search", "--model", MODEL, "--query", "q", "--batch-size", bad, "doc");
      assertEquals(ExitCodes.USAGE, search.exit(), search.toString());
      assertEquals(1, search.stderr().lines().count(), search.stderr());
    }
    var most = CliHarness.exec("embed", "--model", MODEL, "--batch-size", "4096", "hello");
    assertEquals(0, most.exit(), most.toString());
  }

  @Command(name = "oom")
  static final class RunsOutOfMemory implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  @Test
  void outOfMemoryIsOneLineWithTheHeapHint() {
    var err = new ByteArrayOutputStream();
    var env =
        new CliEnvironment(
            Map.of(),
            new ByteArrayInputStream(new byte[0]),
            new ByteArrayOutputStream(),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            0,
            Path.of("target", "test-home").toAbsolutePath());
    CommandLine cl = GemmaEmbed.newCommandLine(env);
    cl.addSubcommand(new RunsOutOfMemory());
    cl.getSubcommands().get("oom").setErr(cl.getErr()); // added after the streams were set
    assertEquals(ExitCodes.INTERNAL, cl.execute("oom"));
    String line = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, line.lines().count(), line);
    assertTrue(line.startsWith("gemma-embed oom: out of memory (heap limit "), line);
    assertTrue(
        line.contains(
            "GEMMA_EMBED_JAVA_OPTS=-Xmx4g; that variable replaces all of the launcher's JVM defaults"),
        line);
  }

  @Test
  void aModelGivingNaNEndsWithExit3AndOneLine() throws IOException {
    Path poisoned = PoisonedModel.bosRowNaN();
    var r = CliHarness.exec("embed", "--model", poisoned.toString(), "hello");
    assertEquals(ExitCodes.MODEL, r.exit(), r.toString());
    assertEquals("", r.out());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    assertTrue(
        r.stderr()
            .startsWith(
                "gemma-embed embed: "
                    + poisoned
                    + ": the model produced a vector holding NaN; "
                    + "likely cause: row 2 of the token embedding table"),
        r.stderr());
  }

  private static List<String> ids(Path dir, boolean followLinks) throws IOException {
    List<String> ids = new ArrayList<>();
    try (DirSource source = DirSource.open(dir, followLinks)) {
      for (InputRecord r; (r = source.next()) != null; ) {
        ids.add(r.id().text());
      }
    }
    return ids;
  }

  @Test
  void searchDirFollowsNoLinkOutOfTheFolderUnlessAsked(@TempDir Path tmp) throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside the folder");
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("a.txt"), "inside");
    Files.createDirectories(docs.resolve("sub"));
    Files.writeString(docs.resolve("sub/b.md"), "inside too");
    Files.createSymbolicLink(docs.resolve("link-in.txt"), Path.of("sub/b.md"));
    Files.createSymbolicLink(docs.resolve("link-out.txt"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(docs.resolve("dir-out"), outside);
    Files.createSymbolicLink(docs.resolve("sub/loop"), docs);
    Files.createSymbolicLink(docs.resolve("broken.txt"), tmp.resolve("nowhere.txt"));

    assertEquals(List.of("a.txt", "link-in.txt", "sub/b.md"), ids(docs, false));
    assertEquals(
        List.of("a.txt", "dir-out/secret.txt", "link-in.txt", "link-out.txt", "sub/b.md"),
        ids(docs, true));
    // DIR itself may be a link: it is walked where it leads
    Path docsLink = Files.createSymbolicLink(tmp.resolve("docs-link"), docs);
    assertEquals(List.of("a.txt", "link-in.txt", "sub/b.md"), ids(docsLink, false));

    var r =
        CliHarness.exec(
            "search",
            "--model",
            MODEL,
            "--query",
            "q",
            "--dir",
            docs.toString(),
            "--format",
            "jsonl");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(!r.out().contains("secret") && !r.out().contains("link-out"), r.out());
    var followed =
        CliHarness.exec(
            "search",
            "--model",
            MODEL,
            "--query",
            "q",
            "--dir",
            docs.toString(),
            "--follow-links",
            "--format",
            "jsonl");
    assertEquals(0, followed.exit(), followed.toString());
    assertTrue(
        followed.out().contains("\"link-out.txt\"")
            && followed.out().contains("dir-out/secret.txt"),
        followed.out());
  }
}
