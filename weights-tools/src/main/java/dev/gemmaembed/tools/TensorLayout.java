package dev.gemmaembed.tools;

import dev.gemmaembed.kernels.WeightType;

/**
 * Which GGUF type each tensor is stored as, and the {@code general.file_type} that summarizes it.
 */
public interface TensorLayout {

  /**
   * The storage type of tensor {@code ggufName} of dimensions {@code ne} (fastest first) in a model
   * of {@code layers} layers, before {@link #fitWidth}.
   */
  WeightType tensorType(String ggufName, long[] ne, int layers);

  /**
   * llama.cpp's LLAMA_FTYPE_* of the file (0 all F32, 1 mostly F16, 2 mostly Q4_0, 7 mostly Q8_0,
   * 15 Q4_K_M …).
   */
  int fileType();

  /**
   * {@code type}, or llama-quantize's fallback when a row of {@code cols} values is not a whole
   * number of its blocks (e.g. the real model's 1152-wide ffn_down under a K-quant): Q2_K, Q3_K and
   * IQ4_XS → IQ4_NL, Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, and F16 where even that does not fit.
   */
  static WeightType fitWidth(WeightType type, long cols) {
    if (cols % type.blockSize() == 0) {
      return type;
    }
    WeightType f =
        switch (type) {
          case Q2_K, Q3_K, IQ4_XS -> WeightType.IQ4_NL;
          case Q4_K -> WeightType.Q5_0;
          case Q5_K -> WeightType.Q5_1;
          case Q6_K -> WeightType.Q8_0;
          default -> WeightType.F16;
        };
    return cols % f.blockSize() == 0 ? f : WeightType.F16;
  }
}
