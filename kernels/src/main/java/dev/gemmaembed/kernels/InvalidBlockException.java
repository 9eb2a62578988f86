package dev.gemmaembed.kernels;

/**
 * Quantized weights whose stored bytes cannot be decoded: a block's fp16 scale is NaN or infinite.
 */
public final class InvalidBlockException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidBlockException(String message) {
    super(message);
  }
}
