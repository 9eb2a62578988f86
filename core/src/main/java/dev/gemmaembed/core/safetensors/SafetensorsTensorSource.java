package dev.gemmaembed.core.safetensors;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.model.TensorSource;
import dev.gemmaembed.kernels.Bf16Matrix;
import dev.gemmaembed.kernels.F16Matrix;
import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Serves F32, BF16 and F16 tensors of a safetensors file as matrices over the mapping. */
public final class SafetensorsTensorSource implements TensorSource {

  private final SafetensorsFile file;

  public SafetensorsTensorSource(SafetensorsFile file) {
    this.file = file;
  }

  @Override
  public boolean has(String name) {
    return file.find(name).isPresent();
  }

  @Override
  public WeightMatrix matrix(String name, int rows, int cols) {
    TensorInfo t = file.require(name);
    checkShape(t, rows, cols);
    return view(t, rows, cols);
  }

  @Override
  public float[] vector(String name, int n) {
    TensorInfo t = file.require(name);
    checkShape(t, n);
    float[] out = new float[n];
    view(t, 1, n).readRow(0, out, 0);
    return out;
  }

  private WeightMatrix view(TensorInfo t, int rows, int cols) {
    MemorySegment bytes = file.bytes(t);
    return switch (t.dtype()) {
      case F32 -> new F32Matrix(bytes, rows, cols);
      case BF16 -> new Bf16Matrix(bytes, rows, cols);
      case F16 -> new F16Matrix(bytes, rows, cols);
      default -> throw unsupported(t);
    };
  }

  private void checkShape(TensorInfo t, long... expected) {
    if (!Arrays.equals(t.shape(), expected)) {
      throw new CheckpointException(file.path(), "tensor '" + t.name() + "' has shape "
          + Arrays.toString(t.shape()) + ", the config implies " + Arrays.toString(expected));
    }
  }

  private CheckpointException unsupported(TensorInfo t) {
    return new CheckpointException(file.path(), "tensor '" + t.name() + "' has dtype " + t.dtype()
        + "; supported are F32, BF16 and F16");
  }
}
