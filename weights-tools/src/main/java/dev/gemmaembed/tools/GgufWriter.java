package dev.gemmaembed.tools;

import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufValueType;
import dev.gemmaembed.kernels.WeightType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file: metadata in insertion order, tensor infos, then each tensor's data at an
 * offset aligned to 32 bytes (the GGUF default, so no {@code general.alignment} key is needed) and
 * zero-padded to the next multiple, as llama.cpp's gguf writer lays files out. Tensor data is
 * streamed from {@link TensorData} callbacks through a small buffer, so a 1 GB model never sits in
 * memory; the file appears atomically.
 */
public final class GgufWriter {

  /** Produces a tensor's bytes, in order, through {@link Output#reserve}. */
  @FunctionalInterface
  public interface TensorData {
    void write(Output out) throws IOException;
  }

  /** Where tensor bytes go. */
  public interface Output {
    /** A zeroed little-endian region of {@code bytes} (≤ 1 MiB) to fill before the next call. */
    MemorySegment reserve(int bytes) throws IOException;
  }

  private record Tensor(String name, long[] ne, WeightType type, long bytes, TensorData data) {}

  private static final int ALIGNMENT = GgufFile.DEFAULT_ALIGNMENT;
  private static final int BUFFER = 1 << 20;

  private final Map<String, byte[]> metadata = new LinkedHashMap<>();
  private final List<Tensor> tensors = new ArrayList<>();

  public GgufWriter putString(String key, String value) {
    Encoder e = new Encoder().u32(GgufValueType.STRING.id()).string(value);
    return put(key, e);
  }

  public GgufWriter putUInt32(String key, long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(key + ": " + value + " is not a UINT32");
    }
    return put(key, new Encoder().u32(GgufValueType.UINT32.id()).u32(value));
  }

  public GgufWriter putFloat32(String key, float value) {
    return put(key, new Encoder().u32(GgufValueType.FLOAT32.id()).f32(value));
  }

  public GgufWriter putBool(String key, boolean value) {
    return put(key, new Encoder().u32(GgufValueType.BOOL.id()).u8(value ? 1 : 0));
  }

  public GgufWriter putStringArray(String key, List<String> values) {
    Encoder e =
        new Encoder()
            .u32(GgufValueType.ARRAY.id())
            .u32(GgufValueType.STRING.id())
            .u64(values.size());
    values.forEach(e::string);
    return put(key, e);
  }

  public GgufWriter putFloat32Array(String key, float[] values) {
    Encoder e =
        new Encoder()
            .u32(GgufValueType.ARRAY.id())
            .u32(GgufValueType.FLOAT32.id())
            .u64(values.length);
    for (float v : values) {
      e.f32(v);
    }
    return put(key, e);
  }

  public GgufWriter putInt32Array(String key, int[] values) {
    Encoder e =
        new Encoder()
            .u32(GgufValueType.ARRAY.id())
            .u32(GgufValueType.INT32.id())
            .u64(values.length);
    for (int v : values) {
      e.u32(Integer.toUnsignedLong(v));
    }
    return put(key, e);
  }

  /**
   * Adds a tensor of shape {@code ne} (fastest dimension first) whose {@code data} must produce
   * exactly the bytes its type and shape imply.
   */
  public GgufWriter addTensor(String name, long[] ne, WeightType type, TensorData data) {
    if (ne[0] % type.blockSize() != 0) {
      throw new IllegalArgumentException(
          name
              + ": ne[0] = "
              + ne[0]
              + " is not a multiple of the "
              + type
              + " block size "
              + type.blockSize());
    }
    long bytes = ne[0] / type.blockSize() * type.blockBytes();
    for (int i = 1; i < ne.length; i++) {
      bytes = Math.multiplyExact(bytes, ne[i]);
    }
    for (Tensor t : tensors) {
      if (t.name.equals(name)) {
        throw new IllegalArgumentException("duplicate tensor " + name);
      }
    }
    tensors.add(new Tensor(name, ne.clone(), type, bytes, data));
    return this;
  }

  /**
   * Writes the file (see {@link AtomicFiles}); returns its size, which a device such as /dev/null
   * cannot tell.
   */
  public long write(Path file) throws IOException {
    Encoder header =
        new Encoder().u32(GgufFile.MAGIC).u32(3).u64(tensors.size()).u64(metadata.size());
    metadata.forEach((key, value) -> header.string(key).bytes(value));
    long offset = 0;
    for (Tensor t : tensors) {
      header.string(t.name).u32(t.ne.length);
      for (long d : t.ne) {
        header.u64(d);
      }
      header.u32(t.type.ggmlId()).u64(offset);
      offset = align(offset + t.bytes);
    }
    byte[] head = header.toByteArray();
    long[] size = {0};
    AtomicFiles.write(
        file,
        tmp -> {
          try (FileChannel ch =
              FileChannel.open(
                  tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Sink sink = new Sink(ch);
            sink.put(head);
            sink.pad(align(head.length) - head.length);
            for (Tensor t : tensors) {
              long before = sink.written;
              t.data.write(sink);
              long wrote = sink.written - before;
              if (wrote != t.bytes) {
                throw new IllegalStateException(
                    "tensor "
                        + t.name
                        + " produced "
                        + wrote
                        + " bytes, its "
                        + t.type
                        + " "
                        + java.util.Arrays.toString(t.ne)
                        + " layout needs "
                        + t.bytes);
              }
              sink.pad(align(t.bytes) - t.bytes);
            }
            sink.flush();
            size[0] = sink.written;
          }
        });
    return size[0];
  }

  private GgufWriter put(String key, Encoder value) {
    if (metadata.putIfAbsent(key, value.toByteArray()) != null) {
      throw new IllegalArgumentException("duplicate metadata key " + key);
    }
    return this;
  }

  private static long align(long v) {
    return (v + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /** Buffered channel output handing out regions of a direct buffer. */
  private static final class Sink implements Output {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment seg = MemorySegment.ofBuffer(buf);
    private long written;

    Sink(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public MemorySegment reserve(int bytes) throws IOException {
      if (bytes < 0 || bytes > BUFFER) {
        throw new IllegalArgumentException("reserve " + bytes + " bytes: at most " + BUFFER);
      }
      if (buf.remaining() < bytes) {
        flush();
      }
      MemorySegment region = seg.asSlice(buf.position(), bytes).fill((byte) 0);
      buf.position(buf.position() + bytes);
      written += bytes;
      return region;
    }

    void put(byte[] bytes) throws IOException {
      for (int off = 0; off < bytes.length; off += BUFFER) {
        int n = Math.min(BUFFER, bytes.length - off);
        MemorySegment.copy(MemorySegment.ofArray(bytes), off, reserve(n), 0, n);
      }
    }

    void pad(long n) throws IOException {
      reserve((int) n);
    }

    void flush() throws IOException {
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      buf.clear();
    }
  }

  /** Little-endian encoder of header fields. */
  private static final class Encoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

    Encoder u8(int v) {
      out.write(v);
      return this;
    }

    Encoder u32(long v) {
      scratch.clear();
      scratch.putInt((int) v);
      out.write(scratch.array(), 0, 4);
      return this;
    }

    Encoder u64(long v) {
      scratch.clear();
      scratch.putLong(v);
      out.write(scratch.array(), 0, 8);
      return this;
    }

    Encoder f32(float v) {
      return u32(Integer.toUnsignedLong(Float.floatToRawIntBits(v)));
    }

    Encoder string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    Encoder bytes(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
