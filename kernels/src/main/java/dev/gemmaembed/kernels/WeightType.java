package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The storage types of weights as ggml defines them (GGUF tensor infos store the id; safetensors
 * dtypes and the CLI's {@code --type}/{@code --quantize} values are the same names): the one table
 * of block geometry, and of which {@link WeightMatrix} class computes with each type.
 *
 * <p>Every type of ggml is listed, so that any GGUF file's layout can be validated and shown; the
 * ones with a matrix class are {@link #computable()}. A new format is one {@link WeightMatrix}
 * subclass (its decode, and its quantizer if it has one) plus its constructor here; the legacy Q4_1
 * / Q5_0 / Q5_1, K-quant and IQ4 layouts share {@link BlockFormatMatrix}, each with its {@link
 * BlockFormat} (decode) and {@link BlockFormatQuantizer} (llama-quantize's quantizer).
 */
public enum WeightType {
  F32(0, 1, 4, F32Matrix::new),
  F16(1, 1, 2, F16Matrix::new),
  Q4_0(2, 32, 18, Q4_0Matrix::new, Q4_0Matrix::quantizeBlock),
  Q4_1(
      3,
      32,
      20,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q4_1, d, r, c),
      BlockFormatQuantizer.Q4_1::quantizeBlock),
  Q5_0(
      6,
      32,
      22,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q5_0, d, r, c),
      BlockFormatQuantizer.Q5_0::quantizeBlock),
  Q5_1(
      7,
      32,
      24,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q5_1, d, r, c),
      BlockFormatQuantizer.Q5_1::quantizeBlock),
  Q8_0(8, 32, 34, Q8_0Matrix::new, Q8_0Matrix::quantizeBlock),
  Q8_1(9, 32, 36),
  Q2_K(
      10,
      256,
      84,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q2_K, d, r, c),
      BlockFormatQuantizer.Q2_K::quantizeBlock),
  Q3_K(
      11,
      256,
      110,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q3_K, d, r, c),
      BlockFormatQuantizer.Q3_K::quantizeBlock),
  Q4_K(
      12,
      256,
      144,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q4_K, d, r, c),
      BlockFormatQuantizer.Q4_K::quantizeBlock),
  Q5_K(
      13,
      256,
      176,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q5_K, d, r, c),
      BlockFormatQuantizer.Q5_K::quantizeBlock),
  Q6_K(
      14,
      256,
      210,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.Q6_K, d, r, c),
      BlockFormatQuantizer.Q6_K::quantizeBlock),
  Q8_K(15, 256, 292),
  IQ2_XXS(16, 256, 66),
  IQ2_XS(17, 256, 74),
  IQ3_XXS(18, 256, 98),
  IQ1_S(19, 256, 50),
  IQ4_NL(
      20,
      32,
      18,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.IQ4_NL, d, r, c),
      BlockFormatQuantizer.IQ4_NL::quantizeBlock),
  IQ3_S(21, 256, 110),
  IQ2_S(22, 256, 82),
  IQ4_XS(
      23,
      256,
      136,
      (d, r, c) -> new BlockFormatMatrix(BlockFormat.IQ4_XS, d, r, c),
      BlockFormatQuantizer.IQ4_XS::quantizeBlock),
  I8(24, 1, 1),
  I16(25, 1, 2),
  I32(26, 1, 4),
  I64(27, 1, 8),
  F64(28, 1, 8),
  IQ1_M(29, 256, 56),
  BF16(30, 1, 2, Bf16Matrix::new),
  TQ1_0(34, 256, 54),
  TQ2_0(35, 256, 66),
  MXFP4(39, 32, 17);

  /** The matrix class of a computable type: a {@code rows × cols} view of {@code data}. */
  @FunctionalInterface
  public interface MatrixFactory {
    WeightMatrix matrix(MemorySegment data, int rows, int cols);
  }

  /**
   * A format's reference quantizer: one block of {@code blockSize} values from {@code x[off ..]} to
   * {@code dst[o ..]}.
   */
  @FunctionalInterface
  interface BlockQuantizer {
    void quantizeBlock(float[] x, int off, MemorySegment dst, long o);
  }

  private static final Map<Integer, WeightType> BY_ID = new HashMap<>();

  static {
    for (WeightType t : values()) {
      BY_ID.put(t.ggmlId, t);
    }
  }

  private final int ggmlId;
  private final int blockSize;
  private final int blockBytes;
  private final MatrixFactory factory;
  private final BlockQuantizer quantizer;

  WeightType(int ggmlId, int blockSize, int blockBytes) {
    this(ggmlId, blockSize, blockBytes, null, null);
  }

  WeightType(int ggmlId, int blockSize, int blockBytes, MatrixFactory factory) {
    this(ggmlId, blockSize, blockBytes, factory, null);
  }

  WeightType(
      int ggmlId, int blockSize, int blockBytes, MatrixFactory factory, BlockQuantizer quantizer) {
    this.ggmlId = ggmlId;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
    this.factory = factory;
    this.quantizer = quantizer;
  }

  /** ggml's {@code enum ggml_type} value, as GGUF tensor infos store it. */
  public int ggmlId() {
    return ggmlId;
  }

  /** Values per block (1 for plain types). */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes per block. */
  public int blockBytes() {
    return blockBytes;
  }

  /** Whether gemma-embed can compute with weights of this type. */
  public boolean computable() {
    return factory != null;
  }

  /** Whether {@link #quantize} can write this type (ggml's reference quantizer, bit for bit). */
  public boolean quantizable() {
    return quantizer != null;
  }

  /**
   * Bytes of a row of {@code cols} values; {@code cols} must be a positive multiple of the block
   * size.
   */
  public long rowBytes(int cols) {
    if (cols <= 0 || cols % blockSize != 0) {
      throw new IllegalArgumentException(
          name() + " rows must hold a positive multiple of " + blockSize + " values, got " + cols);
    }
    return (long) (cols / blockSize) * blockBytes;
  }

  /**
   * A {@code rows × cols} matrix over {@code data} (usually a slice of a mapped file), which must
   * hold exactly {@code rows} rows of this type.
   *
   * @throws IllegalArgumentException if the type is not computable or the shape does not fit
   */
  public WeightMatrix matrix(MemorySegment data, int rows, int cols) {
    if (factory == null) {
      throw new IllegalArgumentException(
          "no kernels for weight type " + name() + " (computable: " + computableNames() + ")");
    }
    return factory.matrix(data, rows, cols);
  }

  /**
   * Quantizes {@code n} values (a multiple of the block size) of {@code src} from {@code srcOff}
   * into blocks at {@code dst[dstOff ..]}.
   *
   * @throws IllegalArgumentException if this type has no quantizer, or a value is NaN or infinite
   *     (the reference would write garbage)
   */
  public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
    if (quantizer == null) {
      throw new IllegalArgumentException(
          "cannot quantize to " + name() + " (quantizable: " + quantizableNames() + ")");
    }
    if (n < 0 || n % blockSize != 0) {
      throw new IllegalArgumentException(
          "value count must be a multiple of " + blockSize + ", got " + n);
    }
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(src[srcOff + i])) {
        throw new IllegalArgumentException(
            "cannot quantize non-finite value " + src[srcOff + i] + " at element " + i);
      }
    }
    for (int b = 0; b < n / blockSize; b++) {
      quantizer.quantizeBlock(src, srcOff + b * blockSize, dst, dstOff + (long) b * blockBytes);
    }
  }

  /**
   * Quantizes a whole matrix row by row into memory from {@code alloc} (in-memory quantization of a
   * float checkpoint); {@code src.cols()} must be a multiple of the block size.
   */
  public WeightMatrix quantize(WeightMatrix src, SegmentAllocator alloc) {
    int rows = src.rows();
    int cols = src.cols();
    long rowBytes = rowBytes(cols);
    MemorySegment data = alloc.allocate(rowBytes * rows, 64);
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      src.readRow(r, row, 0);
      quantize(row, 0, cols, data, r * rowBytes);
    }
    return matrix(data, rows, cols);
  }

  /** The type with that ggml id, or null for an id ggml does not define. */
  public static WeightType byGgmlId(long id) {
    return id < 0 || id > Integer.MAX_VALUE ? null : BY_ID.get((int) id);
  }

  /**
   * The type named {@code name}, any case ({@code q8_0}, {@code BF16} …): the one mapping from the
   * names users, safetensors headers and GGUF tools write to a type.
   *
   * @throws IllegalArgumentException for a name ggml does not define
   */
  public static WeightType parse(String name) {
    return named(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown weight type '" + name + "' (computable: " + computableNames() + ")"));
  }

  /** {@link #parse}, empty for a name ggml does not define. */
  public static Optional<WeightType> named(String name) {
    for (WeightType t : values()) {
      if (t.name().equalsIgnoreCase(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The computable types' names, comma-separated, for messages. */
  public static String computableNames() {
    return names(true);
  }

  /** The quantizable types' names, comma-separated, for messages. */
  public static String quantizableNames() {
    return names(false);
  }

  private static String names(boolean computable) {
    List<String> names = new ArrayList<>();
    for (WeightType t : values()) {
      if (computable ? t.computable() : t.quantizable()) {
        names.add(t.name());
      }
    }
    return String.join(", ", names);
  }
}
