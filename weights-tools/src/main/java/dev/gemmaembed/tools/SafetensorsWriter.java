package dev.gemmaembed.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a float32 (or bfloat16) {@code .safetensors} file whose tensor values are produced on the
 * fly (a 1 GB checkpoint never sits in memory). Header padded with spaces to a multiple of 8 bytes,
 * as the reference writer does; written atomically.
 */
public final class SafetensorsWriter {

  /** Element types it writes: float32 as given, or bfloat16 rounded to nearest even from it. */
  public enum Dtype {
    F32(4),
    BF16(2);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }
  }

  /** Fills {@code out} with elements {@code [start, start + out.length)} of a tensor. */
  @FunctionalInterface
  public interface Values {
    void fill(long start, float[] out);
  }

  private record Entry(String name, long[] shape, Values values) {
    long count() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1 << 16;

  private final List<Entry> entries = new ArrayList<>();
  private final Dtype dtype;
  private final Map<String, String> metadata;

  /** A float32 writer with the metadata {@code {"format": "pt"}}. */
  public SafetensorsWriter() {
    this(Dtype.F32, Map.of("format", "pt"));
  }

  /** A writer of {@code dtype} elements whose header starts with {@code metadata} (in its iteration order). */
  public SafetensorsWriter(Dtype dtype, Map<String, String> metadata) {
    this.dtype = dtype;
    this.metadata = metadata;
  }

  public SafetensorsWriter add(String name, long[] shape, Values values) {
    entries.add(new Entry(name, shape.clone(), values));
    return this;
  }

  public void write(Path file) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    ObjectNode meta = header.putObject("__metadata__");
    metadata.forEach(meta::put);
    long offset = 0;
    for (Entry e : entries) {
      ObjectNode t = header.putObject(e.name);
      t.put("dtype", dtype.name());
      var shape = t.putArray("shape");
      for (long d : e.shape) {
        shape.add(d);
      }
      long bytes = e.count() * dtype.bytes;
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    AtomicFiles.write(file, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        while (head.hasRemaining()) {
          ch.write(head);
        }
        float[] values = new float[CHUNK];
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : entries) {
          long n = e.count();
          for (long start = 0; start < n; start += CHUNK) {
            int len = (int) Math.min(CHUNK, n - start);
            float[] chunk = len == CHUNK ? values : new float[len];
            e.values.fill(start, chunk);
            buf.clear();
            encode(chunk, len, buf);
            buf.limit(len * dtype.bytes);
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
          }
        }
      }
    });
  }

  private void encode(float[] values, int len, ByteBuffer buf) {
    if (dtype == Dtype.F32) {
      buf.asFloatBuffer().put(values, 0, len);
      return;
    }
    for (int i = 0; i < len; i++) {
      buf.putShort(i * 2, bf16(values[i]));
    }
  }

  /** float32 → bfloat16 bits, round to nearest even; NaN becomes the quiet NaN 0x7FC0. */
  static short bf16(float f) {
    if (Float.isNaN(f)) {
      return (short) 0x7FC0;
    }
    int bits = Float.floatToRawIntBits(f);
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }
}
