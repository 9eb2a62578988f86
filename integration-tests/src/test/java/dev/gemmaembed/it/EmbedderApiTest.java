package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InputTooLongException;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.Matryoshka;
import dev.gemmaembed.core.Prompts;
import dev.gemmaembed.core.PythonStrings;
import dev.gemmaembed.core.Truncation;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tokenizer.TruncatedIds;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules adapters build on: prepare, validate and the Matryoshka cut, through Embedder's public
 * API.
 */
class EmbedderApiTest {

  private final Embedder embedder = TinyModel.embedder();

  @Test
  void validateNamesTheOptionItRefuses() {
    embedder.validate(EmbedOptions.prompt("query").withDimensions(embedder.dimensions()));
    embedder.validate(
        EmbedOptions.prompt("retrieval-DOCUMENT")); // names match loosely, as prompts().get does
    InvalidOptionException prompt =
        assertThrows(
            InvalidOptionException.class, () -> embedder.validate(EmbedOptions.prompt("nope")));
    assertEquals(InvalidOptionException.Option.PROMPT_NAME, prompt.option());
    assertTrue(
        prompt.getMessage().contains("'nope'") && prompt.getMessage().contains("query, document"),
        prompt.getMessage());
    InvalidOptionException dims =
        assertThrows(
            InvalidOptionException.class,
            () ->
                embedder.validate(EmbedOptions.DEFAULT.withDimensions(embedder.dimensions() + 1)));
    assertEquals(InvalidOptionException.Option.DIMENSIONS, dims.option());
  }

  @Test
  void aTextIsPromptedStrippedAndWrappedAsEmbedFeedsIt() {
    EmbedOptions query = EmbedOptions.query();
    String prompted = embedder.promptedText("  Mars\u00A0", query);
    assertEquals(PythonStrings.strip(embedder.prompts().get("query") + "  Mars\u00A0"), prompted);
    assertEquals("title: Red | text: x", embedder.promptedText("x", EmbedOptions.document("Red")));
    assertEquals(
        Prompts.documentWithTitle("Red") + "x",
        embedder.promptedText("x", EmbedOptions.document("Red")));
    TruncatedIds ids = embedder.prepare("  Mars\u00A0", query, Truncation.REFUSE);
    assertFalse(ids.truncated());
    assertArrayEquals(embedder.tokenizer().encode(prompted), ids.ids());
    assertArrayEquals(
        embedder.embed("  Mars\u00A0", query),
        embedder.embedTokenIds(List.of(ids.ids()), 0).getFirst());
  }

  @Test
  void aTextOfExactlyTheContextIsNotCutAndOneTokenMoreIs() {
    int max = embedder.maxSeqLength();
    String fits = "x" + " x".repeat(max - 3); // one token per word
    assertEquals(max, embedder.tokenizer().encode(fits).length, "the test text is max tokens long");
    TruncatedIds exact = embedder.prepare(fits, EmbedOptions.DEFAULT, Truncation.REFUSE);
    assertFalse(exact.truncated());
    assertEquals(max, exact.ids().length);
    String over = fits + " x";
    assertThrows(
        InputTooLongException.class,
        () -> embedder.prepare(over, EmbedOptions.DEFAULT, Truncation.REFUSE));
    TruncatedIds cut = embedder.prepare(over, EmbedOptions.DEFAULT, Truncation.CUT);
    assertTrue(cut.truncated());
    assertArrayEquals(exact.ids(), cut.ids());
  }

  @Test
  void contentIdsGetTheTemplateAndTheTextsCut() {
    int[] content = embedder.tokenizer().encode("Which planet is red?", false);
    TruncatedIds ids = embedder.prepare(content, Truncation.REFUSE);
    assertArrayEquals(embedder.tokenize("Which planet is red?", EmbedOptions.DEFAULT), ids.ids());
    int[] tooMany = new int[embedder.maxSeqLength()];
    Arrays.fill(tooMany, content[0]);
    assertThrows(InputTooLongException.class, () -> embedder.prepare(tooMany, Truncation.REFUSE));
    TruncatedIds cut = embedder.prepare(tooMany, Truncation.CUT);
    assertTrue(cut.truncated());
    assertEquals(embedder.maxSeqLength(), cut.ids().length);
    assertThrows(
        InvalidInputException.class, () -> embedder.prepare(new int[] {-1}, Truncation.CUT));
    assertThrows(
        InvalidInputException.class,
        () -> embedder.prepare(new int[] {embedder.config().vocabSize() + 7}, Truncation.CUT));
  }

  @Test
  void theMatryoshkaCutIsWhatEmbedReturnsForFewerDimensions() {
    float[] full = embedder.embed("Jupiter is the largest planet");
    float[] sixteen =
        embedder.embed("Jupiter is the largest planet", EmbedOptions.DEFAULT.withDimensions(16));
    assertArrayEquals(Matryoshka.cut(full, 16), sixteen);
  }
}
