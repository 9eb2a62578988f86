package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;

/**
 * One decoder layer's weights. Norm vectors hold the effective scale (1 + w), so the forward pass
 * multiplies by them directly whatever the file stored.
 */
record LayerWeights(
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
    float[] postFeedforwardNorm) {}
