package dev.gemmaembed.spark;

import dev.gemmaembed.core.GemmaEmbedException;

/**
 * The model could not be found or loaded on an executor. Thrown inside the task, so Spark fails the
 * job with this message (it names the host, the path and how the model was to be found).
 */
public class ModelUnavailableException extends GemmaEmbedException {

  private static final long serialVersionUID = 1L;

  public ModelUnavailableException(String message) {
    super(message);
  }

  public ModelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
