package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Merges ranked on the fly from a scored vocabulary against the merge table derived and sorted from
 * it (what {@link VocabularyImport} built before), on small adversarial vocabularies: duplicate
 * strings, empty pieces, user-defined pieces with spaces, surrogate pairs and lone surrogates,
 * tied, NaN, ±0 and infinite scores, byte pieces and the unknown piece inside merges.
 */
class ScoreRankedMergesTest {
  private static final String[] CHARS = {"a", "b", "c", "d", "\u2581", "é", "😀", "中"};
  private static final String[] ODD_UNITS = {"\uD83D", "\uDE00", "<unk>", "<0x41>", "<0xE4>", " "};
  private static final float[] SCORES = {
    0f, -0f, -1f, -2f, -3f, 5f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1000f
  };
  private static final String[] TEXT_UNITS = {
    "a", "b", "c", "d", " ", "é", "😀", "中", "z", "<unk>", "\n", "aa", "ab", "abc"
  };
  private static final SpecialTokens SPECIALS = new SpecialTokens(2, 1, 3, 0, true, true);

  private record Vocabulary(List<String> pieces, float[] scores, int[] types) {}

  private static Vocabulary random(SplittableRandom r) {
    List<String> pieces = new ArrayList<>(List.of("<pad>", "<eos>", "<bos>", "<unk>"));
    List<Integer> types = new ArrayList<>(List.of(3, 3, 3, 2));
    if (r.nextBoolean()) {
      for (int b = 0; b < 256; b++) {
        pieces.add(Bpe.bytePiece(b));
        types.add(6);
      }
    }
    for (String c : CHARS) {
      if (r.nextInt(8) != 0) {
        pieces.add(c);
        types.add(1);
      }
    }
    for (String c : CHARS) {
      if (r.nextInt(3) == 0) { // runs: equal pairs side by side, where leftmost-first decides
        for (int k = 2; k <= 4; k++) {
          pieces.add(c.repeat(k));
          types.add(1);
        }
      }
    }
    int extra = 20 + r.nextInt(80);
    for (int i = 0; i < extra; i++) {
      String p;
      int kind = r.nextInt(20);
      if (kind == 0 && !pieces.isEmpty()) {
        p = pieces.get(r.nextInt(pieces.size())); // a duplicate string
      } else if (kind == 1) {
        p = "";
      } else {
        StringBuilder b = new StringBuilder();
        int units = 1 + r.nextInt(5);
        for (int u = 0; u < units; u++) {
          String[] from = r.nextInt(6) == 0 ? ODD_UNITS : CHARS;
          b.append(from[r.nextInt(from.length)]);
        }
        p = b.toString();
      }
      int type = r.nextInt(10) == 0 ? 5 : 1;
      if (p.indexOf(' ') >= 0 || r.nextInt(25) == 0)
        type = 4; // user-defined: space stands for U+2581
      pieces.add(p);
      types.add(type);
    }
    float[] scores = new float[pieces.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = r.nextInt(3) == 0 ? SCORES[r.nextInt(SCORES.length)] : -r.nextInt(40);
    }
    return new Vocabulary(pieces, scores, types.stream().mapToInt(Integer::intValue).toArray());
  }

  private static String randomText(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(30);
    for (int i = 0; i < n; i++) b.append(TEXT_UNITS[r.nextInt(TEXT_UNITS.length)]);
    return b.toString();
  }

