package dev.gemmaembed.core;

/**
 * Load-time options.
 *
 * @param threads compute threads shared by all calls (default: available processors)
 * @param maxBatchTokens token budget of one forward pass; larger batches are split, which bounds
 *     activation memory (about 30 KB per token for the 768-wide model)
 */
public record LoadOptions(int threads, int maxBatchTokens) {

  public static LoadOptions defaults() {
    return new LoadOptions(Runtime.getRuntime().availableProcessors(), 8192);
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
    return new LoadOptions(n, maxBatchTokens);
  }

  public LoadOptions withMaxBatchTokens(int n) {
    return new LoadOptions(threads, n);
  }
}
