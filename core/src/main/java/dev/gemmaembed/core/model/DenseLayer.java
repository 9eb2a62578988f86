package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;

/**
 * A sentence-transformers {@code Dense} module: {@code y = act(W·x + b)}, W of shape {@code [out,
 * in]}; {@code bias} is null when the layer has none.
 */
public record DenseLayer(WeightMatrix weight, float[] bias, boolean tanh) {

  public int in() {
    return weight.cols();
  }

  public int out() {
    return weight.rows();
  }
}
