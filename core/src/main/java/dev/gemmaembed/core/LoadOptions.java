package dev.gemmaembed.core;

import dev.gemmaembed.kernels.QuantFormat;

/**
 * Load-time options.
 *
 * @param threads compute threads shared by all calls (default: available processors)
 * @param maxBatchTokens token budget of one forward pass; larger batches are split, which bounds
 *     activation memory (about 30 KB per token for the 768-wide model)
 * @param quantize null to compute with the weights as stored; Q8_0 or Q4_0 to quantize every
 *     float matrix of a Hugging Face model (token table and Dense included) in memory at load time,
 *     with ggml's reference quantizer (the same blocks {@code gemma-embed quantize} writes)
 */
public record LoadOptions(int threads, int maxBatchTokens, QuantFormat quantize) {

  public static LoadOptions defaults() {
    return new LoadOptions(Runtime.getRuntime().availableProcessors(), 8192, null);
  }

  public LoadOptions {
    if (threads < 1) {
      throw new InvalidInputException("threads must be >= 1, got " + threads);
    }
    if (maxBatchTokens < 1) {
      throw new InvalidInputException("maxBatchTokens must be >= 1, got " + maxBatchTokens);
    }
  }

  public LoadOptions withThreads(int n) {
    return new LoadOptions(n, maxBatchTokens, quantize);
  }

  public LoadOptions withMaxBatchTokens(int n) {
    return new LoadOptions(threads, n, quantize);
  }

  /** Quantize a float checkpoint's matrices to {@code format} at load time (null: as stored). */
  public LoadOptions withQuantize(QuantFormat format) {
    return new LoadOptions(threads, maxBatchTokens, format);
  }
}
