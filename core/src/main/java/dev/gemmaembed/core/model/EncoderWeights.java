package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/** All weights of the Gemma 3 encoder, resolved from a {@link TensorSource}. */
public record EncoderWeights(
    TokenEmbeddings embedTokens, List<LayerWeights> layers, float[] finalNorm) {

  /** Reads every tensor the forward pass needs, checking shapes against {@code cfg}. */
  public static EncoderWeights load(ModelConfig cfg, TensorSource src) {
    int h = cfg.hidden();
    int qDim = cfg.heads() * cfg.headDim();
    int kvDim = cfg.kvHeads() * cfg.headDim();
    int f = cfg.intermediate();
    List<LayerWeights> layers = new ArrayList<>(cfg.layers());
    for (int l = 0; l < cfg.layers(); l++) {
      String p = "layers." + l + ".";
      layers.add(
          new LayerWeights(
              norm(cfg, src, p + "input_layernorm.weight", h),
              src.matrix(p + "self_attn.q_proj.weight", qDim, h),
              src.matrix(p + "self_attn.k_proj.weight", kvDim, h),
              src.matrix(p + "self_attn.v_proj.weight", kvDim, h),
              src.matrix(p + "self_attn.o_proj.weight", h, qDim),
              norm(cfg, src, p + "self_attn.q_norm.weight", cfg.headDim()),
              norm(cfg, src, p + "self_attn.k_norm.weight", cfg.headDim()),
              norm(cfg, src, p + "post_attention_layernorm.weight", h),
              norm(cfg, src, p + "pre_feedforward_layernorm.weight", h),
              src.matrix(p + "mlp.gate_proj.weight", f, h),
              src.matrix(p + "mlp.up_proj.weight", f, h),
              src.matrix(p + "mlp.down_proj.weight", h, f),
              norm(cfg, src, p + "post_feedforward_layernorm.weight", h)));
    }
    WeightMatrix table = src.matrix("embed_tokens.weight", cfg.vocabSize(), h);
    return new EncoderWeights(() -> table, List.copyOf(layers), norm(cfg, src, "norm.weight", h));
  }

  /** Gemma's RMSNorm scales by (1 + w), added in float32 exactly as transformers does. */
  private static float[] norm(ModelConfig cfg, TensorSource src, String name, int n) {
    float[] w = src.vector(name, n);
    if (!cfg.normWeightsIncludeOne()) {
      for (int i = 0; i < n; i++) {
        w[i] = 1f + w[i];
      }
    }
    return w;
  }

  /** Bytes of all matrices (mapped or heap), for reports. */
  public long matrixBytes() {
    long total = embedTokens.matrix().byteSize();
    for (LayerWeights l : layers) {
      total +=
          l.q().byteSize()
              + l.k().byteSize()
              + l.v().byteSize()
              + l.o().byteSize()
              + l.gate().byteSize()
              + l.up().byteSize()
              + l.down().byteSize();
    }
    return total;
  }
}
