package dev.gemmaembed.core.model;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.kernels.BlockFormat;
import dev.gemmaembed.kernels.BlockFormatMatrix;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** The exponent bits of an fp16 value: all set for NaN and the infinities. */
  private static final int FP16_EXPONENT = 0x7C00;

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

  /**
   * A Dense layer's weight matrix and bias. A quantized row is decoded only when one of its block
   * scales is NaN or infinite: the values of a block are its small integers times (or plus) finite
   * fp16 scales, which cannot overflow float32, so only such a row can hold a non-finite value.
   * Decoding all 2 × 768 × 3072 values to look took ~300 ms of a one-text job, since the Vector API
   * decoders run interpreted that early. Float rows are read as stored (a copy, or a scalar
   * widening).
   */
  public static void checkDense(DenseLayer layer, Path file, String weightName, String biasName) {
    WeightMatrix m = layer.weight();
    float[] row = new float[m.cols()];
    for (int r = 0; r < m.rows(); r++) {
      if (!scalesFinite(m, r)) {
        m.readRow(r, row, 0);
        int bad = firstNonFinite(row);
        if (bad >= 0) {
          throw nonFinite(file, weightName, "row " + r + ", column " + bad, row[bad]);
        }
      }
    }
    if (layer.bias() != null) {
      check(layer.bias(), file, biasName);
    }
  }

  /**
   * Whether every block scale of row {@code r} is finite, for a quantized format whose scales are
   * known; false (decode the row) otherwise. Q4_0 and Q8_0 blocks start with their fp16 scale; a
   * {@link BlockFormat} names its own scales.
   */
  private static boolean scalesFinite(WeightMatrix m, int r) {
    if (m instanceof BlockFormatMatrix b) {
      BlockFormat f = b.format();
      long at = r * f.rowBytes(m.cols());
      return f.firstNonFiniteScale(m.data(), at, m.cols() / f.blockValues()) < 0;
    }
    WeightType t = m.type();
    if (t != WeightType.Q4_0 && t != WeightType.Q8_0) {
      return false;
    }
    long rowBytes = t.rowBytes(m.cols());
    for (long o = r * rowBytes; o < (r + 1) * rowBytes; o += t.blockBytes()) {
      if ((m.data().get(LE_SHORT, o) & FP16_EXPONENT) == FP16_EXPONENT) {
        return false;
      }
    }
    return true;
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
