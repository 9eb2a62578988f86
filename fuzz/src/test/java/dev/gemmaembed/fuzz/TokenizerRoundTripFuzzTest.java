package dev.gemmaembed.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.tokenizer.GemmaTokenizer;

/**
 * The real Gemma 3 tokenizer on any Java string: encode never throws, and decode(encode(s)) == s
 * whenever s has no U+2581 and no unpaired surrogate.
 */
class TokenizerRoundTripFuzzTest {

  private static final GemmaTokenizer TOKENIZER = GemmaTokenizer.bundledGemma3();

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void roundTrip(FuzzedDataProvider data) {
    String s = data.consumeRemainingAsString();
    int[] withSpecial = TOKENIZER.encode(s);
    int[] ids = TOKENIZER.encode(s, false);
    assertEquals(ids.length + 2, withSpecial.length);
    if (s.indexOf('\u2581') < 0 && !hasUnpairedSurrogate(s)) {
      assertEquals(s, TOKENIZER.decode(ids));
    }
  }

  static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
