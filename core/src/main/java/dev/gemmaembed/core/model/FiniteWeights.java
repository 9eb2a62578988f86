package dev.gemmaembed.core.model;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.kernels.WeightMatrix;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Load-time finiteness checks of the tensors small enough to read whole on every load: the RMSNorm
 * weights (a few thousand floats per layer) and the sentence-transformers Dense layers (2 × 768 ×
 * 3072 for EmbeddingGemma). A NaN or infinity there would turn every output vector into NaN;
 * checking them here names the tensor. The big matrices are left to the output check ({@code
 * OutputChecks}), which costs nothing when all is well.
 */
public final class FiniteWeights {

  private FiniteWeights() {}

  /**
   * Every norm weight of {@code w}; {@code fileName} turns the Hugging Face name ({@code
   * layers.0.input_layernorm.weight}) into the name the file uses, for the message.
   */
  public static void checkNorms(EncoderWeights w, Path file, UnaryOperator<String> fileName) {
    for (int l = 0; l < w.layers().size(); l++) {
      LayerWeights lw = w.layers().get(l);
      String p = "layers." + l + ".";
      check(lw.inputNorm(), file, fileName.apply(p + "input_layernorm.weight"));
      check(lw.qNorm(), file, fileName.apply(p + "self_attn.q_norm.weight"));
      check(lw.kNorm(), file, fileName.apply(p + "self_attn.k_norm.weight"));
      check(lw.postAttentionNorm(), file, fileName.apply(p + "post_attention_layernorm.weight"));
      check(lw.preFeedforwardNorm(), file, fileName.apply(p + "pre_feedforward_layernorm.weight"));
      check(
          lw.postFeedforwardNorm(), file, fileName.apply(p + "post_feedforward_layernorm.weight"));
    }
    check(w.finalNorm(), file, fileName.apply("norm.weight"));
  }

  /** A Dense layer's weight matrix (read row by row) and bias. */
  public static void checkDense(DenseLayer layer, Path file, String weightName, String biasName) {
    WeightMatrix m = layer.weight();
    float[] row = new float[m.cols()];
    for (int r = 0; r < m.rows(); r++) {
      m.readRow(r, row, 0);
      int bad = firstNonFinite(row);
      if (bad >= 0) {
        throw nonFinite(file, weightName, "row " + r + ", column " + bad, row[bad]);
      }
    }
    if (layer.bias() != null) {
      check(layer.bias(), file, biasName);
    }
  }

  /** Index of the first NaN or infinite element, or -1. */
  static int firstNonFinite(float[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        return i;
      }
    }
    return -1;
  }

  private static void check(float[] v, Path file, String name) {
    int bad = firstNonFinite(v);
    if (bad >= 0) {
      throw nonFinite(file, name, "index " + bad, v[bad]);
    }
  }

  private static CheckpointException nonFinite(Path file, String name, String where, float value) {
    return new CheckpointException(
        file,
        "tensor '"
            + name
            + "' holds "
            + value
            + " at "
            + where
            + ": the file is damaged or was converted wrongly (every vector would come out as NaN)");
  }
}
