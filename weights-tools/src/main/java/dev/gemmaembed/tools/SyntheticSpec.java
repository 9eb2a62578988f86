package dev.gemmaembed.tools;

import java.util.Locale;

/** Shapes and seed of a synthetic EmbeddingGemma checkpoint (the recipe's variants and any other). */
public record SyntheticSpec(
    String name,
    int hidden,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int intermediate,
    int denseDim,
    int slidingWindow,
    long seed,
    int vocab,
    int maxPositions,
    double embedStd,
    double normStd) {

  /** The unit-test model: hidden 64, 6 layers, window 8, seed 1234. */
  public static SyntheticSpec tiny(long seed) {
    return new SyntheticSpec("embeddinggemma-synthetic-tiny", 64, 6, 3, 1, 32, 128, 256, 8, seed, 262144, 2048, 0.05, 0.1);
  }

  /** The real model's shapes (~1.2 GB of float32), seed 300 for benchmarks. */
  public static SyntheticSpec full(long seed) {
    return new SyntheticSpec("embeddinggemma-synthetic-full", 768, 24, 3, 1, 256, 1152, 3072, 512, seed, 262144, 2048, 0.05, 0.1);
  }

  /** {@code tiny} or {@code full}. */
  public static SyntheticSpec preset(String preset, long seed) {
    return switch (preset.toLowerCase(Locale.ROOT)) {
      case "tiny" -> tiny(seed);
      case "full" -> full(seed);
      default -> throw new IllegalArgumentException("unknown preset '" + preset + "' (tiny or full)");
    };
  }
}
