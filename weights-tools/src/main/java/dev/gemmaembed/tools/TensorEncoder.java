package dev.gemmaembed.tools;

import dev.gemmaembed.kernels.WeightType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * Encodes float32 rows into a GGUF tensor type: F32 as is, F16 rounded to nearest-even (numpy's
 * {@code astype(float16)}), every {@link WeightType#quantizable() quantizable} type with ggml's
 * reference quantizer.
 */
public final class TensorEncoder {

  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private TensorEncoder() {}

  /** Bytes of one encoded row of {@code cols} values. */
  public static int rowBytes(WeightType type, int cols) {
    if (type != WeightType.F32 && type != WeightType.F16 && !type.quantizable()) {
      throw new IllegalArgumentException("cannot write tensors of type " + type);
    }
    return Math.toIntExact(type.rowBytes(cols));
  }

  /** Largest region {@link GgufWriter.Output#reserve} hands out. */
  private static final int BATCH_BYTES = 1 << 20;

  /** Writes every row of {@code t} as {@code type}, on the calling thread. */
  public static void encode(SourceTensor t, WeightType type, GgufWriter.Output out)
      throws IOException {
    encode(t, type, out, false);
  }

  /**
   * Writes every row of {@code t} as {@code type}, up to 1 MiB of rows at a time; with {@code
   * parallel} a batch's rows are read and encoded on the common pool's threads (so the source must
   * allow reads from any thread, e.g. a shared arena's mapping). Rows are independent: the bytes do
   * not depend on the thread count.
   */
  public static void encode(
      SourceTensor t, WeightType type, GgufWriter.Output out, boolean parallel) throws IOException {
    int cols = t.cols();
    int rowBytes = rowBytes(type, cols);
    int batch = Math.max(1, BATCH_BYTES / rowBytes);
    ThreadLocal<float[]> rows = ThreadLocal.withInitial(() -> new float[cols]);
    for (int r0 = 0; r0 < t.rowCount(); r0 += batch) {
      int from = r0;
      int n = Math.min(batch, t.rowCount() - r0);
      MemorySegment dst = out.reserve(n * rowBytes);
      IntStream rowsOfBatch = IntStream.range(0, n);
      (parallel ? rowsOfBatch.parallel() : rowsOfBatch)
          .forEach(
              i -> {
                float[] row = rows.get();
                t.rows().read(from + i, row);
                try {
                  encodeRow(type, row, dst.asSlice((long) i * rowBytes, rowBytes));
                } catch (IllegalArgumentException e) {
                  throw new IllegalArgumentException(
                      "tensor " + t.ggufName() + " row " + (from + i) + ": " + e.getMessage(), e);
                }
              });
    }
  }

  /** The whole encoded tensor in memory (tests and small tensors; at most 2 GB). */
  public static byte[] encode(SourceTensor t, WeightType type) {
    long total = (long) rowBytes(type, t.cols()) * t.rowCount();
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "tensor " + t.ggufName() + " is too large to encode in memory");
    }
    byte[] all = new byte[(int) total];
    MemorySegment seg = MemorySegment.ofArray(all);
    long[] pos = {0};
    try {
      encode(
          t,
          type,
          n -> {
            MemorySegment region = seg.asSlice(pos[0], n);
            pos[0] += n;
            return region;
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }

  static void encodeRow(WeightType type, float[] row, MemorySegment dst) {
    switch (type) {
      case F32 -> {
        for (int i = 0; i < row.length; i++) {
          dst.set(LE_FLOAT, 4L * i, row[i]);
        }
      }
      case F16 -> {
        for (int i = 0; i < row.length; i++) {
          dst.set(LE_SHORT, 2L * i, Float.floatToFloat16(row[i]));
        }
      }
      default -> type.quantize(row, 0, row.length, dst, 0);
    }
  }
}
