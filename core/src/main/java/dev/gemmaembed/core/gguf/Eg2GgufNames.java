package dev.gemmaembed.core.gguf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code gemma-embedding2} GGUF layout of an EmbeddingGemma 2 text model: tensor names of
 * llama.cpp's {@code src/models/gemma-embedding2.cpp} as the spec lists them, and the metadata
 * keys. The spec marks both unverified (llama.cpp's converter was not available): the keys {@link
 * #OURS} lists are gemma-embed's choice and {@code inspect} says so. The reader and the quantize
 * tool share this one table. Norm weights are stored as is (Gemma 4 norms multiply by w).
 */
public final class Eg2GgufNames {

  public static final String ARCH = "gemma-embedding2";
  static final String P = ARCH + ".";

  public static final String BLOCK_COUNT = P + "block_count";
  public static final String CONTEXT_LENGTH = P + "context_length";
  public static final String EMBEDDING_LENGTH = P + "embedding_length";
  public static final String FEED_FORWARD_LENGTH = P + "feed_forward_length";
  public static final String HEAD_COUNT = P + "attention.head_count";

  /** Per layer (INT32 array). */
  public static final String HEAD_COUNT_KV = P + "attention.head_count_kv";

  /** Head width of the global layers; {@link #KEY_LENGTH_SWA} of the sliding ones. */
  public static final String KEY_LENGTH = P + "attention.key_length";

  public static final String KEY_LENGTH_SWA = P + "attention.key_length_swa";

  /** Twice the inclusive radius (llama.cpp's symmetric window masks |i − j| &gt; n_swa / 2). */
  public static final String SLIDING_WINDOW = P + "attention.sliding_window";

  /** Per layer (BOOL or INT32 array): true / non-zero for a sliding layer. */
  public static final String SLIDING_WINDOW_PATTERN = P + "attention.sliding_window_pattern";

  public static final String RMS_EPS = P + "attention.layer_norm_rms_epsilon";
  public static final String PLE_WIDTH = P + "embedding_length_per_layer_input";
  public static final String FREQ_BASE = P + "rope.freq_base";
  public static final String FREQ_BASE_SWA = P + "rope.freq_base_swa";

  /**
   * Rotated dims of the global / sliding layers: the head width for default RoPE, 2·pairs for
   * proportional.
   */
  public static final String ROPE_DIMS = P + "rope.dimension_count";

  public static final String ROPE_DIMS_SWA = P + "rope.dimension_count_swa";
  public static final String POOLING_TYPE = P + "pooling_type";

  /** Keys whose name or meaning gemma-embed chose (no llama.cpp converter to follow). */
  public static final List<String> OURS =
      List.of(
          HEAD_COUNT_KV,
          KEY_LENGTH_SWA,
          SLIDING_WINDOW,
          SLIDING_WINDOW_PATTERN,
          PLE_WIDTH,
          ROPE_DIMS,
          ROPE_DIMS_SWA);

  /** Keys the loader cannot do without. */
  public static final List<String> REQUIRED =
      List.of(
          BLOCK_COUNT,
          EMBEDDING_LENGTH,
          FEED_FORWARD_LENGTH,
          HEAD_COUNT,
          HEAD_COUNT_KV,
          KEY_LENGTH,
          KEY_LENGTH_SWA,
          SLIDING_WINDOW,
          SLIDING_WINDOW_PATTERN,
          PLE_WIDTH);

  private static final Map<String, String> GLOBAL =
      Map.of(
          "embed_tokens.weight", "token_embd.weight",
          "ple.per_layer_model_projection.weight", "per_layer_model_proj.weight",
          "per_layer_model_projection.weight", "per_layer_model_proj.weight",
          "ple.per_layer_projection_norm.weight", "per_layer_proj_norm.weight",
          "per_layer_projection_norm.weight", "per_layer_proj_norm.weight",
          "norm.weight", "output_norm.weight",
          "embedding_projection.weight", "output.weight");

  private static final Map<String, String> LAYER = layer();

  private static final Pattern HF_LAYER = Pattern.compile("layers\\.(\\d+)\\.(.+)");

  private Eg2GgufNames() {}

  private static Map<String, String> layer() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("input_layernorm.weight", "attn_norm.weight");
    m.put("self_attn.q_proj.weight", "attn_q.weight");
    m.put("self_attn.k_proj.weight", "attn_k.weight");
    m.put("self_attn.v_proj.weight", "attn_v.weight");
    m.put("self_attn.o_proj.weight", "attn_output.weight");
    m.put("self_attn.q_norm.weight", "attn_q_norm.weight");
    m.put("self_attn.k_norm.weight", "attn_k_norm.weight");
    m.put("post_attention_layernorm.weight", "attn_post_norm.weight");
    m.put("pre_feedforward_layernorm.weight", "ffn_norm.weight");
    m.put("mlp.gate_proj.weight", "ffn_gate.weight");
    m.put("mlp.up_proj.weight", "ffn_up.weight");
    m.put("mlp.down_proj.weight", "ffn_down.weight");
    m.put("post_feedforward_layernorm.weight", "ffn_post_norm.weight");
    m.put("ple_block.per_layer_input_gate.weight", "per_layer_inp_gate.weight");
    m.put("per_layer_input_gate.weight", "per_layer_inp_gate.weight");
    m.put("ple_block.per_layer_projection.weight", "per_layer_proj.weight");
    m.put("per_layer_projection.weight", "per_layer_proj.weight");
    m.put("ple_block.post_per_layer_input_norm.weight", "per_layer_post_norm.weight");
    m.put("post_per_layer_input_norm.weight", "per_layer_post_norm.weight");
    m.put("layer_scalar", "layer_output_scale.weight");
    return m;
  }

  /**
   * The GGUF name of a text-model tensor (named after {@code language_model.}), or null if none.
   */
  public static String fromHf(String hfName) {
    String g = GLOBAL.get(hfName);
    if (g != null) {
      return g;
    }
    Matcher m = HF_LAYER.matcher(hfName);
    if (m.matches()) {
      String suffix = LAYER.get(m.group(2));
      return suffix == null ? null : "blk." + m.group(1) + "." + suffix;
    }
    return null;
  }

  /** Every GGUF tensor an {@code layers}-layer model needs. */
  public static List<String> requiredTensors(int layers) {
    List<String> out =
        new java.util.ArrayList<>(
            List.of(
                "token_embd.weight",
                "per_layer_model_proj.weight",
                "per_layer_proj_norm.weight",
                "output_norm.weight",
                "output.weight"));
    for (int l = 0; l < layers; l++) {
      for (String suffix : new java.util.LinkedHashSet<>(LAYER.values())) {
        out.add("blk." + l + "." + suffix);
      }
    }
    return out;
  }
}
