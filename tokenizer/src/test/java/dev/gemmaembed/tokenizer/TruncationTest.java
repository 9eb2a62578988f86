package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TruncationTest {
  private final GemmaTokenizer tok = GemmaTokenizer.bundledGemma3();

  private static String longText() {
    StringBuilder b = new StringBuilder();
    GoldenCorpus.rows().forEach(r -> b.append(r.text()).append('\n'));
    return b.toString();
  }

  @Test
  void keepsBosFirstContentTokensAndEos() {
    String text = longText();
    int[] full = tok.encode(text, false);
    int[] t = tok.encode(text, true, 2048);
    assertEquals(2048, t.length);
    assertEquals(2, t[0]);
    assertEquals(1, t[2047]);
    assertArrayEquals(Arrays.copyOf(full, 2046), Arrays.copyOfRange(t, 1, 2047));

    int[] noSpecial = tok.encode(text, false, 2048);
    assertArrayEquals(Arrays.copyOf(full, 2048), noSpecial);
  }

  @Test
  void shortTextsAreNotPadded() {
    assertArrayEquals(tok.encode("Hello, world!"), tok.encode("Hello, world!", true, 2048));
    assertArrayEquals(new int[] {2, 1}, tok.encode("Hello", true, 2));
    assertArrayEquals(new int[] {2, 9259, 1}, tok.encode("Hello, world!", true, 3));
    assertThrows(IllegalArgumentException.class, () -> tok.encode("x", true, 1));
    assertArrayEquals(new int[0], tok.encode("x", false, 0));
  }

  @Test
  void everyCutPointMatchesThePrefixOfTheFullEncoding() {
    String text = "<start_of_turn>user\nHello,   world!\tünïcödé 😀 <bos> tail";
    int[] full = tok.encode(text, false);
    for (int max = 0; max <= full.length + 2; max++) {
      int[] t = tok.encode(text, false, max);
      assertArrayEquals(Arrays.copyOf(full, Math.min(max, full.length)), t, "max " + max);
    }
  }

  @Test
  void theTruncatedFlagIsTrueExactlyWhenContentWasDropped() {
    String text = "<start_of_turn>user\nHello,   world!\tünïcödé 😀 <bos> tail";
    int[] content = tok.encode(text, false);
    for (int max = 2; max <= content.length + 4; max++) {
      TruncatedIds t = tok.encodeTruncating(text, max);
      assertArrayEquals(tok.encode(text, true, max), t.ids(), "max " + max);
      assertEquals(content.length > max - 2, t.truncated(), "max " + max);
      TruncatedIds wrapped = tok.withSpecialTokens(content, max);
      assertArrayEquals(t.ids(), wrapped.ids(), "content ids, max " + max);
      assertEquals(t.truncated(), wrapped.truncated(), "content ids, max " + max);
    }
    assertFalse(tok.encodeTruncating("", 2).truncated());
    assertThrows(IllegalArgumentException.class, () -> tok.withSpecialTokens(content, 1));
  }

  @Test
  void oneMegabyteTextIsTokenizedAndTruncatedQuickly() {
    SplittableRandom rnd = new SplittableRandom(7);
    StringBuilder spaced = new StringBuilder(1 << 20);
    while (spaced.length() < 1 << 20) {
      int len = 1 + rnd.nextInt(12);
      for (int i = 0; i < len; i++) spaced.append((char) ('a' + rnd.nextInt(26)));
      spaced.append(rnd.nextInt(10) == 0 ? '\n' : ' ');
    }
    StringBuilder dense = new StringBuilder(1 << 20); // one giant BPE word
    while (dense.length() < 1 << 20) dense.append((char) ('a' + rnd.nextInt(26)));
    StringBuilder cjk = new StringBuilder(1 << 20);
    while (cjk.length() < 1 << 20) cjk.append((char) (0x4E00 + rnd.nextInt(2000)));
    for (String name : new String[] {"spaced", "dense", "cjk"}) {
      String s =
          switch (name) {
            case "spaced" -> spaced.toString();
            case "dense" -> dense.toString();
            default -> cjk.toString();
          };
      long t0 = System.nanoTime();
      int[] all = tok.encode(s, true);
      long t1 = System.nanoTime();
      int[] cut = tok.encode(s, true, 2048);
      long t2 = System.nanoTime();
      System.out.printf(
          "1 MB %s text: %d tokens in %.1f ms; truncated to 2048 in %.1f ms%n",
          name, all.length, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
      assertEquals(2048, cut.length);
      assertArrayEquals(Arrays.copyOf(all, 2047), Arrays.copyOf(cut, 2047));
      assertEquals(1, cut[2047]);
    }
  }
}
