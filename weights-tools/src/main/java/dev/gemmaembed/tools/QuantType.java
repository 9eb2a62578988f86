package dev.gemmaembed.tools;

import dev.gemmaembed.core.gguf.GgufTensorType;
import java.util.Locale;

/**
 * The {@code --type} of {@code gemma-embed quantize}: which GGUF tensor type each tensor gets.
 * 1-D tensors (the RMSNorm weights) always stay F32, as in llama.cpp.
 */
public enum QuantType implements TensorLayout {
  /** Everything float32 ({@code convert_hf_to_gguf.py --outtype f32}). */
  F32(0),
  /** Matrices float16 ({@code --outtype f16}). */
  F16(1),
  /** Every matrix, token table and Dense included, Q8_0 ({@code llama-quantize --pure … Q8_0}). */
  Q8_0(7),
  /** Every matrix, token table and Dense included, Q4_0 ({@code llama-quantize --pure … Q4_0}). */
  Q4_0(2),
  /** The model card's mixed recipe: attention q/k/v/o Q8_0; token table, feed-forward and Dense Q4_0. */
  MIXED(2);

  private final int fileType;

  QuantType(int fileType) {
    this.fileType = fileType;
  }

  @Override
  public int fileType() {
    return fileType;
  }

  @Override
  public GgufTensorType tensorType(String ggufName, int nDims) {
    if (nDims < 2) {
      return GgufTensorType.F32;
    }
    return switch (this) {
      case F32 -> GgufTensorType.F32;
      case F16 -> GgufTensorType.F16;
      case Q8_0 -> GgufTensorType.Q8_0;
      case Q4_0 -> GgufTensorType.Q4_0;
      case MIXED -> isAttentionProjection(ggufName) ? GgufTensorType.Q8_0 : GgufTensorType.Q4_0;
    };
  }

  private static boolean isAttentionProjection(String n) {
    return n.endsWith(".attn_q.weight") || n.endsWith(".attn_k.weight") || n.endsWith(".attn_v.weight")
        || n.endsWith(".attn_output.weight");
  }

  /** {@code f32}, {@code f16}, {@code q8_0}, {@code q4_0} or {@code mixed}, any case. */
  public static QuantType parse(String s) {
    for (QuantType t : values()) {
      if (t.name().equalsIgnoreCase(s)) {
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
