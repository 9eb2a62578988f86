package dev.gemmaembed.core;

/** A text, token id or option the caller passed that the model cannot embed. */
public class InvalidInputException extends GemmaEmbedException {

  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }
}
