package dev.gemmaembed.core;

/** Base of every error gemma-embed reports on purpose; its message says what, where and why. */
public class GemmaEmbedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public GemmaEmbedException(String message) {
    super(message);
  }

  public GemmaEmbedException(String message, Throwable cause) {
    super(message, cause);
  }
}
