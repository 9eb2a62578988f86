package dev.gemmaembed.tools;

import dev.gemmaembed.kernels.WeightType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The {@code --type} of {@code gemma-embed quantize}: which GGUF tensor type each tensor gets. 1-D
 * tensors (the RMSNorm weights) always stay F32, as in llama.cpp. The single-type entries are
 * {@code llama-quantize --pure}: every matrix, token table and Dense included, in that type (a
 * matrix whose rows do not fit the type's block falls back, see {@link TensorLayout#fitWidth}).
 */
public enum QuantType implements TensorLayout {
  /**
   * Everything float32 ({@code convert_hf_to_gguf.py --outtype f32}): what llama-quantize starts
   * from.
   */
  F32(0, null),
  /** Matrices float16 ({@code --outtype f16}). */
  F16(1, WeightType.F16),
  Q8_0(7, WeightType.Q8_0),
  Q4_0(2, WeightType.Q4_0),
  Q4_1(3, WeightType.Q4_1),
  Q5_0(8, WeightType.Q5_0),
  Q5_1(9, WeightType.Q5_1),
  Q2_K(10, WeightType.Q2_K),
  /** llama-quantize's {@code Q3_K} is its Q3_K_M file type (12). */
  Q3_K(12, WeightType.Q3_K),
  /** llama-quantize's {@code Q4_K} is its Q4_K_M file type (15). */
  Q4_K(15, WeightType.Q4_K),
  /** llama-quantize's {@code Q5_K} is its Q5_K_M file type (17). */
  Q5_K(17, WeightType.Q5_K),
  Q6_K(18, WeightType.Q6_K),
  IQ4_NL(25, WeightType.IQ4_NL),
  IQ4_XS(30, WeightType.IQ4_XS),
  /**
   * llama-quantize's default Q4_K_M mix (without {@code --pure}): Q4_K everywhere except the token
   * table (Q6_K, as the output matrix of a model without one), and attn_v and ffn_down of the
   * layers {@link #useMoreBits} picks (Q6_K).
   */
  Q4_K_M(15, WeightType.Q4_K),
  /**
   * The model card's mixed recipe: attention q/k/v/o Q8_0; token table, feed-forward and Dense
   * Q4_0.
   */
  MIXED(2, WeightType.Q4_0);

  private final int fileType;
  private final WeightType matrixType;

  QuantType(int fileType, WeightType matrixType) {
    this.fileType = fileType;
    this.matrixType = matrixType;
  }

  @Override
  public int fileType() {
    return fileType;
  }

  @Override
  public WeightType tensorType(String ggufName, long[] ne, int layers) {
    if (ne.length < 2 || this == F32) {
      return WeightType.F32;
    }
    return switch (this) {
      case MIXED -> isAttentionProjection(ggufName) ? WeightType.Q8_0 : WeightType.Q4_0;
      case Q4_K_M -> q4kmType(ggufName, layers);
      default -> matrixType;
    };
  }

  private static WeightType q4kmType(String ggufName, int layers) {
    if (ggufName.equals("token_embd.weight")) {
      return WeightType.Q6_K;
    }
    int layer = layerOf(ggufName);
    boolean more = layer >= 0 && useMoreBits(layer, layers);
    if (more && (ggufName.endsWith(".attn_v.weight") || ggufName.endsWith(".ffn_down.weight"))) {
      return WeightType.Q6_K;
    }
    return WeightType.Q4_K;
  }

  /**
   * llama.cpp's {@code use_more_bits}: the first and last eighth of the layers and every third one
   * between.
   */
  static boolean useMoreBits(int layer, int layers) {
    return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
  }

  /** N of {@code blk.N.…}, or −1. */
  private static int layerOf(String ggufName) {
    if (!ggufName.startsWith("blk.")) {
      return -1;
    }
    int dot = ggufName.indexOf('.', 4);
    return dot < 0 ? -1 : Integer.parseInt(ggufName.substring(4, dot));
  }

  private static boolean isAttentionProjection(String n) {
    return n.endsWith(".attn_q.weight")
        || n.endsWith(".attn_k.weight")
        || n.endsWith(".attn_v.weight")
        || n.endsWith(".attn_output.weight");
  }

  /** A type's lower-case name ({@code q4_k_m}, …), any case. */
  public static QuantType parse(String s) {
    for (QuantType t : values()) {
      if (t.name().equalsIgnoreCase(s)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown type '" + s + "' (" + names() + ")");
  }

  /** Every type's name, comma separated. */
  public static String names() {
    return Arrays.stream(values()).map(QuantType::toString).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
