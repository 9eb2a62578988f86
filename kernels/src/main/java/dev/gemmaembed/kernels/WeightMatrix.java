package dev.gemmaembed.kernels;

/**
 * A read-only weight matrix of {@code rows × cols} in some storage format (row = one output
 * channel, as PyTorch's {@code [out, in]} and GGUF's {@code ne = [in, out]}).
 *
 * <p>Implementations must compute every output element with the same sequence of floating-point
 * operations whatever the tile, thread or batch it falls in, so that results are bitwise
 * independent of batching and thread count.
 */
public interface WeightMatrix {

  int rows();

  int cols();

  /** Bytes of storage this matrix occupies (mapped or heap). */
  long byteSize();

  /**
   * {@code out[t * outStride + outOffset + r] = Σ_c x[t * cols + c] · W[r][c]} for every token
   * {@code t < tokens} and row {@code rowStart <= r < rowEnd}; {@code x} is {@code tokens × cols}.
   */
  void multiply(float[] x, int tokens, float[] out, int outStride, int outOffset, int rowStart, int rowEnd);

  /** Writes row {@code r} as float32 into {@code dst[dstOffset ..]} (embedding lookup). */
  void readRow(int r, float[] dst, int dstOffset);

  /**
   * Row ranges handed to {@link #multiply} by a parallel split start at multiples of this (the
   * storage's row block, so no block is decoded by two threads).
   */
  default int rowGrain() {
    return 16;
  }

  /**
   * Builds whatever re-laid copy {@link #multiply} uses, so the first product doesn't pay for it
   * (see {@link RowDecodingMatrix}). Idempotent and thread-safe; by default there is nothing to build.
   */
  default void prepare() {}
}
