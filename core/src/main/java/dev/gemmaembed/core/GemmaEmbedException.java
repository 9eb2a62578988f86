package dev.gemmaembed.core;

/** Base of every error gemma-embed reports on purpose; its message says what, where and why. */
public class GemmaEmbedException extends RuntimeException {

  public GemmaEmbedException(String message) {
    super(message);
  }

  public GemmaEmbedException(String message, Throwable cause) {
    super(message, cause);
  }
}
