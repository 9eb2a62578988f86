package dev.gemmaembed.tools;

import java.util.Locale;

/**
 * Shapes and seed of a synthetic EmbeddingGemma 2 checkpoint
 * (shared/tools/eg2/make_synthetic_eg2.py; spec "Synthetic checkpoints"). Field names follow the
 * config keys they become.
 *
 * @param numKeyValueHeads kv heads of the sliding layers; {@code globalNumKeyValueHeads} of the
 *     global ones
 * @param headDim head width of the sliding layers; {@code globalHeadDim} of the global ones
 * @param hiddenSizePerLayerInput the PLE width P
 * @param slidingWindow the inclusive window radius
 * @param partialRotaryFactor when non-null, the global layers use "proportional" RoPE with it
 *     (negative controls only)
 */
public record Eg2SyntheticSpec(
    String name,
    long seed,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int globalNumKeyValueHeads,
    int globalHeadDim,
    int intermediateSize,
    int hiddenSizePerLayerInput,
    int embeddingDim,
    int slidingWindow,
    int vocabSize,
    int maxPositionEmbeddings,
    int maxSeqLength,
    Double partialRotaryFactor) {

  public static final double NORM_STD = 0.1;
  public static final double EMBED_STD = 0.05;

  /** hidden 64, 6 layers, 2 heads, sliding 1×32, global 1×64, PLE 32, radius 8, seed 2026. */
  public static Eg2SyntheticSpec tiny(long seed) {
    return new Eg2SyntheticSpec(
        "embeddinggemma2-synthetic-tiny",
        seed,
        64,
        6,
        2,
        1,
        32,
        1,
        64,
        128,
        32,
        768,
        8,
        262144,
        262144,
        2048,
        null);
  }

  /**
   * The release's text shapes: hidden 512, 24 layers, 4 heads, sliding 2×256, global 1×512, PLE
   * 512, radius 512.
   */
  public static Eg2SyntheticSpec full(long seed) {
    return new Eg2SyntheticSpec(
        "embeddinggemma2-synthetic-full",
        seed,
        512,
        24,
        4,
        2,
        256,
        1,
        512,
        2048,
        512,
        768,
        512,
        262144,
        262144,
        2048,
        null);
  }

  /** {@code tiny} (seed 2026 by default) or {@code full} (seed 270). */
  public static Eg2SyntheticSpec preset(String preset, Long seed) {
    return switch (preset.toLowerCase(Locale.ROOT)) {
      case "tiny" -> tiny(seed == null ? 2026 : seed);
      case "full" -> full(seed == null ? 270 : seed);
      default ->
          throw new IllegalArgumentException("unknown preset '" + preset + "' (tiny or full)");
    };
  }

  /** Layer i is global iff (i + 1) % 6 == 0, and the last layer always (transformers forces it). */
  public boolean global(int layer) {
    return (layer + 1) % 6 == 0 || layer == numHiddenLayers - 1;
  }

  public Eg2SyntheticSpec withSeed(long s) {
    return new Eg2SyntheticSpec(
        name,
        s,
        hiddenSize,
        numHiddenLayers,
        numAttentionHeads,
        numKeyValueHeads,
        headDim,
        globalNumKeyValueHeads,
        globalHeadDim,
        intermediateSize,
        hiddenSizePerLayerInput,
        embeddingDim,
        slidingWindow,
        vocabSize,
        maxPositionEmbeddings,
        maxSeqLength,
        partialRotaryFactor);
  }
}
