package dev.gemmaembed.core.safetensors;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.model.TensorSource;
import dev.gemmaembed.core.model.TokenEmbeddings;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/** Serves F32, BF16 and F16 tensors of a safetensors file as matrices over the mapping. */
public final class SafetensorsTensorSource implements TensorSource {

  /** The dtypes with a {@link WeightType} of the same name that the kernels compute with. */
  private static final Map<DType, WeightType> FLOAT_TYPES = new EnumMap<>(DType.class);

  static {
    for (DType d : DType.values()) {
      WeightType.named(d.name())
          .filter(WeightType::computable)
          .ifPresent(w -> FLOAT_TYPES.put(d, w));
    }
  }

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
  public TokenEmbeddings table(String name, int rows, int cols) {
    TensorInfo t = file.require(name);
    checkShape(t, rows, cols);
    return file.rowTable(t, view(t, rows, cols));
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
    WeightType type = FLOAT_TYPES.get(t.dtype());
    if (type == null) {
      throw unsupported(t);
    }
    return type.matrix(file.bytes(t), rows, cols);
  }

  private void checkShape(TensorInfo t, long... expected) {
    if (!Arrays.equals(t.shape(), expected)) {
      throw new CheckpointException(
          file.path(),
          "tensor '"
              + t.name()
              + "' has shape "
              + Arrays.toString(t.shape())
              + ", the config implies "
              + Arrays.toString(expected));
    }
  }

  private CheckpointException unsupported(TensorInfo t) {
    return new CheckpointException(
        file.path(),
        "tensor '"
            + t.name()
            + "' has dtype "
            + t.dtype()
            + "; supported are "
            + FLOAT_TYPES.keySet());
  }
}
