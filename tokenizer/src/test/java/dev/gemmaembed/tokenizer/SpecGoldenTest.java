package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The golden ids of spec §5 and the vocabulary facts the rest of the project relies on. */
class SpecGoldenTest {
  private final GemmaTokenizer tok = GemmaTokenizer.bundledGemma3();

  @Test
  void specSection5GoldenIds() {
    assertArrayEquals(new int[] {2, 9259, 236764, 1902, 236888, 1}, tok.encode("Hello, world!"));
    assertArrayEquals(new int[] {2, 236746, 1}, tok.encode("a"));
    assertArrayEquals(new int[] {2, 1}, tok.encode(""));
    assertArrayEquals(
        new int[] {2, 59137, 236787, 564, 2597, 10455, 3124, 1},
        tok.encode("classification: I feel wonderful today"));
    assertArrayEquals(
        new int[] {2, 2305, 236779, 3278, 236787, 1144, 13361, 506, 2145, 1},
        tok.encode("search_query: what powers the cell"));
    assertArrayEquals(
        new int[] {2, 9259, 1902, 2613, 1663, 1}, tok.encode("Hello world something else"));
  }

  @Test
  void withoutSpecialTokens() {
    assertArrayEquals(new int[] {9259, 236764, 1902, 236888}, tok.encode("Hello, world!", false));
    assertArrayEquals(new int[0], tok.encode("", false));
  }

  @Test
  void specialTokenTextBecomesSpecialIds() {
    assertArrayEquals(new int[] {2, 236743, 1}, tok.encode("<bos> <eos>", false));
    assertArrayEquals(
        new int[] {2, 105, 2364, 107, 2202, 106, 107},
        tok.encode("<bos><start_of_turn>user\nhi<end_of_turn>\n", false));
    assertArrayEquals(
        new int[] {255999, 262144, 256000},
        tok.encode("<start_of_image><image_soft_token><end_of_image>", false));
    assertArrayEquals(new int[] {236820, 2, 236813}, tok.encode("<<bos>>", false));
  }

  @Test
  void whitespaceAndByteFallback() {
    assertArrayEquals(
        new int[] {236746, 138, 236763, 139, 236755, 140, 236753, 141, 236744},
        tok.encode("a  b   c    d     e", false));
    assertArrayEquals(new int[] {251, 107, 251, 107}, tok.encode("\r\n\r\n", false));
    assertArrayEquals(new int[] {255968, 236743, 255968}, tok.encode("\t \t", false));
    assertArrayEquals(
        new int[] {236746, 465, 366, 366, 236763}, tok.encode("a\u3000b", false)); // bytes
  }

  @Test
  void vocabularyFacts() {
    assertEquals(262145, tok.vocabSize());
    assertEquals(262144, tok.modelVocabSize());
    assertEquals(514906, ((MergeTable) tok.merges()).size());
    assertEquals(2, tok.bosId());
    assertEquals(1, tok.eosId());
    assertEquals(0, tok.padId());
    assertEquals(3, tok.unkId());
    assertTrue(tok.addsBos());
    assertTrue(tok.addsEos());
    assertEquals(new SpecialTokens(2, 1, 3, 0, true, true), tok.specialTokens());
    assertEquals("<bos>", tok.piece(2));
    assertEquals("<image_soft_token>", tok.piece(262144));
    assertEquals("\u2581", tok.piece(236743));
    assertEquals("<0x00>", tok.piece(238));
    assertEquals(105, tok.tokenToId("<start_of_turn>"));
    assertEquals(9259, tok.tokenToId("Hello"));
    assertEquals(-1, tok.tokenToId("no such piece at all"));
    assertTrue(tok.isSpecial(2));
    assertTrue(tok.isSpecial(106));
    assertFalse(tok.isSpecial(107));
    assertThrows(IllegalArgumentException.class, () -> tok.piece(262145));
    assertThrows(IllegalArgumentException.class, () -> tok.piece(-1));
    assertSame(tok, GemmaTokenizer.bundledGemma3());
  }

  @Test
  void decodeKeepsSpecialTokensByDefault() {
    assertEquals("<bos>Hello, world!<eos>", tok.decode(tok.encode("Hello, world!")));
    assertEquals("Hello, world!", tok.decode(tok.encode("Hello, world!"), true));
    assertEquals("a\u3000b", tok.decode(tok.encode("a\u3000b", false)));
    // an incomplete byte sequence decodes to one U+FFFD per byte, as Hugging Face's ByteFallback
    assertEquals("\uFFFD\uFFFDx", tok.decode(new int[] {238 + 0xE3, 238 + 0x80, 236781}));
    // unknown ids are skipped
    assertEquals("a", tok.decode(new int[] {-5, 236746, 999_999}));
  }

  @Test
  void offsetsInCodePointsAndUtf16() {
    String s = "a\uD83D\uDE00 b"; // a😀 b
    Encoding e = tok.encodeWithOffsets(s, true);
    assertEquals(2, e.id(0));
    assertEquals(0, e.start(0));
    assertEquals(0, e.end(0));
    assertEquals(1, e.id(e.size() - 1));
    for (int i = 1; i < e.size() - 1; i++) {
      String byUtf16 = s.substring(e.utf16Start(i), e.utf16End(i));
      int cs = e.start(i);
      int ce = e.end(i);
      String byCp = new String(s.codePoints().toArray(), cs, ce - cs);
      assertEquals(byUtf16, byCp);
    }
    assertEquals(e.size(), e.offsets().length);
    assertEquals(e.size(), e.utf16Offsets().length);
  }

  @Test
  void unpairedSurrogatesBecomeReplacementCharacter() {
    assertArrayEquals(tok.encode("x\uFFFDy", false), tok.encode("x\uD800y", false));
    assertArrayEquals(tok.encode("x\uFFFD", false), tok.encode("x\uDC00", false));
    assertArrayEquals(tok.encode("\uFFFD\uFFFD", false), tok.encode("\uDC00\uD800", false));
    Encoding e = tok.encodeWithOffsets("\uD800a", false);
    assertEquals(0, e.start(0));
  }

  @Test
  void batchEncodesInOrder() {
    var out = tok.encodeBatch(java.util.List.of("a", "", "Hello, world!"), true);
    assertEquals(3, out.size());
    assertArrayEquals(new int[] {2, 236746, 1}, out.get(0));
    assertArrayEquals(new int[] {2, 1}, out.get(1));
    assertArrayEquals(new int[] {2, 9259, 236764, 1902, 236888, 1}, out.get(2));
  }
}
