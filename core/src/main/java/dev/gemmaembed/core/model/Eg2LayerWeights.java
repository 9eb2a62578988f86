package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;

/**
 * One EmbeddingGemma 2 layer's weights. Norm vectors are the stored weights as is (Gemma 4 norms
 * multiply by w, not 1 + w). Shapes for head width d and kv heads kv of this layer, hidden H,
 * intermediate I, PLE width P: q {@code [heads·d, H]}, k/v {@code [kv·d, H]}, o {@code [H,
 * heads·d]}, q/k norms {@code [d]}, gate/up {@code [I, H]}, down {@code [H, I]}, PLE gate {@code
 * [P, H]}, PLE projection {@code [H, P]}.
 */
public record Eg2LayerWeights(
    float[] inputNorm,
    WeightMatrix q,
    WeightMatrix k,
    WeightMatrix v,
    WeightMatrix o,
    float[] qNorm,
    float[] kNorm,
    float[] postAttentionNorm,
    float[] preFeedforwardNorm,
    WeightMatrix gate,
    WeightMatrix up,
    WeightMatrix down,
    float[] postFeedforwardNorm,
    WeightMatrix pleGate,
    WeightMatrix pleProjection,
    float[] plePostNorm,
    float layerScalar) {

  WeightMatrix[] matrices() {
    return new WeightMatrix[] {q, k, v, o, gate, up, down, pleGate, pleProjection};
  }
}
