package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;

/**
 * Where the encoder's tensors come from (a safetensors checkpoint, a GGUF file …), addressed by
 * their Hugging Face names ({@code layers.3.mlp.up_proj.weight}). Implementations check shapes and
 * element types and throw a typed error naming the file and tensor.
 */
public interface TensorSource {

  /** Whether a tensor of that name exists. */
  boolean has(String name);

  /** The {@code rows × cols} matrix {@code name} (PyTorch shape {@code [rows, cols]}). */
  WeightMatrix matrix(String name, int rows, int cols);

  /**
   * The {@code rows × cols} matrix {@code name} as a table the encoder only gathers rows from (the
   * token embeddings): a source may read its rows without mapping them ({@link
   * PositionalTokenTable}); by default, the mapped {@link #matrix}.
   */
  default TokenEmbeddings table(String name, int rows, int cols) {
    WeightMatrix m = matrix(name, rows, cols);
    return () -> m;
  }

  /** The length-{@code n} vector {@code name}, as float32. */
  float[] vector(String name, int n);
}
