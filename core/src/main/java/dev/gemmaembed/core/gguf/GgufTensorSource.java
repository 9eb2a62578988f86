package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.model.TensorSource;
import dev.gemmaembed.kernels.Bf16Matrix;
import dev.gemmaembed.kernels.BlockFormat;
import dev.gemmaembed.kernels.BlockFormatMatrix;
import dev.gemmaembed.kernels.F16Matrix;
import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.Q4_0Matrix;
import dev.gemmaembed.kernels.Q8_0Matrix;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Serves a GGUF file's tensors under their Hugging Face names ({@link GgufNames}) as matrices over
 * the mapping: F32, F16, BF16, Q8_0, Q4_0 and the {@link BlockFormat}s (Q4_1, Q5_0, Q5_1, the
 * K-quants, IQ4_NL, IQ4_XS); any other type is a typed "unsupported tensor type" error naming the
 * tensor.
 */
public final class GgufTensorSource implements TensorSource {

  private final GgufFile file;

  public GgufTensorSource(GgufFile file) {
    this.file = file;
  }

  @Override
  public boolean has(String name) {
    return file.find(ggufName(name)).isPresent();
  }

  @Override
  public WeightMatrix matrix(String name, int rows, int cols) {
    return matrixByGgufName(ggufName(name), rows, cols);
  }

  /**
   * The GGUF tensor {@code ggufName} as a {@code rows × cols} matrix (ne = [cols, rows]). The block
   * scales of a {@link BlockFormat} tensor are checked here, except the token table's: reading all
   * of it would page the whole table in, so its rows are checked as they are looked up.
   */
  public WeightMatrix matrixByGgufName(String ggufName, int rows, int cols) {
    GgufTensor t = file.require(ggufName);
    checkShape(t, cols, rows);
    WeightMatrix m = view(t, rows, cols);
    if (m instanceof BlockFormatMatrix b && !ggufName.equals("token_embd.weight")) {
      checkScales(t, b);
    }
    return m;
  }

  private void checkScales(GgufTensor t, BlockFormatMatrix m) {
    BlockFormat f = m.format();
    long rowBytes = f.rowBytes(m.cols());
    int blocks = m.cols() / f.blockValues();
    for (int r = 0; r < m.rows(); r++) {
      int bad = f.firstNonFiniteScale(m.data(), r * rowBytes, blocks);
      if (bad >= 0) {
        throw new CheckpointException(file.path(), "tensor '" + t.name() + "' (" + f + ") row " + r + ", block " + bad
            + " at data offset " + (t.offset() + r * rowBytes + (long) bad * f.blockBytes()) + ": its scale is NaN or infinite");
      }
    }
  }

  private WeightMatrix view(GgufTensor t, int rows, int cols) {
    return view(t, file.bytes(t), rows, cols);
  }

  /** A {@code rows × cols} matrix of {@code t}'s type over {@code bytes} (part of that tensor, or a copy). */
  WeightMatrix view(GgufTensor t, MemorySegment bytes, int rows, int cols) {
    return switch (t.type()) {
      case F32 -> new F32Matrix(bytes, rows, cols);
      case F16 -> new F16Matrix(bytes, rows, cols);
      case BF16 -> new Bf16Matrix(bytes, rows, cols);
      case Q8_0 -> new Q8_0Matrix(bytes, rows, cols);
      case Q4_0 -> new Q4_0Matrix(bytes, rows, cols);
      default -> {
        BlockFormat f = t.type().computable() ? BlockFormat.byName(t.type().name()) : null;
        if (f == null) {
          throw unsupported(t);
        }
        yield f.matrix(bytes, rows, cols);
      }
    };
  }

  @Override
  public float[] vector(String name, int n) {
    GgufTensor t = file.require(ggufName(name));
    checkShape(t, n);
    float[] out = new float[n];
    switch (t.type()) {
      case F32, F16, BF16 -> view(t, 1, n).readRow(0, out, 0);
      default -> throw unsupported(t);
    }
    return out;
  }

  private String ggufName(String hfName) {
    String g = GgufNames.fromHf(hfName);
    if (g == null) {
      throw new CheckpointException(file.path(), "no GGUF tensor corresponds to '" + hfName + "'");
    }
    return g;
  }

  private void checkShape(GgufTensor t, long... ne) {
    if (!Arrays.equals(t.ne(), ne)) {
      throw new CheckpointException(file.path(), "tensor '" + t.name() + "' has ne " + Arrays.toString(t.ne())
          + ", the model's metadata implies " + Arrays.toString(ne));
    }
  }

  private CheckpointException unsupported(GgufTensor t) {
    return new CheckpointException(file.path(), "unsupported tensor type " + t.type() + " in tensor '" + t.name()
        + "' (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS)");
  }
}
