package dev.gemmaembed.server;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InputTooLongException;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.Truncation;

/**
 * Turns request inputs into the token ids the encoder runs with {@link Embedder#prepare}, mapping
 * its refusals to API errors (the APIs differ on refusing or cutting a too-long input).
 */
final class InputEncoder {

  private final Embedder embedder;

  InputEncoder(Embedder embedder) {
    this.embedder = embedder;
  }

  int maxSeqLength() {
    return embedder.maxSeqLength();
  }

  /**
   * The ids for input {@code index}; an {@link ApiException} ({@code INPUT_TOO_LONG}) if it exceeds
   * the context and {@code truncation} refuses it.
   */
  int[] encode(EmbedCall.Input input, EmbedOptions prompt, Truncation truncation, int index) {
    try {
      return switch (input) {
        case EmbedCall.Text t -> embedder.prepare(t.text(), prompt, truncation).ids();
        case EmbedCall.TokenIds t -> embedder.prepare(t.ids(), truncation).ids();
      };
    } catch (InputTooLongException e) {
      throw new ApiException(
          ApiException.Kind.INPUT_TOO_LONG,
          "input "
              + index
              + " is longer than the model's "
              + e.maxSeqLength()
              + "-token context; shorten it or enable truncation",
          "input");
    } catch (InvalidInputException e) {
      throw ApiException.badRequest("input " + index + ": " + e.getMessage(), "input");
    }
  }

  /** The string the tokenizer gets for {@code text} (see {@link Embedder#promptedText}). */
  String promptedText(String text, EmbedOptions prompt) {
    return embedder.promptedText(text, prompt);
  }
}
