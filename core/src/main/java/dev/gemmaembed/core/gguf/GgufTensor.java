package dev.gemmaembed.core.gguf;

import dev.gemmaembed.kernels.WeightType;
import java.util.Arrays;

/**
 * One tensor info of a GGUF file.
 *
 * @param ne dimensions, fastest-varying first: a PyTorch {@code [rows, cols]} matrix has {@code ne
 *     = [cols, rows]}
 * @param offset byte offset of the data relative to the start of the data section
 * @param byteSize bytes of the data, as implied by type and shape
 */
public record GgufTensor(String name, long[] ne, WeightType type, long offset, long byteSize) {

  public long elementCount() {
    long n = 1;
    for (long d : ne) {
      n *= d;
    }
    return n;
  }

  /** {@code ne} in PyTorch order (slowest first), as {@code inspect} and error messages show it. */
  public long[] shape() {
    long[] s = new long[ne.length];
    for (int i = 0; i < ne.length; i++) {
      s[i] = ne[ne.length - 1 - i];
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GgufTensor t
        && t.name.equals(name)
        && Arrays.equals(t.ne, ne)
        && t.type == type
        && t.offset == offset
        && t.byteSize == byteSize;
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name + " " + type + " ne=" + Arrays.toString(ne);
  }
}
