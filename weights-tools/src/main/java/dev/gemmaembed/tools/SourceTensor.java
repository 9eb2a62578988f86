package dev.gemmaembed.tools;

import java.util.Arrays;

/**
 * A tensor to be written to GGUF, in float32 rows already transformed the way llama.cpp's converter
 * transforms them (norm weights + 1).
 *
 * @param ggufName the GGUF tensor name
 * @param ne dimensions, fastest first ({@code [cols]} or {@code [cols, rows]})
 * @param rows reads row {@code r} ({@code ne[0]} values)
 */
public record SourceTensor(String ggufName, long[] ne, RowSource rows) {

  /** Produces one row of float32 values. */
  @FunctionalInterface
  public interface RowSource {
    void read(int row, float[] dst);
  }

  public int cols() {
    return (int) ne[0];
  }

  public int rowCount() {
    return ne.length == 1 ? 1 : (int) ne[1];
  }

  @Override
  public String toString() {
    return ggufName + " " + Arrays.toString(ne);
  }
}
