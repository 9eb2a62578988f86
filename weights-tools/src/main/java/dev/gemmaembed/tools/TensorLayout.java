package dev.gemmaembed.tools;

import dev.gemmaembed.kernels.WeightType;

/** Which GGUF type each tensor is stored as, and the {@code general.file_type} that summarizes it. */
public interface TensorLayout {

  /** The storage type of tensor {@code ggufName} with {@code nDims} dimensions. */
  WeightType tensorType(String ggufName, int nDims);

  /** llama.cpp's LLAMA_FTYPE_* of the file (0 all F32, 1 mostly F16, 2 mostly Q4_0, 7 mostly Q8_0). */
  int fileType();
}
