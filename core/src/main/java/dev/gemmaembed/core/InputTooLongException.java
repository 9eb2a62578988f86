package dev.gemmaembed.core;

/** An input longer than the model's context, refused under {@link Truncation#REFUSE}. */
public final class InputTooLongException extends InvalidInputException {

  private static final long serialVersionUID = 1L;

  private final int maxSeqLength;

  public InputTooLongException(int maxSeqLength) {
    super("the input is longer than the model's " + maxSeqLength + "-token context");
    this.maxSeqLength = maxSeqLength;
  }

  /** The model's context in tokens, {@code <bos>} and {@code <eos>} included. */
  public int maxSeqLength() {
    return maxSeqLength;
  }
}
