package dev.gemmaembed.core;

/**
 * The model produced an embedding holding NaN or an infinity: a fault of the model files (weights
 * or config values out of range), never of the text. Thrown instead of returning the vector, so
 * that no caller stores or compares NaN unknowingly.
 */
public class NonFiniteOutputException extends GemmaEmbedException {

  private static final long serialVersionUID = 1L;

  public NonFiniteOutputException(String message) {
    super(message);
  }
}