  @Test
  void priorityOrdersEveryPairAsTheDerivedTableAndEncodesIdentically() {
    SplittableRandom r = new SplittableRandom(2024);
    int merges = 0;
    for (int v = 0; v < 300; v++) {
      Vocabulary voc = random(r);
      Definition ranked =
          VocabularyImport.build(voc.pieces(), voc.scores(), voc.types(), SPECIALS, false);
      Definition derived =
          VocabularyImport.build(voc.pieces(), voc.scores(), voc.types(), SPECIALS, true);
      ScoreRankedMerges s = assertInstanceOf(ScoreRankedMerges.class, ranked.merges());
      MergeTable t = assertInstanceOf(MergeTable.class, derived.merges());
      int n = voc.pieces().size();
      long[] byRank = new long[t.size()];
      Arrays.fill(byRank, -1);
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          long p = s.priority(a, b);
          int rank = t.rank(a, b);
          assertEquals(
              rank >= 0,
              p >= 0,
              "vocabulary " + v + ": pair " + voc.pieces().get(a) + " + " + voc.pieces().get(b));
          if (rank >= 0) {
            assertEquals(t.result(rank), s.result(p));
            byRank[rank] = p;
          }
        }
      }
      for (int k = 1; k < byRank.length; k++) {
        assertTrue(byRank[k] > byRank[k - 1], "vocabulary " + v + ": merge " + k + " out of order");
      }
      merges += t.size();
      Junctions fromTable = Junctions.of(derived.pieces(), derived.index(), t, derived.unkId());
      if (fromTable == null) {
        assertNull(ranked.junctions().get());
      } else {
        assertArrayEquals(fromTable.small(), ranked.junctions().get().small());
        assertEquals(fromTable.count(), ranked.junctions().get().count());
      }
      GemmaTokenizer a = new GemmaTokenizer(ranked);
      GemmaTokenizer b = new GemmaTokenizer(derived);
      for (int i = 0; i < 40; i++) {
        String text = randomText(r);
        Encoding ea = a.encodeWithOffsets(text, true);
        Encoding eb = b.encodeWithOffsets(text, true);
        assertArrayEquals(eb.ids(), ea.ids(), GoldenCorpusTest.show(text));
        assertArrayEquals(eb.utf16Offsets(), ea.utf16Offsets(), GoldenCorpusTest.show(text));
      }
    }
    assertTrue(merges > 3000, "the vocabularies have merges: " + merges);
  }

  /**
   * Textbook BPE over the whole text (no word cutting, no cache, no heap): merge the adjacent pair
   * of lowest rank, leftmost first, until none merges.
   */
  private static List<Integer> referenceBpe(String text, Definition d, MergeTable t) {
    List<Integer> sym = new ArrayList<>();
    text.codePoints().forEach(cp -> sym.add(d.index().get(Character.toString(cp))));
    while (true) {
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < sym.size(); i++) {
        int r = t.rank(sym.get(i), sym.get(i + 1));
        if (r >= 0 && r < bestRank) {
          best = i;
          bestRank = r;
        }
      }
      if (best < 0) return sym;
      sym.set(best, t.result(bestRank));
      sym.remove(best + 1);
    }
  }

  @Test
  void encodingIsTextbookBpeOverTheDerivedMergeOrder() {
    SplittableRandom r = new SplittableRandom(77);
    int checked = 0;
    for (int v = 0; v < 200; v++) {
      Vocabulary voc = random(r);
      Definition ranked =
          VocabularyImport.build(voc.pieces(), voc.scores(), voc.types(), SPECIALS, false);
      Definition derived =
          VocabularyImport.build(voc.pieces(), voc.scores(), voc.types(), SPECIALS, true);
      MergeTable t = (MergeTable) derived.merges();
      List<String> chars = new ArrayList<>();
      for (String c : CHARS) {
        if (!c.equals("\u2581") && derived.index().get(c) >= 0) chars.add(c);
      }
      List<String> added = new ArrayList<>();
      for (int i = 0; i < voc.types().length; i++) {
        if (voc.types()[i] >= 2 && voc.types()[i] <= 4) added.add(ranked.pieces().get(i));
      }
      GemmaTokenizer a = new GemmaTokenizer(ranked);
      GemmaTokenizer b = new GemmaTokenizer(derived);
      for (int i = 0; i < 30 && !chars.isEmpty(); i++) {
        StringBuilder text = new StringBuilder();
        int n = r.nextInt(40);
        for (int k = 0; k < n; k++)
          text.append(chars.get(r.nextInt(chars.size())).repeat(1 + r.nextInt(4)));
        String s = text.toString();
        if (added.stream().anyMatch(x -> !x.isEmpty() && s.contains(x)))
          continue; // cut out before BPE
        int[] expected = referenceBpe(s, derived, t).stream().mapToInt(Integer::intValue).toArray();
        assertArrayEquals(expected, a.encode(s, false), GoldenCorpusTest.show(s));
        assertArrayEquals(expected, b.encode(s, false), GoldenCorpusTest.show(s));
        checked++;
      }
    }
    assertTrue(checked > 3000, "texts checked: " + checked);
  }

  @Test
  void scoreRanksAreDescendingWithNaNTiedWithMinusInfinity() {
    float[] scores = {1f, Float.NaN, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, Float.POSITIVE_INFINITY};
    ScoreRankedMerges.ScoreRanks r = ScoreRankedMerges.ScoreRanks.of(scores);
    assertArrayEquals(new int[] {1, 4, 4, 2, 3, 1, 0}, r.ranks());
    assertEquals(5, r.distinct());
  }

  @Test
  void vocabularyTooWideForPackedPrioritiesFallsBackToTheDerivedTable() {
    // 65,536 pieces with distinct scores need 16 + 16 bits; a piece of 32,768 code points needs
    // 2 × 16 more: 64 bits do not fit, so that vocabulary gets a derived table, while the same
    // vocabulary without that (last) piece gets score-ranked merges
    SplittableRandom r = new SplittableRandom(3);
    List<String> pieces = new ArrayList<>(List.of("<pad>", "<eos>", "<bos>", "<unk>"));
    for (char c = 'a'; c <= 'e'; c++) pieces.add(String.valueOf(c));
    while (pieces.size() < 65_535) {
      StringBuilder b = new StringBuilder();
      int len = 2 + r.nextInt(8);
      for (int i = 0; i < len; i++) b.append((char) ('a' + r.nextInt(5)));
      pieces.add(b.toString());
    }
    int[] types = new int[pieces.size() + 1];
    Arrays.fill(types, 1);
    types[0] = types[1] = types[2] = 3;
    types[3] = 2;
    float[] scores = new float[pieces.size() + 1];
    int[] perm = r.ints(0, Integer.MAX_VALUE).distinct().limit(scores.length).toArray();
    for (int i = 0; i < scores.length; i++) scores[i] = -perm[i];
    List<String> wide = new ArrayList<>(pieces);
    wide.add("Z".repeat(32_768));
    Definition narrowDef =
        VocabularyImport.build(
            pieces,
            Arrays.copyOf(scores, pieces.size()),
            Arrays.copyOf(types, pieces.size()),
            SPECIALS,
            false);
    Definition wideDef = VocabularyImport.build(wide, scores, types, SPECIALS, false);
    assertInstanceOf(ScoreRankedMerges.class, narrowDef.merges());
    assertInstanceOf(MergeTable.class, wideDef.merges());
    GemmaTokenizer narrow = new GemmaTokenizer(narrowDef);
    GemmaTokenizer wideTok = new GemmaTokenizer(wideDef);
    for (int i = 0; i < 500; i++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(60);
      for (int k = 0; k < len; k++) b.append(r.nextInt(6) == 0 ? ' ' : (char) ('a' + r.nextInt(5)));
      String text = b.toString();
      assertArrayEquals(narrow.encode(text), wideTok.encode(text), text);
    }
  }
}
