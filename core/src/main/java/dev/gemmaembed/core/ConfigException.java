package dev.gemmaembed.core;

import java.nio.file.Path;

/**
 * A configuration file that is missing, malformed, or lacks or mis-states a key the model needs.
 */
public class ConfigException extends GemmaEmbedException {

  private static final long serialVersionUID = 1L;

  public ConfigException(Path file, String message) {
    super(file + ": " + message);
  }

  public ConfigException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
  }
}
