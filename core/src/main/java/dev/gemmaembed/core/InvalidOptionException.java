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
    DIMENSIONS
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
