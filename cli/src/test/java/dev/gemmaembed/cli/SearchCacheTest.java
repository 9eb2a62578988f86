package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search --dir} remembers document vectors: what it reuses, what it re-embeds, what it
 * ignores.
 */
class SearchCacheTest {

  private static final Pattern STATS =
      Pattern.compile(
          "embedded (\\d+) of (\\d+) passages of \\d+ documents, (\\d+) from the cache (\\S+?);");

  private static String model;

  @BeforeAll
  static void load() {
    model = TinyModel.dir().toString();
  }

  private static Path notes(Path dir) throws IOException {
    Path notes = Files.createDirectories(dir.resolve("notes"));
    Files.writeString(notes.resolve("mars.md"), "Mars is known as the Red Planet.\n");
    Files.writeString(notes.resolve("venus.txt"), "Venus is the hottest planet.\n");
    Files.writeString(notes.resolve("bread.txt"), "Bread needs flour, water and yeast.\n");
    return notes;
  }

  /** A search's output and how many documents it embedded (the rest came from the cache). */
  private record Search(String out, String stderr, int embedded, int total, Path cacheFile) {}

  /** The arguments of a search for the red planet in {@code notes}, then {@code extra}. */
  private static String[] searchArgs(Path notes, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "search",
                "--model",
                model,
                "--query",
                "Which planet is red?",
                "--dir",
                notes.toString(),
                "--format",
                "jsonl"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** A search with the cache in {@code cache}; it must succeed and say what it embedded. */
  private static Search search(Path notes, Path cache, String... extra) {
    List<String> options = new ArrayList<>(List.of("--verbose", "--cache-dir", cache.toString()));
    options.addAll(List.of(extra));
    var r = CliHarness.exec(searchArgs(notes, options.toArray(String[]::new)));
    assertEquals(0, r.exit(), r.toString());
    Matcher m = STATS.matcher(r.stderr());
    assertTrue(m.find(), r.stderr());
    return new Search(
        r.out(),
        r.stderr(),
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        Path.of(m.group(4)));
  }

  @Test
  void aSecondSearchEmbedsOnlyTheQueryAndChangedFiles(@TempDir Path dir) throws IOException {
    Path notes = notes(dir);
    Path cache = dir.resolve("cache");
    var uncached = CliHarness.exec(searchArgs(notes, "--no-cache"));
    var first = search(notes, cache);
    assertEquals(3, first.embedded());
    assertEquals(uncached.out(), first.out(), "the cache does not change the result");
    var second = search(notes, cache);
    assertEquals(0, second.embedded(), "nothing changed: only the query is embedded");
    assertEquals(first.out(), second.out(), "cached vectors give the same scores, bit for bit");

    Files.writeString(notes.resolve("mars.md"), "Mars is red.\n");
    Files.writeString(notes.resolve("ceres.md"), "Ceres is a dwarf planet.\n");
    var third = search(notes, cache);
    assertEquals(2, third.embedded(), "the edited and the new file");
    assertEquals(4, third.total());
    var fresh = CliHarness.exec(searchArgs(notes, "--no-cache"));
    assertEquals(fresh.out(), third.out());

    // Another dimension count is another space (and another file), never a truncated vector.
    var dims = search(notes, cache, "--dims", "32");
    assertEquals(4, dims.embedded());
    assertNotEquals(third.cacheFile(), dims.cacheFile());
    try (Stream<Path> inNotes = Files.list(notes)) {
      assertEquals(4, inNotes.count(), "nothing is written into the searched folder");
    }
  }

  @Test
  void corruptOrForeignCacheFilesAreIgnoredAndRebuilt(@TempDir Path dir) throws IOException {
    Path notes = notes(dir);
    Path cache = dir.resolve("cache");
    var first = search(notes, cache);
    byte[] good = Files.readAllBytes(first.cacheFile());

    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 0x40; // a bit flipped inside a vector
    for (byte[] bad :
        List.of(
            flipped,
            java.util.Arrays.copyOf(good, good.length - 7),
            "not a cache".getBytes(),
            new byte[0])) {
      Files.write(first.cacheFile(), bad);
      var r = search(notes, cache);
      assertEquals(3, r.embedded(), "a damaged cache is never trusted");
      assertEquals(first.out(), r.out());
      assertEquals(0, search(notes, cache).embedded(), "and it was rebuilt");
    }

    // A link in the cache file's place is neither read nor written through.
    Path elsewhere = Files.write(dir.resolve("elsewhere.vectors"), good);
    Files.delete(first.cacheFile());
    Files.createSymbolicLink(first.cacheFile(), elsewhere);
    var linked = search(notes, cache);
    assertEquals(3, linked.embedded(), linked.stderr());
    assertTrue(
        linked.stderr().contains("warning: could not write the search cache"), linked.stderr());
    assertArrayEquals(good, Files.readAllBytes(elsewhere));
    Files.delete(first.cacheFile());
    search(notes, cache);

    // The file of another space (here: 32 dimensions) under this space's name.
    var other = search(notes, cache, "--dims", "32");
    Files.copy(
        other.cacheFile(), first.cacheFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    var r = search(notes, cache);
    assertEquals(3, r.embedded(), "a foreign cache file is ignored");
    assertEquals(first.out(), r.out());
  }

  @Test
  void theDefaultLocationIsXdgCacheHomeElseHomeDotCache(@TempDir Path dir) throws IOException {
    Path notes = notes(dir);
    Path xdg = dir.resolve("xdg");
    var r =
        CliHarness.run()
            .env("XDG_CACHE_HOME", xdg.toString())
            .home(dir.resolve("home"))
            .exec(searchArgs(notes, "--verbose"));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.stderr().contains(xdg.resolve("gemma-embed/search").toString()), r.stderr());
    var home = CliHarness.run().home(dir.resolve("home")).exec(searchArgs(notes, "--verbose"));
    assertTrue(
        home.stderr().contains(dir.resolve("home/.cache/gemma-embed/search").toString()),
        home.stderr());
    var none =
        CliHarness.run()
            .home(dir.resolve("home2"))
            .exec(searchArgs(notes, "--verbose", "--no-cache"));
    assertEquals(0, none.exit(), none.toString());
    assertTrue(Files.notExists(dir.resolve("home2")), "--no-cache writes nothing");
  }

  @Test
  void concurrentSearchesLeaveAValidCache(@TempDir Path dir) throws Exception {
    Path notes = notes(dir);
    Path cache = dir.resolve("cache");
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<Search>> runs =
          Stream.generate(
                  () ->
                      CompletableFuture.supplyAsync(
                          () -> {
                            try {
                              start.await();
                            } catch (InterruptedException e) {
                              throw new IllegalStateException(e);
                            }
                            return search(notes, cache);
                          },
                          pool))
              .limit(4)
              .toList();
      start.countDown();
      String out = null;
      for (var run : runs) {
        Search s = run.get();
        out = out == null ? s.out() : out;
        assertEquals(out, s.out());
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(
        0, search(notes, cache).embedded(), "the file the last writer left is whole and used");
  }

  @Test
  void theCacheIsBoundedAndKeepsTheMostRecentlyUsed(@TempDir Path dir) throws IOException {
    Path folder = dir.resolve("cache");
    int dims = 4;
    long entry = 32 + 8 + dims * 4;
    long max = 52 + 32 + 10 * entry; // header, checksum and room for ten vectors
    SearchCache a = SearchCache.open(folder, "space a", dims, max);
    for (int i = 0; i < 25; i++) {
      a.put("%064x".formatted(i), new float[] {i, 0, 0, 0});
    }
    a.save();
    assertTrue(Files.size(a.file()) <= max, "file of " + Files.size(a.file()) + " bytes");
    SearchCache again = SearchCache.open(folder, "space a", dims, max);
    assertEquals(10, again.size());

    // A second space pushes the folder over its bound: the least recently written file goes.
    Files.setLastModifiedTime(
        a.file(), FileTime.fromMillis(System.currentTimeMillis() - 3_600_000L));
    SearchCache b = SearchCache.open(folder, "space b", dims, max);
    for (int i = 0; i < 10; i++) {
      b.put("%064x".formatted(100 + i), new float[] {1, 2, 3, 4});
    }
    b.save();
    assertTrue(Files.exists(b.file()));
    assertTrue(Files.notExists(a.file()), "the older space's file was evicted");
    SearchCache reread = SearchCache.open(folder, "space b", dims, max);
    assertArrayEquals(new float[] {1, 2, 3, 4}, reread.get("%064x".formatted(105)));
    assertNull(
        SearchCache.open(folder, "space c", dims, max).get("%064x".formatted(105)),
        "spaces never mix");
  }

  @Test
  void theModelIdentityIsCheapAndFollowsSizeTimeAndHeaders(@TempDir Path dir) throws IOException {
    Path m = Files.createDirectories(dir.resolve("model"));
    Files.writeString(m.resolve("config.json"), "{\"hidden_size\": 64}");
    byte[] weights = new byte[3 << 20];
    Files.write(m.resolve("model.safetensors"), weights);
    FileTime time = Files.getLastModifiedTime(m.resolve("model.safetensors"));
    String id = SearchCache.modelIdentity(m);
    assertEquals(id, SearchCache.modelIdentity(m));

    weights[2 << 20] = 1; // past the header: not read, and with size and time unchanged, not seen
    Files.write(m.resolve("model.safetensors"), weights);
    Files.setLastModifiedTime(m.resolve("model.safetensors"), time);
    assertEquals(id, SearchCache.modelIdentity(m));

    weights[100] = 1; // inside the header
    Files.write(m.resolve("model.safetensors"), weights);
    Files.setLastModifiedTime(m.resolve("model.safetensors"), time);
    String header = SearchCache.modelIdentity(m);
    assertNotEquals(id, header);

    Files.setLastModifiedTime(
        m.resolve("model.safetensors"), FileTime.fromMillis(time.toMillis() + 1000));
    assertNotEquals(header, SearchCache.modelIdentity(m));
    Files.writeString(m.resolve("config.json"), "{\"hidden_size\": 65}");
    assertNotEquals(SearchCache.modelIdentity(m), header);
  }
}
