package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.model.TensorSource;
import dev.gemmaembed.kernels.BlockFormat;
import dev.gemmaembed.kernels.BlockFormatMatrix;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.util.Arrays;

/**
 * Serves a GGUF file's tensors under their Hugging Face names ({@link GgufNames}) as matrices over
 * the mapping, of every {@link WeightType#computable() computable} type; any other type is a typed
 * "unsupported tensor type" error naming the tensor. Vectors (norm weights) must be a float type.
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
   * scales of a {@link BlockFormatMatrix} are checked here, except the token table's: reading all
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
        throw new CheckpointException(
            file.path(),
            "tensor '"
                + t.name()
                + "' ("
                + f
                + ") row "
                + r
                + ", block "
                + bad
                + " at data offset "
                + (t.offset() + r * rowBytes + (long) bad * f.blockBytes())
                + ": its scale is NaN or infinite");
      }
    }
  }

  /** A {@code rows × cols} matrix of {@code t}'s type over its mapped bytes. */
  private WeightMatrix view(GgufTensor t, int rows, int cols) {
    if (!t.type().computable()) {
      throw unsupported(t);
    }
    return t.type().matrix(file.bytes(t), rows, cols);
  }

  @Override
  public float[] vector(String name, int n) {
    return vectorByGgufName(ggufName(name), n);
  }

  /** The float GGUF tensor {@code ggufName} of {@code n} elements. */
  public float[] vectorByGgufName(String ggufName, int n) {
    GgufTensor t = file.require(ggufName);
    checkShape(t, n);
    float[] out = new float[n];
    if (t.type().blockSize() != 1) {
      throw unsupported(t);
    }
    view(t, 1, n).readRow(0, out, 0);
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
      throw new CheckpointException(
          file.path(),
          "tensor '"
              + t.name()
              + "' has ne "
              + Arrays.toString(t.ne())
              + ", the model's metadata implies "
              + Arrays.toString(ne));
    }
  }

  private CheckpointException unsupported(GgufTensor t) {
    return new CheckpointException(
        file.path(),
        "unsupported tensor type "
            + t.type()
            + " in tensor '"
            + t.name()
            + "' (supported: "
            + WeightType.computableNames()
            + ")");
  }
}
