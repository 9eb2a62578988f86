package dev.gemmaembed.tools;

import java.util.Locale;

/**
 * Shapes, seed and storage type of a synthetic EmbeddingGemma checkpoint (the recipe's variants and
 * any other).
 */
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
    double normStd,
    SafetensorsWriter.Dtype dtype) {

  public SyntheticSpec {
    for (int v :
        new int[] {
          hidden,
          layers,
          heads,
          kvHeads,
          headDim,
          intermediate,
          denseDim,
          slidingWindow,
          vocab,
          maxPositions
        }) {
      if (v <= 0) {
        throw new IllegalArgumentException("synthetic model shapes must be positive: " + this);
      }
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException("kv heads " + kvHeads + " must divide heads " + heads);
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim must be even (rotary pairs), got " + headDim);
    }
  }

  /** The unit-test model: hidden 64, 6 layers, window 8, seed 1234. */
  public static SyntheticSpec tiny(long seed) {
    return new SyntheticSpec(
        "embeddinggemma-synthetic-tiny",
        64,
        6,
        3,
        1,
        32,
        128,
        256,
        8,
        seed,
        262144,
        2048,
        0.05,
        0.1,
        SafetensorsWriter.Dtype.F32);
  }

  /** The real model's shapes (~1.2 GB of float32), seed 300 for benchmarks. */
  public static SyntheticSpec full(long seed) {
    return new SyntheticSpec(
        "embeddinggemma-synthetic-full",
        768,
        24,
        3,
        1,
        256,
        1152,
        3072,
        512,
        seed,
        262144,
        2048,
        0.05,
        0.1,
        SafetensorsWriter.Dtype.F32);
  }

  /**
   * Every width a multiple of 256, so each K-quant applies to every matrix: hidden 256, 6 layers, 2
   * / 1 heads of 128, intermediate 512, Dense 1024, window 16, seed 777 (shared/golden/kquant).
   */
  public static SyntheticSpec kquant(long seed) {
    return new SyntheticSpec(
        "embeddinggemma-synthetic-kquant",
        256,
        6,
        2,
        1,
        128,
        512,
        1024,
        16,
        seed,
        262144,
        2048,
        0.05,
        0.1,
        SafetensorsWriter.Dtype.F32);
  }

  /** The preset's default seed: 1234 tiny, 300 full, 777 kquant. */
  public static long defaultSeed(String preset) {
    return switch (preset.toLowerCase(Locale.ROOT)) {
      case "tiny" -> 1234;
      case "full" -> 300;
      case "kquant" -> 777;
      default -> throw unknown(preset);
    };
  }

  /** {@code tiny}, {@code full} or {@code kquant}. */
  public static SyntheticSpec preset(String preset, long seed) {
    return switch (preset.toLowerCase(Locale.ROOT)) {
      case "tiny" -> tiny(seed);
      case "full" -> full(seed);
      case "kquant" -> kquant(seed);
      default -> throw unknown(preset);
    };
  }

  private static IllegalArgumentException unknown(String preset) {
    return new IllegalArgumentException("unknown preset '" + preset + "' (tiny, full or kquant)");
  }
}
