package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.Truncation;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tokenizer.TruncatedIds;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Truncation#CUT_LEFT}: {@code <bos>} + the last content tokens that fit + {@code <eos>}.
 */
class TruncationDirectionTest {

  private final Embedder embedder = TinyModel.embedder();

  @Test
  void leftKeepsTheLastContentTokensOfATextPromptIncluded() {
    int max = embedder.maxSeqLength();
    StringBuilder b = new StringBuilder();
    for (int i = 0; b.length() < 12 * max; i++) {
      b.append("w").append(i).append(' ');
    }
    String text = b.toString().strip();
    int[] content =
        embedder.tokenizer().encode(embedder.promptedText(text, EmbedOptions.query()), false);
    assertTrue(content.length > max);
    TruncatedIds left = embedder.prepare(text, EmbedOptions.query(), Truncation.CUT_LEFT);
    assertTrue(left.truncated());
    assertEquals(max, left.ids().length);
    assertEquals(2, left.ids()[0]);
    assertEquals(1, left.ids()[max - 1]);
    assertArrayEquals(
        Arrays.copyOfRange(content, content.length - (max - 2), content.length),
        Arrays.copyOfRange(left.ids(), 1, max - 1));
    TruncatedIds right = embedder.prepare(text, EmbedOptions.query(), Truncation.CUT);
    assertArrayEquals(
        Arrays.copyOfRange(content, 0, max - 2), Arrays.copyOfRange(right.ids(), 1, max - 1));
  }

  @Test
  void leftOnTokenIdsAndOnShortInputsChangesNothingThatFits() {
    int max = embedder.maxSeqLength();
    int[] content = new int[max + 5];
    for (int i = 0; i < content.length; i++) {
      content[i] = 100 + i;
    }
    TruncatedIds left = embedder.prepare(content, Truncation.CUT_LEFT);
    assertArrayEquals(
        Arrays.copyOfRange(content, 7, content.length), Arrays.copyOfRange(left.ids(), 1, max - 1));
    TruncatedIds shortOne =
        embedder.prepare("Hello world", EmbedOptions.DEFAULT, Truncation.CUT_LEFT);
    assertFalse(shortOne.truncated());
    assertArrayEquals(embedder.tokenize("Hello world", EmbedOptions.DEFAULT), shortOne.ids());
  }
}
