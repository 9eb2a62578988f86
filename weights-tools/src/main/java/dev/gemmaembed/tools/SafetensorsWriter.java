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
 * Writes a {@code .safetensors} file (F32, BF16 or F16) whose tensor values are produced on the fly
 * as float32 (a 1 GB checkpoint never sits in memory). Header padded with spaces to a multiple of 8
 * bytes, as the reference writer does; written atomically.
 */
public final class SafetensorsWriter {

  /**
   * Storage types, each converting float32 as PyTorch's {@code .to(dtype)} does (round to nearest
   * even).
   */
  public enum Dtype {
    F32(4),
    BF16(2),
    F16(2);

    private final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    /** The {@code config.json} spelling: float32, bfloat16, float16. */
    public String torchName() {
      return switch (this) {
        case F32 -> "float32";
        case BF16 -> "bfloat16";
        case F16 -> "float16";
      };
    }

    void put(ByteBuffer b, float v) {
      switch (this) {
        case F32 -> b.putFloat(v);
        case BF16 -> b.putShort(toBf16(v));
        case F16 -> b.putShort(Float.floatToFloat16(v));
      }
    }

    /** Round to nearest even on the upper 16 bits; NaN becomes the quiet NaN 0x7FC0. */
    static short toBf16(float v) {
      if (Float.isNaN(v)) {
        return (short) 0x7FC0; // PyTorch's quiet NaN
      }
      int bits = Float.floatToRawIntBits(v);
      return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
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
    this(Dtype.F32);
  }

  /** A writer of {@code dtype} elements with the metadata {@code {"format": "pt"}}. */
  public SafetensorsWriter(Dtype dtype) {
    this(dtype, Map.of("format", "pt"));
  }

  /**
   * A writer of {@code dtype} elements whose header starts with {@code metadata} (in its iteration
   * order).
   */
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
    AtomicFiles.write(
        file,
        tmp -> {
          try (FileChannel ch =
              FileChannel.open(
                  tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (head.hasRemaining()) {
              ch.write(head);
            }
            float[] values = new float[CHUNK];
            ByteBuffer buf =
                ByteBuffer.allocateDirect(CHUNK * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
              long n = e.count();
              for (long start = 0; start < n; start += CHUNK) {
                int len = (int) Math.min(CHUNK, n - start);
                float[] chunk = len == CHUNK ? values : new float[len];
                e.values.fill(start, chunk);
                buf.clear();
                for (int i = 0; i < len; i++) {
                  dtype.put(buf, chunk[i]);
                }
                buf.flip();
                while (buf.hasRemaining()) {
                  ch.write(buf);
                }
              }
            }
          }
        });
  }
}
