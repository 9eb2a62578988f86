package dev.gemmaembed.core.model;

/**
 * The encoder's hyper-parameters, already resolved from whichever file format supplied them.
 *
 * @param slidingRadius sliding layers let query i see key j iff |i − j| ≤ slidingRadius (serialized
 *     {@code sliding_window} / 2: 512 → 256)
 * @param fullAttention per layer: true for full (global) attention, false for sliding
 * @param ropeFullBase RoPE base of full layers (1e6); {@code ropeFullScale} divides positions
 *     (linear RoPE scaling factor, 1 for EmbeddingGemma)
 * @param ropeSlidingBase RoPE base of sliding layers (1e4)
 * @param queryScale multiplier of q·k (query_pre_attn_scalar^-0.5)
 * @param normWeightsIncludeOne GGUF files store RMSNorm weights as (1 + w) already
 */
public record ModelConfig(
    int vocabSize,
    int hidden,
    int intermediate,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int maxPositions,
    float rmsEps,
    int slidingRadius,
    boolean[] fullAttention,
    double ropeFullBase,
    double ropeFullScale,
    double ropeSlidingBase,
    float queryScale,
    boolean normWeightsIncludeOne) {

  /** sqrt(hidden) rounded once to float32, the factor on token embeddings. */
  public float embedScale() {
    return (float) Math.sqrt(hidden);
  }

  /** Attention window radius of layer {@code l}, or -1 for a full-attention layer. */
  public int radius(int layer) {
    return fullAttention[layer] ? -1 : slidingRadius;
  }
}
