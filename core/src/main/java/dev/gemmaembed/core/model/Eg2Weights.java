package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * All weights of the EmbeddingGemma 2 text model, resolved by the names of the spec's "Tensors"
 * table after the checkpoint's prefix (see {@link Eg2TensorSource}): the token table {@code [vocab,
 * H]}, the PLE projection {@code [L·P, H]} and its norm {@code [P]}, the layers, the final norm
 * {@code [H]} and {@code embedding_projection} {@code [E, H]}.
 */
public record Eg2Weights(
    TokenEmbeddings embedTokens,
    WeightMatrix pleProjection,
    float[] pleNorm,
    List<Eg2LayerWeights> layers,
    float[] finalNorm,
    WeightMatrix embeddingProjection) {

  /**
   * The PLE projection and norm: nested under {@code ple.} (current converter) or flat (an earlier
   * one).
   */
  static final String[] PLE_PROJECTION = {
    "ple.per_layer_model_projection.weight", "per_layer_model_projection.weight"
  };

  static final String[] PLE_NORM = {
    "ple.per_layer_projection_norm.weight", "per_layer_projection_norm.weight"
  };

  /** Reads every tensor the forward pass needs, checking shapes against {@code cfg}. */
  public static Eg2Weights load(Eg2Config cfg, TensorSource src) {
    int h = cfg.hidden();
    int f = cfg.intermediate();
    int p = cfg.pleDim();
    List<Eg2LayerWeights> layers = new ArrayList<>(cfg.layers());
    for (int l = 0; l < cfg.layers(); l++) {
      String b = "layers." + l + ".";
      int d = cfg.headDim()[l];
      int qDim = cfg.heads() * d;
      int kvDim = cfg.kvHeads()[l] * d;
      layers.add(
          new Eg2LayerWeights(
              src.vector(b + "input_layernorm.weight", h),
              src.matrix(b + "self_attn.q_proj.weight", qDim, h),
              src.matrix(b + "self_attn.k_proj.weight", kvDim, h),
              src.matrix(b + "self_attn.v_proj.weight", kvDim, h),
              src.matrix(b + "self_attn.o_proj.weight", h, qDim),
              src.vector(b + "self_attn.q_norm.weight", d),
              src.vector(b + "self_attn.k_norm.weight", d),
              src.vector(b + "post_attention_layernorm.weight", h),
              src.vector(b + "pre_feedforward_layernorm.weight", h),
              src.matrix(b + "mlp.gate_proj.weight", f, h),
              src.matrix(b + "mlp.up_proj.weight", f, h),
              src.matrix(b + "mlp.down_proj.weight", h, f),
              src.vector(b + "post_feedforward_layernorm.weight", h),
              src.matrix(
                  either(
                      src,
                      b + "ple_block.per_layer_input_gate.weight",
                      b + "per_layer_input_gate.weight"),
                  p,
                  h),
              src.matrix(
                  either(
                      src,
                      b + "ple_block.per_layer_projection.weight",
                      b + "per_layer_projection.weight"),
                  h,
                  p),
              src.vector(
                  either(
                      src,
                      b + "ple_block.post_per_layer_input_norm.weight",
                      b + "post_per_layer_input_norm.weight"),
                  h),
              src.vector(b + "layer_scalar", 1)[0]));
    }
    return new Eg2Weights(
        src.table("embed_tokens.weight", cfg.vocabSize(), h),
        src.matrix(either(src, PLE_PROJECTION[0], PLE_PROJECTION[1]), cfg.layers() * p, h),
        src.vector(either(src, PLE_NORM[0], PLE_NORM[1]), p),
        List.copyOf(layers),
        src.vector("norm.weight", h),
        src.matrix("embedding_projection.weight", cfg.embeddingDim(), h));
  }

  /**
   * {@code current} if the source has it or lacks both (so a missing tensor is named as it is
   * written today).
   */
  private static String either(TensorSource src, String current, String earlier) {
    return !src.has(current) && src.has(earlier) ? earlier : current;
  }

  /** Every matrix a product runs on (not the token table, which is only gathered by row). */
  List<WeightMatrix> productMatrices() {
    List<WeightMatrix> out = new ArrayList<>();
    out.add(pleProjection);
    for (Eg2LayerWeights l : layers) {
      out.addAll(List.of(l.matrices()));
    }
    out.add(embeddingProjection);
    return out;
  }
}
