package dev.gemmaembed.core;

import dev.gemmaembed.kernels.WeightType;

/**
 * Load-time options.
 *
 * @param threads compute threads shared by all calls (default: available processors)
 * @param maxBatchTokens token budget of one forward pass; larger batches are split, which bounds
 *     activation memory (11 KB per token for the 768-wide model; a text longer than the budget runs
 *     alone in a pass of its own length)
 * @param quantize null to compute with the weights as stored; Q8_0 or Q4_0 to quantize every float
 *     matrix of a Hugging Face model (token table and Dense included) in memory at load time, with
 *     ggml's reference quantizer (the same blocks {@code gemma-embed quantize} writes)
 * @param packWeights copy the float matrices into the product kernels' panel layout at load
 *     (default): every pass after runs on the copy. False leaves them as stored, and each product
 *     decodes the panels it needs as it goes: a process that runs one pass (a query on the command
 *     line) skips the copy (406 MB for the full-size float32 model, the larger part of its load
 *     time); such a load, unless it quantizes, also runs the kernels on a background thread while
 *     the tokenizer loads, so the JIT has compiled them by the first pass ({@code EncoderWarmUp}).
 *     The vectors are bitwise the same either way; quantized matrices never pack
 */
public record LoadOptions(
    int threads, int maxBatchTokens, WeightType quantize, boolean packWeights) {

  /**
   * 2048 tokens, EmbeddingGemma's longest sequence, so one buffer set serves every batch (it is
   * allocated at the budget and grows only for a longer text): about 23 MB of activations for the
   * 768-wide model. Throughput does not grow with bigger passes (measured: {@code
   * bench/README.md}), because the products already work in token blocks of at most 256 and
   * attention per sequence.
   */
  public static final int DEFAULT_MAX_BATCH_TOKENS = 2048;

  public static LoadOptions defaults() {
    return new LoadOptions(
        Runtime.getRuntime().availableProcessors(), DEFAULT_MAX_BATCH_TOKENS, null, true);
  }

  /** Options that pack the weights (see {@link #packWeights()}). */
  public LoadOptions(int threads, int maxBatchTokens, WeightType quantize) {
    this(threads, maxBatchTokens, quantize, true);
  }

  public LoadOptions {
    if (threads < 1) {
      throw new InvalidInputException("threads must be >= 1, got " + threads);
    }
    if (maxBatchTokens < 1) {
      throw new InvalidInputException("maxBatchTokens must be >= 1, got " + maxBatchTokens);
    }
    if (quantize != null && !quantize.quantizable()) {
      throw new InvalidInputException(
          "cannot quantize to "
              + quantize
              + " at load time (quantizable: "
              + WeightType.quantizableNames()
              + ")");
    }
  }

  public LoadOptions withThreads(int n) {
    return new LoadOptions(n, maxBatchTokens, quantize, packWeights);
  }

  public LoadOptions withMaxBatchTokens(int n) {
    return new LoadOptions(threads, n, quantize, packWeights);
  }

  /** Quantize a float checkpoint's matrices to {@code format} at load time (null: as stored). */
  public LoadOptions withQuantize(WeightType format) {
    return new LoadOptions(threads, maxBatchTokens, format, packWeights);
  }

  /** Whether to pack the float matrices at load (see {@link #packWeights()}). */
  public LoadOptions withPackWeights(boolean pack) {
    return new LoadOptions(threads, maxBatchTokens, quantize, pack);
  }
}
