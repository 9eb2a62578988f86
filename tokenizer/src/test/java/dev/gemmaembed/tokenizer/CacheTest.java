package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binary cache of parsed tokenizers gives exactly what the JSON parse gives. */
class CacheTest {

  static byte[] resource(String name) throws IOException {
    try (InputStream in = GemmaTokenizer.class.getResourceAsStream("gemma3/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void binaryFormRoundTripsAndEncodesTheCorpusIdentically(@TempDir Path dir) throws IOException {
    byte[] json = resource("tokenizer.json.gz");
    byte[] cfg = resource("tokenizer_config.json.gz");
    long t0 = System.nanoTime();
    Definition parsed =
        TokenizerCache.parse(json, "tokenizer.json.gz", cfg, "tokenizer_config.json.gz");
    long t1 = System.nanoTime();
    byte[] bin = TokenizerCache.write(parsed);
    Path file = Files.createFile(dir.resolve("block.bin"));
    TokenizerCache.writeFile(file, List.of(), bin);
    long t2 = System.nanoTime();
    Definition read = TokenizerCache.readFile(file, List.of());
    long t3 = System.nanoTime();
    System.out.printf(
        "JSON parse %.0f ms, binary write %.0f ms (%.1f MB), binary read %.0f ms%n",
        (t1 - t0) / 1e6, (t2 - t1) / 1e6, bin.length / 1e6, (t3 - t2) / 1e6);
    assertNotNull(read);
    assertArrayEquals(TokenizerCache.write(read), bin);
    GemmaTokenizer a = new GemmaTokenizer(parsed);
    GemmaTokenizer b = new GemmaTokenizer(read);
    for (GoldenCorpus.Row row : GoldenCorpus.rows()) {
      assertArrayEquals(row.idsWithSpecial(), a.encode(row.text()), row.id());
      assertArrayEquals(row.idsWithSpecial(), b.encode(row.text()), row.id());
    }
    assertEquals(a.decode(new int[] {2, 138, 262144, 1}), b.decode(new int[] {2, 138, 262144, 1}));
  }

  @Test
  void cacheFilesAreWrittenReusedAndCorruptOnesIgnored(@TempDir Path dir) throws IOException {
    String old = System.getProperty(TokenizerCache.DIR_PROPERTY);
    System.setProperty(TokenizerCache.DIR_PROPERTY, dir.toString());
    try {
      byte[] json =
          LoadingTest.tiny(LoadingTest.TINY_MODEL, "")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Path oldVersion = dir.resolve("tokenizer-v1-" + "0".repeat(64) + ".bin");
      Files.write(oldVersion, new byte[] {1});
      GemmaTokenizer first = GemmaTokenizer.fromStreams(new ByteArrayInputStream(json), null);
      assertTrue(Files.notExists(oldVersion), "files of older cache versions are pruned");
      List<Path> files;
      try (var s = Files.list(dir)) {
        files = s.toList();
      }
      assertEquals(1, files.size(), files.toString());
      assertTrue(
          files
              .get(0)
              .getFileName()
              .toString()
              .matches("tokenizer-v\\d+-json-[0-9a-f]{8}-[0-9a-f]{8}-\\d+\\.bin"),
          files.get(0).toString());
      GemmaTokenizer second = GemmaTokenizer.fromStreams(new ByteArrayInputStream(json), null);
      assertArrayEquals(first.encode("ab ababc"), second.encode("ab ababc"));
      // truncate the file: it must be ignored and rewritten
      byte[] bytes = Files.readAllBytes(files.get(0));
      Files.write(files.get(0), Arrays.copyOf(bytes, bytes.length / 2));
      assertNull(TokenizerCache.readFile(files.get(0), List.of(MemorySegment.ofArray(json))));
      GemmaTokenizer third = GemmaTokenizer.fromStreams(new ByteArrayInputStream(json), null);
      assertArrayEquals(first.encode("ab ababc"), third.encode("ab ababc"));
      assertArrayEquals(bytes, Files.readAllBytes(files.get(0)));
      // garbage
      Files.write(files.get(0), new byte[] {1, 2, 3});
      assertArrayEquals(
          first.encode("ab ababc"),
          GemmaTokenizer.fromStreams(new ByteArrayInputStream(json), null).encode("ab ababc"));
    } finally {
      if (old == null) System.clearProperty(TokenizerCache.DIR_PROPERTY);
      else System.setProperty(TokenizerCache.DIR_PROPERTY, old);
    }
  }

  @Test
  void aDamagedCacheFileIsAMissAndIsRewritten(@TempDir Path dir) throws IOException {
    String old = System.getProperty(TokenizerCache.DIR_PROPERTY);
    System.setProperty(TokenizerCache.DIR_PROPERTY, dir.toString());
    try {
      byte[] json =
          LoadingTest.tiny(LoadingTest.TINY_MODEL, "")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      List<MemorySegment> source = List.of(MemorySegment.ofArray(json));
      int[] expected =
          GemmaTokenizer.fromStreams(new ByteArrayInputStream(json), null).encode("ab ababc");
      Path file;
      try (var s = Files.list(dir)) {
        file = s.findFirst().orElseThrow();
      }
      byte[] good = Files.readAllBytes(file);
      assertNotNull(TokenizerCache.readFile(file, source));
      List<byte[]> damaged = new java.util.ArrayList<>();
      for (int i = 1; i < 8; i++) {
        damaged.add(Arrays.copyOf(good, good.length * i / 8)); // cut short
      }
      damaged.add(Arrays.copyOf(good, good.length + 1)); // a byte too many
      // one bit flipped in the header, the source copy, the definition block and its CRC
      for (int at : new int[] {0, 13, 20, 40, good.length / 2, good.length - 30, good.length - 1}) {
        byte[] b = good.clone();
        b[at] ^= 0x10;
        damaged.add(b);
      }
      for (byte[] b : damaged) {
        Files.write(file, b);
        assertNull(TokenizerCache.readFile(file, source), "read back a damaged file");
        assertArrayEquals(
            expected,
            GemmaTokenizer.fromStreams(new ByteArrayInputStream(json), null).encode("ab ababc"));
        assertArrayEquals(good, Files.readAllBytes(file), "the damaged file is rewritten");
      }
      // cut short once open for reading: a miss (a mapping of the file would fault on its lost
      // pages, an InternalError that no miss catches)
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
          FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
        long size = ch.size();
        w.truncate(good.length / 2);
        assertNull(TokenizerCache.readFile(ch, size, source));
      }
    } finally {
      if (old == null) System.clearProperty(TokenizerCache.DIR_PROPERTY);
      else System.setProperty(TokenizerCache.DIR_PROPERTY, old);
    }
  }

  /** A small SentencePiece-style vocabulary: "ab" is a piece (merged from "a" "b") or not. */
  private static Definition smallVocabulary(String piece5) {
    return VocabularyImport.build(
        List.of("<unk>", "<bos>", "<eos>", "a", "b", piece5),
        new float[] {0, 0, 0, 0, 0, -1},
        new int[] {2, 3, 3, 1, 1, 1},
        SMALL_SPECIALS);
  }

  private static final SpecialTokens SMALL_SPECIALS = new SpecialTokens(1, 2, 0, -1, true, false);

  @Test
  void aVocabularyEntryIsUsedOnlyForTheBytesItWasBuiltFrom(@TempDir Path dir) throws IOException {
    String old = System.getProperty(TokenizerCache.DIR_PROPERTY);
    System.setProperty(TokenizerCache.DIR_PROPERTY, dir.toString());
    try {
      // Two sources with the same checksums (given here; GgufTokenizerCacheTest in core forges a
      // real CRC collision): the same entry, which holds the bytes it was built from.
      List<MemorySegment> first = List.of(MemorySegment.ofArray(new byte[] {1, 2, 3}));
      List<MemorySegment> second = List.of(MemorySegment.ofArray(new byte[] {1, 2, 4}));
      List<MemorySegment> longer = List.of(MemorySegment.ofArray(new byte[] {1, 2, 3, 4}));
      List<MemorySegment> split =
          List.of(MemorySegment.ofArray(new byte[] {1, 2}), MemorySegment.ofArray(new byte[] {3}));
      String same = "00000000-00000000-3";
      int[] merged = {1, 5};
      int[] unmerged = {1, 3, 4};
      Supplier<Definition> mustHit =
          () -> {
            throw new AssertionError("built although the entry holds these bytes");
          };
      GemmaTokenizer a =
          new GemmaTokenizer(
              TokenizerCache.loadVocabulary(
                  same, first, SMALL_SPECIALS, () -> smallVocabulary("ab")));
      assertArrayEquals(merged, a.encode("ab"));
      assertArrayEquals(
          merged,
          new GemmaTokenizer(TokenizerCache.loadVocabulary(same, first, SMALL_SPECIALS, mustHit))
              .encode("ab"));
      List<Path> files;
      try (var s = Files.list(dir)) {
        files = s.toList();
      }
      assertEquals(1, files.size(), files.toString());
      // other bytes under the same key: built from their own arrays, and the entry replaced
      for (List<MemorySegment> other : List.of(second, longer, split)) {
        assertArrayEquals(
            unmerged,
            new GemmaTokenizer(
                    TokenizerCache.loadVocabulary(
                        same, other, SMALL_SPECIALS, () -> smallVocabulary("ba")))
                .encode("ab"));
        assertNull(TokenizerCache.readFile(files.get(0), first));
        assertArrayEquals(
            unmerged,
            new GemmaTokenizer(TokenizerCache.loadVocabulary(same, other, SMALL_SPECIALS, mustHit))
                .encode("ab"));
      }
      assertArrayEquals(
          merged,
          new GemmaTokenizer(
                  TokenizerCache.loadVocabulary(
                      same, first, SMALL_SPECIALS, () -> smallVocabulary("ab")))
              .encode("ab"));
      try (var s = Files.list(dir)) {
        assertEquals(files, s.toList());
      }
    } finally {
      if (old == null) System.clearProperty(TokenizerCache.DIR_PROPERTY);
      else System.setProperty(TokenizerCache.DIR_PROPERTY, old);
    }
  }
}
