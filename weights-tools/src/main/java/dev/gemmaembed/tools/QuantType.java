package dev.gemmaembed.tools;

import dev.gemmaembed.kernels.WeightType;
import java.util.Locale;

/**
 * The {@code --type} of {@code gemma-embed quantize}: which GGUF tensor type each tensor gets.
 * 1-D tensors (the RMSNorm weights) always stay F32, as in llama.cpp.
 */
public enum QuantType implements TensorLayout {
  /** Everything float32 ({@code convert_hf_to_gguf.py --outtype f32}). */
  F32(0, WeightType.F32),
  /** Matrices float16 ({@code --outtype f16}). */
  F16(1, WeightType.F16),
  /** Every matrix, token table and Dense included, Q8_0 ({@code llama-quantize --pure … Q8_0}). */
  Q8_0(7, WeightType.Q8_0),
  /** Every matrix, token table and Dense included, Q4_0 ({@code llama-quantize --pure … Q4_0}). */
  Q4_0(2, WeightType.Q4_0),
  /** The model card's mixed recipe: attention q/k/v/o Q8_0; token table, feed-forward and Dense Q4_0. */
  MIXED(2, null);

  private final int fileType;
  /** The type of every matrix, or null for a recipe that mixes types. */
  private final WeightType uniform;

  QuantType(int fileType, WeightType uniform) {
    this.fileType = fileType;
    this.uniform = uniform;
  }

  @Override
  public int fileType() {
    return fileType;
  }

  @Override
  public WeightType tensorType(String ggufName, int nDims) {
    if (nDims < 2) {
      return WeightType.F32;
    }
    if (uniform != null) {
      return uniform;
    }
    return isAttentionProjection(ggufName) ? WeightType.Q8_0 : WeightType.Q4_0;
  }

  private static boolean isAttentionProjection(String n) {
    return n.endsWith(".attn_q.weight") || n.endsWith(".attn_k.weight") || n.endsWith(".attn_v.weight")
        || n.endsWith(".attn_output.weight");
  }

  /** {@code mixed}, or the name of a weight type ({@link WeightType#parse}) that one of the others writes; any case. */
  public static QuantType parse(String s) {
    if (MIXED.name().equalsIgnoreCase(s)) {
      return MIXED;
    }
    WeightType type = WeightType.named(s).orElse(null);
    for (QuantType t : values()) {
      if (t.uniform != null && t.uniform == type) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown type '" + s + "' (f32, f16, q8_0, q4_0 or mixed)");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
