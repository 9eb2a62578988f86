package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GGUF form: pieces, scores = −(rank+1) of the first merge producing each piece (0 if none),
 * −1000 for added tokens, token types as llama.cpp's converter writes them — must give the same ids
 * as tokenizer.json.
 */
class FromVocabularyTest {
  private static final java.util.regex.Pattern BYTE_PIECE = java.util.regex.Pattern.compile("<0x[0-9A-F]{2}>");
  private static GemmaTokenizer hf;
  private static GemmaTokenizer gguf;

  /** What a GGUF built from the bundled tokenizer.json holds. */
  static GemmaTokenizer fromGgufStyleVocabulary(GemmaTokenizer src, SpecialTokens specials) {
    int n = src.modelVocabSize();
    List<String> pieces = new ArrayList<>(n);
    float[] scores = new float[n];
    int[] types = new int[n];
    int[] firstRank = new int[n];
    Arrays.fill(firstRank, -1);
    for (int r = src.mergeCount() - 1; r >= 0; r--) firstRank[src.mergeResult(r)] = r;
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
    long t0 = System.nanoTime();
    GemmaTokenizer t = GemmaTokenizer.fromVocabulary(pieces, scores, types, specials);
    System.out.printf("fromVocabulary: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    return t;
  }

  @BeforeAll
  static void build() {
    hf = GemmaTokenizer.bundledGemma3();
    gguf = fromGgufStyleVocabulary(hf, SpecialTokens.embeddingGemma());
  }

  @Test
  void derivedMergesMatchTheFileUpToNonInteractingSwaps() {
    assertEquals(hf.mergeCount(), gguf.mergeCount());
    int differ = 0;
    for (int r = 0; r < hf.mergeCount(); r++) {
      if (hf.mergeLeft(r) != gguf.mergeLeft(r) || hf.mergeRight(r) != gguf.mergeRight(r)) differ++;
    }
    // only ("▁","t") and ("\t","\t") trade places: SentencePiece gave both score 0
    assertEquals(2, differ);
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
          first.append(row.id()).append(": expected ").append(Arrays.toString(row.idsWithSpecial()))
              .append(" actual ").append(Arrays.toString(ids)).append('\n');
        }
      }
    }
    System.out.printf("fromVocabulary: %d mismatches, %d texts skipped%n", mismatches, skipped);
    assertEquals(1, skipped);
    assertEquals(0, mismatches, first.toString());
  }

  @Test
  void sameIdsOnRandomText() {
    SplittableRandom r = new SplittableRandom(5);
    for (int c = 0; c < 1500; c++) {
      String s = RoundTripPropertyTest.randomText(r, 10).replace("<image_soft_token>", "");
      assertArrayEquals(hf.encode(s, true), gguf.encode(s, true), GoldenCorpusTest.show(s));
      assertEquals(hf.decode(hf.encode(s, false)), gguf.decode(gguf.encode(s, false)));
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
    GemmaTokenizer bosOnly = fromGgufStyleVocabulary(hf, new SpecialTokens(2, 1, 3, 0, true, false));
    assertArrayEquals(new int[] {2, 236746}, bosOnly.encode("a"));
  }

  @Test
  void rejectsInconsistentInput() {
    List<String> p = List.of("a", "b");
    SpecialTokens sp = new SpecialTokens(-1, -1, -1, -1, false, false);
    assertThrows(TokenizerException.class,
        () -> GemmaTokenizer.fromVocabulary(p, new float[1], new int[] {1, 1}, sp));
    assertThrows(TokenizerException.class,
        () -> GemmaTokenizer.fromVocabulary(p, new float[2], new int[] {1, 9}, sp));
    assertThrows(TokenizerException.class,
        () -> GemmaTokenizer.fromVocabulary(p, new float[2], new int[] {1, 1},
            new SpecialTokens(7, -1, -1, -1, true, false)));
  }
}
