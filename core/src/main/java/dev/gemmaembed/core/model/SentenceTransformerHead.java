package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.SimdKernels;
import java.util.List;

/**
 * The modules after the transformer (spec §3): pooling over each sequence's real tokens (bos, eos
 * and prompt included), the Dense layers in order, then L2 normalisation when configured.
 */
public record SentenceTransformerHead(
    List<PoolingMode> pooling, List<DenseLayer> dense, boolean normalize) {

  public SentenceTransformerHead {
    pooling = List.copyOf(pooling);
    dense = List.copyOf(dense);
    if (pooling.isEmpty()) {
      throw new IllegalArgumentException("at least one pooling mode is required");
    }
  }

  /** Width of the pooled vector for a given hidden size. */
  public int pooledDim(int hidden) {
    return hidden * pooling.size();
  }

  /** Width of the final embedding. */
  public int outputDim(int hidden) {
    return dense.isEmpty() ? pooledDim(hidden) : dense.getLast().out();
  }

  /**
   * Turns packed hidden states ({@code [Σ lengths × hidden]}, sequences end to end) into one
   * embedding per sequence, {@code [sequences × outputDim]}.
   */
  public float[] apply(float[] hiddenStates, int hidden, int[] lengths, ComputePool pool) {
    int b = lengths.length;
    int pooledDim = pooledDim(hidden);
    float[] cur = new float[b * pooledDim];
    int start = 0;
    for (int s = 0; s < b; s++) {
      int m = 0;
      for (PoolingMode mode : pooling) {
        pool(mode, hiddenStates, start, lengths[s], hidden, cur, s * pooledDim + m * hidden);
        m++;
      }
      start += lengths[s];
    }
    int dim = pooledDim;
    for (DenseLayer layer : dense) {
      float[] next = new float[b * layer.out()];
      Matmul.multiply(pool, layer.weight(), cur, b, next);
      for (int s = 0; s < b; s++) {
        for (int j = 0; j < layer.out(); j++) {
          float v = next[s * layer.out() + j];
          if (layer.bias() != null) {
            v += layer.bias()[j];
          }
          next[s * layer.out() + j] = layer.tanh() ? (float) Math.tanh(v) : v;
        }
      }
      cur = next;
      dim = layer.out();
    }
    if (normalize) {
      for (int s = 0; s < b; s++) {
        SimdKernels.l2Normalize(cur, s * dim, dim);
      }
    }
    return cur;
  }

  private static void pool(
      PoolingMode mode, float[] x, int start, int len, int h, float[] out, int o) {
    switch (mode) {
      case CLS -> System.arraycopy(x, start * h, out, o, h);
      case LAST_TOKEN -> System.arraycopy(x, (start + len - 1) * h, out, o, h);
      case MAX -> {
        System.arraycopy(x, start * h, out, o, h);
        for (int t = 1; t < len; t++) {
          for (int j = 0; j < h; j++) {
            out[o + j] = Math.max(out[o + j], x[(start + t) * h + j]);
          }
        }
      }
      case MEAN, MEAN_SQRT_LEN -> {
        java.util.Arrays.fill(out, o, o + h, 0f);
        for (int t = 0; t < len; t++) {
          SimdKernels.add(out, o, x, (start + t) * h, h);
        }
        float div = mode == PoolingMode.MEAN ? (float) len : (float) Math.sqrt(len);
        for (int j = 0; j < h; j++) {
          out[o + j] /= div;
        }
      }
    }
  }
}
