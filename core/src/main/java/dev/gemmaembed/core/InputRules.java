package dev.gemmaembed.core;

import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import dev.gemmaembed.tokenizer.TruncatedIds;
import java.util.Arrays;

/**
 * The rules that turn an input into the token ids the encoder runs, stated once for every adapter
 * (server, CLI, LangChain4j, Spark): the prompt prefix, Python's strip, the template's special
 * tokens, truncation at {@code maxSeqLength}, and the checks of options and token ids.
 */
final class InputRules {

  private final GemmaTokenizer tokenizer;
  private final Prompts prompts;
  private final int maxSeqLength;
  private final int maxPositions;
  private final int tableRows;
  private final int dimensions;

  InputRules(LoadedModel model, Prompts prompts, int dimensions) {
    this.tokenizer = model.tokenizer();
    this.prompts = prompts;
    this.maxSeqLength = model.maxSeqLength();
    this.maxPositions = model.encoder().maxPositions();
    this.tableRows = model.encoder().vocabSize();
    this.dimensions = dimensions;
  }

  /** Checks what the model can honour of {@code options}: its prompt name and its dimensions. */
  void validate(EmbedOptions options) {
    if (options.promptName() != null && prompts.find(options.promptName()).isEmpty()) {
      throw prompts.unknown(options.promptName());
    }
    if (options.dimensions() > dimensions) {
      throw new InvalidOptionException(
          InvalidOptionException.Option.DIMENSIONS,
          "this model has "
              + dimensions
              + " dimensions; choose 1.."
              + dimensions
              + ", not "
              + options.dimensions());
    }
  }

  /** Prompt prefix + text, stripped with Python's whitespace set (sentence-transformers' rule). */
  String promptedText(String text, EmbedOptions options) {
    if (text == null) {
      throw new InvalidInputException("text must not be null");
    }
    return PythonStrings.strip(prefix(options) + text);
  }

  TruncatedIds prepare(String text, EmbedOptions options, Truncation truncation) {
    if (truncation == Truncation.CUT_LEFT) {
      return keepLast(tokenizer.encode(promptedText(text, options), false));
    }
    return apply(truncation, tokenizer.encodeTruncating(promptedText(text, options), maxSeqLength));
  }

  TruncatedIds prepare(int[] contentIds, Truncation truncation) {
    for (int id : contentIds) {
      checkId(id);
    }
    if (truncation == Truncation.CUT_LEFT) {
      return keepLast(contentIds);
    }
    return apply(truncation, tokenizer.withSpecialTokens(contentIds, maxSeqLength));
  }

  /**
   * The template around the last content tokens that fit (the tokenizer's own cut keeps the first).
   */
  private TruncatedIds keepLast(int[] contentIds) {
    TruncatedIds full = tokenizer.withSpecialTokens(contentIds, Integer.MAX_VALUE);
    int room = maxSeqLength - (full.ids().length - contentIds.length);
    if (contentIds.length <= room) {
      return full;
    }
    int[] kept = Arrays.copyOfRange(contentIds, contentIds.length - room, contentIds.length);
    return new TruncatedIds(tokenizer.withSpecialTokens(kept, maxSeqLength).ids(), true);
  }

  private TruncatedIds apply(Truncation truncation, TruncatedIds ids) {
    if (ids.truncated() && truncation == Truncation.REFUSE) {
      throw new InputTooLongException(maxSeqLength);
    }
    return ids;
  }

  /**
   * Checks a full sequence fits the model: non-empty, within its positions, every id in its table.
   */
  int[] checkSequence(int[] seq) {
    if (seq.length == 0) {
      throw new InvalidInputException("a token sequence must not be empty");
    }
    if (seq.length > maxPositions) {
      throw new InvalidInputException(
          "a sequence of "
              + seq.length
              + " tokens exceeds the model's "
              + maxPositions
              + " positions");
    }
    for (int id : seq) {
      checkId(id);
    }
    return seq;
  }

  private void checkId(int id) {
    if (id < 0 || id >= tableRows) {
      String piece = id >= 0 && id < tokenizer.vocabSize() ? " '" + tokenizer.piece(id) + "'" : "";
      throw new InvalidInputException(
          "token id "
              + id
              + piece
              + " is outside the model's embedding table of "
              + tableRows
              + " rows");
    }
  }

  private String prefix(EmbedOptions options) {
    if (options.title() != null) {
      return Prompts.documentWithTitle(options.title());
    }
    if (options.promptName() != null) {
      return prompts.get(options.promptName());
    }
    return options.promptText() == null ? "" : options.promptText();
  }
}
