package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GGUF form: pieces, scores = −(rank+1) of the first merge producing each piece (0 if none),
 * −1000 for added tokens, token types as llama.cpp's converter writes them — must give the same ids
 * as tokenizer.json, and the merges ranked on the fly ({@link ScoreRankedMerges}) must be exactly
 * the merge table transformers' converter would derive from it.
 */
class FromVocabularyTest {
  private static final java.util.regex.Pattern BYTE_PIECE =
      java.util.regex.Pattern.compile("<0x[0-9A-F]{2}>");
  private static GemmaTokenizer hf;
  private static Vocabulary vocabulary;
  private static GemmaTokenizer gguf;
  private static Definition derived; // the same vocabulary with the derived, sorted merge table

  /** {@code tokenizer.ggml.tokens/scores/token_type}. */
  record Vocabulary(List<String> pieces, float[] scores, int[] types) {
    /** The three arrays' elements as a GGUF file encodes them (little-endian). */
    List<MemorySegment> encoded() {
      ByteArrayOutputStream tokens = new ByteArrayOutputStream();
      for (String p : pieces) {
        byte[] b = p.getBytes(StandardCharsets.UTF_8);
        tokens.writeBytes(
            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(b.length).array());
        tokens.writeBytes(b);
      }
      MemorySegment s = MemorySegment.ofArray(new byte[4 * scores.length]);
      MemorySegment t = MemorySegment.ofArray(new byte[4 * types.length]);
      for (int i = 0; i < scores.length; i++) {
        s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, scores[i]);
        t.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, types[i]);
      }
      return List.of(MemorySegment.ofArray(tokens.toByteArray()), s, t);
    }
  }

  /** What a GGUF built from the bundled tokenizer.json holds. */
  static Vocabulary ggufStyleVocabulary(GemmaTokenizer src) {
    int n = src.modelVocabSize();
    List<String> pieces = new ArrayList<>(n);
    float[] scores = new float[n];
    int[] types = new int[n];
    int[] firstRank = new int[n];
    Arrays.fill(firstRank, -1);
    MergeTable merges = (MergeTable) src.merges();
    for (int r = merges.size() - 1; r >= 0; r--) firstRank[merges.result(r)] = r;
    Map<Integer, Boolean> added = src.addedTokenSpecialFlags();
    for (int id = 0; id < n; id++) {
      String p = src.piece(id);
      Boolean special = added.get(id);
      if (special != null) {
        scores[id] = -1000f;
        if (id == src.unkId()) types[id] = 2;
        else if (special) types[id] = 3;
        else {
          types[id] = 4;
          p = p.replace('\u2581', ' '); // GGUF writes U+2581 of user-defined tokens as a space
        }
      } else if (BYTE_PIECE.matcher(p).matches()) {
        types[id] = 6;
        scores[id] = 0f;
      } else {
        types[id] = 1;
        scores[id] = firstRank[id] >= 0 ? -(firstRank[id] + 1f) : 0f;
      }
      pieces.add(p);
    }
    return new Vocabulary(pieces, scores, types);
  }

  static GemmaTokenizer fromGgufStyleVocabulary(GemmaTokenizer src, SpecialTokens specials) {
    Vocabulary v = ggufStyleVocabulary(src);
    long t0 = System.nanoTime();
    GemmaTokenizer t = GemmaTokenizer.fromVocabulary(v.pieces(), v.scores(), v.types(), specials);
    System.out.printf("fromVocabulary: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    return t;
  }

  @BeforeAll
  static void build() {
    hf = GemmaTokenizer.bundledGemma3();
    vocabulary = ggufStyleVocabulary(hf);
    gguf = fromGgufStyleVocabulary(hf, SpecialTokens.embeddingGemma());
    derived =
        VocabularyImport.build(
            vocabulary.pieces(),
            vocabulary.scores(),
            vocabulary.types(),
            SpecialTokens.embeddingGemma(),
            true);
  }

  @Test
  void derivedMergesMatchTheFileUpToNonInteractingSwaps() {
    MergeTable file = (MergeTable) hf.merges();
    MergeTable table = assertInstanceOf(MergeTable.class, derived.merges());
    assertEquals(file.size(), table.size());
    int differ = 0;
    for (int r = 0; r < file.size(); r++) {
      if (file.left(r) != table.left(r) || file.right(r) != table.right(r)) differ++;
    }
    // only ("▁","t") and ("\t","\t") trade places: SentencePiece gave both score 0
    assertEquals(2, differ);
  }

  @Test
  void scoreRankedMergesAreTheDerivedTableInTheSameOrder() {
    ScoreRankedMerges ranked = assertInstanceOf(ScoreRankedMerges.class, gguf.merges());
    MergeTable table = (MergeTable) derived.merges();
    long previous = -1;
    for (int r = 0; r < table.size(); r++) {
      long p = ranked.priority(table.left(r), table.right(r));
      assertTrue(p > previous, "merge " + r + " is out of order");
      assertEquals(table.result(r), ranked.result(p), "result of merge " + r);
      previous = p;
    }
    // and no pair merges that is not in the table: random pairs, and pairs of merge parts
    SplittableRandom rnd = new SplittableRandom(11);
    int n = gguf.modelVocabSize();
    int merging = 0;
    for (int i = 0; i < 2_000_000; i++) {
      int a = i % 2 == 0 ? rnd.nextInt(n) : table.left(rnd.nextInt(table.size()));
      int b = i % 2 == 0 ? rnd.nextInt(n) : table.right(rnd.nextInt(table.size()));
      boolean inTable = table.rank(a, b) >= 0;
      assertEquals(inTable, ranked.priority(a, b) >= 0, "pair " + a + ", " + b);
      if (inTable) merging++;
    }
    assertTrue(merging > 1000, "the sample hits merges: " + merging);
  }

  @Test
  void junctionsFromSplitsAreThoseOfTheDerivedTable() {
    Definition d = derived;
    Junctions fromTable = Junctions.of(d.pieces(), d.index(), (MergeTable) d.merges(), d.unkId());
    Junctions fromSplits = d.junctions().get();
    assertNotNull(fromTable);
    assertNotNull(fromSplits);
    assertArrayEquals(fromTable.small(), fromSplits.small());
    assertEquals(fromTable.count(), fromSplits.count());
    assertArrayEquals(usedKeys(fromTable), usedKeys(fromSplits));
  }

  private static long[] usedKeys(Junctions j) {
    return Arrays.stream(j.keys()).filter(k -> k != -1L).sorted().toArray();
  }

  @Test
  void sameIdsOnWholeCorpus() {
    int mismatches = 0;
    int skipped = 0;
    StringBuilder first = new StringBuilder();
    for (GoldenCorpus.Row row : GoldenCorpus.rows()) {
      if (Arrays.stream(row.ids()).anyMatch(id -> id >= gguf.vocabSize())) {
        skipped++; // <image_soft_token> (262144) is not in the 262,144-entry GGUF vocabulary
        continue;
      }
      int[] ids = gguf.encode(row.text(), true);
      if (!Arrays.equals(ids, row.idsWithSpecial())) {
        if (mismatches++ < 5) {
          first
              .append(row.id())
              .append(": expected ")
              .append(Arrays.toString(row.idsWithSpecial()))
              .append(" actual ")
              .append(Arrays.toString(ids))
              .append('\n');
        }
      }
    }
    System.out.printf("fromVocabulary: %d mismatches, %d texts skipped%n", mismatches, skipped);
    assertEquals(1, skipped);
    assertEquals(0, mismatches, first.toString());
  }

  @Test
  void sameIdsOnRandomText() {
    GemmaTokenizer table = new GemmaTokenizer(derived);
    SplittableRandom r = new SplittableRandom(5);
    for (int c = 0; c < 1500; c++) {
      String s = RoundTripPropertyTest.randomText(r, 10).replace("<image_soft_token>", "");
      int[] expected = hf.encode(s, true);
      assertArrayEquals(expected, gguf.encode(s, true), GoldenCorpusTest.show(s));
      assertArrayEquals(expected, table.encode(s, true), GoldenCorpusTest.show(s));
      assertEquals(hf.decode(hf.encode(s, false)), gguf.decode(gguf.encode(s, false)));
    }
  }

  @Test
  void cachedVocabularyIsReadBackWithoutThePiecesAndEncodesTheCorpusIdentically(@TempDir Path dir)
      throws IOException {
    String old = System.getProperty(TokenizerCache.DIR_PROPERTY);
    System.setProperty(TokenizerCache.DIR_PROPERTY, dir.toString());
    try {
      SpecialTokens sp = SpecialTokens.embeddingGemma();
      List<MemorySegment> source = vocabulary.encoded();
      GemmaTokenizer.fromVocabulary(
          vocabulary.pieces(), vocabulary.scores(), vocabulary.types(), sp, source);
      List<Path> files;
      try (var s = Files.list(dir)) {
        files = s.toList();
      }
      assertEquals(1, files.size(), files.toString());
      // the file: the source bytes, then the definition block
      byte[] bin = Files.readAllBytes(files.get(0));
      byte[] block = TokenizerCache.write(TokenizerCache.readFile(files.get(0), source));
      assertArrayEquals(
          block, Arrays.copyOfRange(bin, bin.length - block.length, bin.length), "block");
      assertEquals(
          16 + 8 * 3 + source.stream().mapToLong(MemorySegment::byteSize).sum() + block.length,
          bin.length);
      // a hit reads nothing of the arrays
      List<String> unreadable =
          new AbstractList<>() {
            @Override
            public String get(int index) {
              throw new AssertionError("piece " + index + " read on a cache hit");
            }

            @Override
            public int size() {
              return vocabulary.pieces().size();
            }
          };
      GemmaTokenizer cached =
          GemmaTokenizer.fromVocabulary(unreadable, new float[0], new int[0], sp, source);
      for (GoldenCorpus.Row row : GoldenCorpus.rows()) {
        assertArrayEquals(gguf.encode(row.text(), true), cached.encode(row.text(), true), row.id());
      }
      String longWord = "▁".repeat(3) + "internationalization".repeat(4) + "ünïcödé".repeat(9);
      assertArrayEquals(gguf.encode(longWord, true), cached.encode(longWord, true));
      // other source bytes or other special tokens: another entry, built from the arrays (here
      // inconsistent ones, which a miss rejects)
      List<MemorySegment> other = List.of(MemorySegment.ofArray(new byte[] {1}));
      assertThrows(
          TokenizerException.class,
          () -> GemmaTokenizer.fromVocabulary(unreadable, new float[0], new int[0], sp, other));
      GemmaTokenizer.fromVocabulary(
          vocabulary.pieces(),
          vocabulary.scores(),
          vocabulary.types(),
          new SpecialTokens(2, 1, 3, 0, true, false),
          source);
      try (var s = Files.list(dir)) {
        assertEquals(2, s.filter(f -> f.toString().endsWith(".bin")).count());
      }
    } finally {
      if (old == null) System.clearProperty(TokenizerCache.DIR_PROPERTY);
      else System.setProperty(TokenizerCache.DIR_PROPERTY, old);
    }
  }

  @Test
  void specialsAndTemplate() {
    assertEquals(262144, gguf.vocabSize());
    assertEquals(2, gguf.bosId());
    assertEquals(1, gguf.eosId());
    assertEquals(0, gguf.padId());
    assertEquals(3, gguf.unkId());
    assertEquals("\u2581\u2581", gguf.piece(138));
    GemmaTokenizer bosOnly =
        fromGgufStyleVocabulary(hf, new SpecialTokens(2, 1, 3, 0, true, false));
    assertArrayEquals(new int[] {2, 236746}, bosOnly.encode("a"));
  }

  @Test
  void rejectsInconsistentInput() {
    List<String> p = List.of("a", "b");
    SpecialTokens sp = new SpecialTokens(-1, -1, -1, -1, false, false);
    assertThrows(
        TokenizerException.class,
        () -> GemmaTokenizer.fromVocabulary(p, new float[1], new int[] {1, 1}, sp));
    assertThrows(
        TokenizerException.class,
        () -> GemmaTokenizer.fromVocabulary(p, new float[2], new int[] {1, 9}, sp));
    assertThrows(
        TokenizerException.class,
        () ->
            GemmaTokenizer.fromVocabulary(
                p, new float[2], new int[] {1, 1}, new SpecialTokens(7, -1, -1, -1, true, false)));
  }
}
