package dev.gemmaembed.core.gguf;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tensor names of llama.cpp's {@code gemma-embedding} (and {@code gemma3}) GGUF layout and their
 * Hugging Face equivalents (spec §6.3): {@code layers.3.mlp.up_proj.weight} ↔ {@code
 * blk.3.ffn_up.weight}. The reader and the quantize tool share this one table.
 */
public final class GgufNames {

  /**
   * llama.cpp's Dense modules of an EmbeddingGemma conversion ({@code
   * --sentence-transformers-dense-modules}).
   */
  public static final String DENSE_2 = "dense_2.weight";

  public static final String DENSE_3 = "dense_3.weight";

  /** Ollama's names for the same two layers ({@code gemma3} architecture). */
  public static final String OLLAMA_DENSE_0 = "dense.0.weight";

  public static final String OLLAMA_DENSE_1 = "dense.1.weight";

  private static final Map<String, String> LAYER =
      Map.ofEntries(
          Map.entry("input_layernorm.weight", "attn_norm.weight"),
          Map.entry("self_attn.q_proj.weight", "attn_q.weight"),
          Map.entry("self_attn.k_proj.weight", "attn_k.weight"),
          Map.entry("self_attn.v_proj.weight", "attn_v.weight"),
          Map.entry("self_attn.o_proj.weight", "attn_output.weight"),
          Map.entry("self_attn.q_norm.weight", "attn_q_norm.weight"),
          Map.entry("self_attn.k_norm.weight", "attn_k_norm.weight"),
          Map.entry("post_attention_layernorm.weight", "post_attention_norm.weight"),
          Map.entry("pre_feedforward_layernorm.weight", "ffn_norm.weight"),
          Map.entry("mlp.gate_proj.weight", "ffn_gate.weight"),
          Map.entry("mlp.up_proj.weight", "ffn_up.weight"),
          Map.entry("mlp.down_proj.weight", "ffn_down.weight"),
          Map.entry("post_feedforward_layernorm.weight", "post_ffw_norm.weight"));

  private static final Pattern HF_LAYER = Pattern.compile("(?:model\\.)?layers\\.(\\d+)\\.(.+)");

  private GgufNames() {}

  /**
   * The GGUF name of a Hugging Face transformer tensor (an optional {@code model.} prefix is
   * accepted), or {@code null} if the name is not part of the encoder.
   */
  public static String fromHf(String hfName) {
    String name = hfName.startsWith("model.") ? hfName.substring(6) : hfName;
    switch (name) {
      case "embed_tokens.weight":
        return "token_embd.weight";
      case "norm.weight":
        return "output_norm.weight";
      default:
        break;
    }
    Matcher m = HF_LAYER.matcher(name);
    if (m.matches()) {
      String suffix = LAYER.get(m.group(2));
      return suffix == null ? null : "blk." + m.group(1) + "." + suffix;
    }
    return null;
  }

  /** Whether a GGUF tensor holds RMSNorm weights (stored as 1 + w by llama.cpp's converter). */
  public static boolean isNorm(String ggufName) {
    return ggufName.endsWith("_norm.weight");
  }
}
