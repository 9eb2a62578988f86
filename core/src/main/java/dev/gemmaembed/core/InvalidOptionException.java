package dev.gemmaembed.core;

/**
 * An {@link EmbedOptions} field the model cannot honour, found by {@link Embedder#validate}; the
 * {@link #option()} lets an adapter name its own parameter for it.
 */
public final class InvalidOptionException extends InvalidInputException {

  private static final long serialVersionUID = 1L;

  /** The offending field of {@link EmbedOptions}. */
  public enum Option {
    PROMPT_NAME,
    DIMENSIONS,
    PRECISION,
    /** {@link PassageSplitter}'s passage size. */
    PASSAGE_TOKENS,
    /** {@link PassageSplitter}'s overlap. */
    OVERLAP
  }

  private final Option option;

  public InvalidOptionException(Option option, String message) {
    super(message);
    this.option = option;
  }

  public Option option() {
    return option;
  }
}
