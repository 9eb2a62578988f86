package dev.gemmaembed.server;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.Prompts;
import dev.gemmaembed.core.PythonStrings;
import dev.gemmaembed.tokenizer.GemmaTokenizer;

/**
 * Turns request inputs into the token ids the encoder runs, exactly as {@link Embedder#tokenize}
 * does, and tells whether an input had to be truncated (the APIs differ on refusing or cutting).
 */
final class InputEncoder {

  private final Embedder embedder;
  private final GemmaTokenizer tokenizer;
  private final int maxSeqLength;
  private final int vocabSize;

  InputEncoder(Embedder embedder) {
    this.embedder = embedder;
    this.tokenizer = embedder.tokenizer();
    this.maxSeqLength = embedder.maxSeqLength();
    this.vocabSize = embedder.config().vocabSize();
  }

  int maxSeqLength() {
    return maxSeqLength;
  }

  /**
   * The ids for input {@code index}; an {@link ApiException} ({@code INPUT_TOO_LONG}) if it exceeds
   * the context and {@code truncate} is off.
   */
  int[] encode(EmbedCall.Input input, EmbedOptions prompt, boolean truncate, int index) {
    return switch (input) {
      case EmbedCall.Text t -> encodeText(t.text(), prompt, truncate, index);
      case EmbedCall.TokenIds t -> encodeIds(t.ids(), truncate, index);
    };
  }

  private int[] encodeText(String text, EmbedOptions prompt, boolean truncate, int index) {
    int[] ids;
    try {
      ids = embedder.tokenize(text, prompt);
    } catch (InvalidInputException e) {
      throw ApiException.badRequest(e.getMessage(), "input");
    }
    // tokenize() cuts at maxSeqLength; a result of exactly that length may or may not have been
    // cut, so ask the tokenizer for one token more (cheap: it stops once it has enough).
    if (!truncate && ids.length == maxSeqLength
        && tokenizer.encode(promptedText(text, prompt), true, maxSeqLength + 1).length > maxSeqLength) {
      throw tooLong(index);
    }
    return ids;
  }

  private int[] encodeIds(int[] content, boolean truncate, int index) {
    int specials = (tokenizer.addsBos() ? 1 : 0) + (tokenizer.addsEos() ? 1 : 0);
    int room = maxSeqLength - specials;
    if (content.length > room && !truncate) {
      throw tooLong(index);
    }
    int n = Math.min(content.length, room);
    int[] ids = new int[n + specials];
    int at = 0;
    if (tokenizer.addsBos()) {
      ids[at++] = tokenizer.bosId();
    }
    for (int i = 0; i < n; i++) {
      int id = content[i];
      if (id < 0 || id >= vocabSize) {
        throw ApiException.badRequest("input " + index + ": token id " + id + " is outside the vocabulary (0.."
            + (vocabSize - 1) + ")", "input");
      }
      ids[at++] = id;
    }
    if (tokenizer.addsEos()) {
      ids[at] = tokenizer.eosId();
    }
    return ids;
  }

  /**
   * The string {@link Embedder#tokenize} hands the tokenizer: prompt prefix + text, stripped with
   * Python's whitespace set (sentence-transformers' rule). Kept in step with Embedder by the tests.
   */
  String promptedText(String text, EmbedOptions prompt) {
    String prefix;
    if (prompt.title() != null) {
      prefix = Prompts.documentWithTitle(prompt.title());
    } else if (prompt.promptName() != null) {
      prefix = embedder.prompts().get(prompt.promptName());
    } else {
      prefix = prompt.promptText() == null ? "" : prompt.promptText();
    }
    return PythonStrings.strip(prefix + text);
  }

  private ApiException tooLong(int index) {
    return new ApiException(ApiException.Kind.INPUT_TOO_LONG, "input " + index + " is longer than the model's "
        + maxSeqLength + "-token context; shorten it or enable truncation", "input");
  }
}
