package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** decode(encode(s)) == s for random Unicode text (without U+2581), fixed seeds. */
class RoundTripPropertyTest {
  private static final String[] LOOKALIKES = {
    "<bos",
    "<bos>",
    "bos>",
    "<eos>",
    "<pad>",
    "<unk>",
    "<mask>",
    "<start_of_turn",
    "<start_of_turn>",
    "<end_of_turn>",
    "<unused0>",
    "<unused62",
    "<unused6241>",
    "<unused6242>",
    "</td>",
    "<td",
    "<0x41>",
    "<0xZZ>",
    "<image_soft_token>",
    "[multimodal]",
    "<",
    ">",
    "</",
    "<>",
    "<<",
    "<b>",
    "\n",
    "\n\n\n",
    "\t\t",
    "\r\n",
    "  ",
    "   ",
    " \n ",
    "\u3000",
    "\u00A0",
    "😀",
    "👩‍👩‍👧",
    "🇩🇪",
    "e\u0301",
    "ﬁ",
    "İ",
    "ß",
    "\u200B",
    "\uFEFF",
    "\u0000",
    "\uFFFD",
    "\uFFFF"
  };

  private static int randomCodePoint(SplittableRandom r) {
    while (true) {
      int cp =
          switch (r.nextInt(8)) {
            case 0 -> 0x20 + r.nextInt(0x5F); // ASCII printable
            case 1 -> r.nextInt(0x80); // ASCII incl. controls
            case 2 -> 0x80 + r.nextInt(0x780); // Latin, Greek, Cyrillic, Hebrew, Arabic
            case 3 -> 0x800 + r.nextInt(0xF800); // rest of the BMP
            case 4 -> 0x4E00 + r.nextInt(0x5200); // CJK
            case 5 -> 0x1F300 + r.nextInt(0x300); // emoji
            case 6 -> 0x10000 + r.nextInt(0x100000); // any supplementary plane
            default -> 0xAC00 + r.nextInt(0x2BA4); // Hangul
          };
      if (cp == 0x2581 || (cp >= 0xD800 && cp <= 0xDFFF)) continue;
      return cp;
    }
  }

  static String randomText(SplittableRandom r, int maxParts) {
    StringBuilder b = new StringBuilder();
    int parts = r.nextInt(maxParts + 1);
    for (int p = 0; p < parts; p++) {
      switch (r.nextInt(6)) {
        case 0 -> b.append(LOOKALIKES[r.nextInt(LOOKALIKES.length)]);
        case 1 -> b.append(" ".repeat(1 + r.nextInt(40)));
        case 2 -> {
          String ws = " \t\n\r\u000B\f\u3000\u00A0";
          int n = 1 + r.nextInt(6);
          for (int i = 0; i < n; i++) b.append(ws.charAt(r.nextInt(ws.length())));
        }
        default -> {
          int n = 1 + r.nextInt(12);
          for (int i = 0; i < n; i++) b.appendCodePoint(randomCodePoint(r));
        }
      }
    }
    return b.toString();
  }

  @Test
  void decodeInvertsEncode() {
    GemmaTokenizer tok = GemmaTokenizer.bundledGemma3();
    SplittableRandom r = new SplittableRandom(20250917L);
    int cases = 4000;
    for (int c = 0; c < cases; c++) {
      String s = randomText(r, 12);
      int[] ids = tok.encode(s, false);
      String back = tok.decode(ids);
      if (!back.equals(s)) {
        assertEquals(
            GoldenCorpusTest.show(s),
            GoldenCorpusTest.show(back),
            "case " + c + " ids " + java.util.Arrays.toString(ids));
      }
      // offsets tile the text: contiguous, in order, covering everything
      Encoding e = tok.encodeWithOffsets(s, false);
      int pos = 0;
      for (int i = 0; i < e.size(); i++) {
        assertTrue(
            e.utf16Start(i) == pos || e.utf16Start(i) == e.utf16Start(Math.max(0, i - 1)),
            "case " + c + " token " + i);
        pos = e.utf16End(i);
      }
      assertEquals(s.length(), pos, "case " + c);
    }
  }

  @Test
  void unpairedSurrogatesNeverThrow() {
    GemmaTokenizer tok = GemmaTokenizer.bundledGemma3();
    SplittableRandom r = new SplittableRandom(99);
    for (int c = 0; c < 2000; c++) {
      StringBuilder b = new StringBuilder(randomText(r, 4));
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n; i++) {
        b.insert(r.nextInt(b.length() + 1), (char) (0xD800 + r.nextInt(0x800)));
      }
      String s = b.toString();
      int[] ids = tok.encode(s, true);
      assertTrue(ids.length >= 2);
      Encoding e = tok.encodeWithOffsets(s, false);
      for (int i = 0; i < e.size(); i++) {
        assertTrue(e.start(i) <= e.end(i));
        assertTrue(e.end(i) <= s.codePointCount(0, s.length()));
      }
      // equivalent to replacing the unpaired surrogates by U+FFFD
      StringBuilder fixed = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (Character.isHighSurrogate(ch)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          fixed.append(ch).append(s.charAt(++i));
        } else if (Character.isSurrogate(ch)) {
          fixed.append('\uFFFD');
        } else {
          fixed.append(ch);
        }
      }
      assertEquals(
          java.util.Arrays.toString(tok.encode(fixed.toString(), true)),
          java.util.Arrays.toString(ids));
    }
  }
}
