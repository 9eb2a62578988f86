package dev.gemmaembed.core;

import java.nio.file.Path;

/** A weight file that is missing, truncated, malformed or holds tensors the model cannot use. */
public class CheckpointException extends GemmaEmbedException {

  private static final long serialVersionUID = 1L;

  public CheckpointException(Path file, String message) {
    super(file + ": " + message);
  }

  public CheckpointException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
  }
}
