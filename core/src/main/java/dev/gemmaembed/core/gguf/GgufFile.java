package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.kernels.WeightType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (versions 2 and 3) mapped once into memory. Layout: magic {@code "GGUF"}, u32
 * version, u64 tensor count, u64 metadata count, the metadata key/value pairs, the tensor infos
 * (name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset), padding to {@code general.alignment}
 * (default 32), then the data section; all little-endian.
 *
 * <p>Everything is validated before a tensor is handed out: every count and length against the
 * bytes left in the file (so nothing is allocated from an unchecked count), strings as UTF-8 (an
 * array's strings when they are read: see {@link GgufArray}), tensor shapes and sizes against their
 * type, offsets aligned, inside the data section and not overlapping. Errors are {@link
 * CheckpointException}s naming the file, and the key or tensor.
 */
public final class GgufFile {

  /** "GGUF" read as a little-endian u32. */
  public static final int MAGIC = 0x46554747;

  public static final int DEFAULT_ALIGNMENT = 32;
  static final int MAX_DIMS = 4;

  /** Nesting limit of arrays of arrays (real files use none); bounds the parser's recursion. */
  static final int MAX_ARRAY_DEPTH = 3;

  static final ValueLayout.OfLong U64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt U32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Path path;
  private final int version;
  private final long alignment;
  private final long dataOffset;
  private final long fileSize;
  private final Map<String, GgufValue> metadata;
  private final Map<String, GgufTensor> tensors;
  private final MemorySegment data;
  private final MemorySegment header;

  private GgufFile(
      Path path,
      int version,
      long alignment,
      long dataOffset,
      long fileSize,
      Map<String, GgufValue> metadata,
      Map<String, GgufTensor> tensors,
      MemorySegment data,
      MemorySegment header) {
    this.path = path;
    this.version = version;
    this.alignment = alignment;
    this.dataOffset = dataOffset;
    this.fileSize = fileSize;
    this.metadata = metadata;
    this.tensors = tensors;
    this.data = data;
    this.header = header;
  }

  /** Maps and validates {@code file}; the mapping lives as long as {@code arena}. */
  public static GgufFile open(Path file, Arena arena) {
    MemorySegment whole;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file, "file not found");
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
    }
    return parse(file, whole);
  }

  /** Validates and indexes a GGUF image already in memory; {@code file} only names it in errors. */
  public static GgufFile parse(Path file, MemorySegment whole) {
    return new Parser(file, whole).parse();
  }

  public Path path() {
    return path;
  }

  public int version() {
    return version;
  }

  public long alignment() {
    return alignment;
  }

  /** File offset of the data section. */
  public long dataOffset() {
    return dataOffset;
  }

  public long fileSize() {
    return fileSize;
  }

  /** Every metadata key → value, in file order. */
  public Map<String, GgufValue> metadata() {
    return metadata;
  }

  /** Every tensor name → info, in file order. */
  public Map<String, GgufTensor> tensors() {
    return tensors;
  }

  public Optional<GgufValue> get(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  public Optional<GgufTensor> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  /** The tensor {@code name}; a typed error when absent. */
  public GgufTensor require(String name) {
    return find(name)
        .orElseThrow(() -> new CheckpointException(path, "missing tensor '" + name + "'"));
  }

  /**
   * Drops the header's pages (metadata, vocabulary) from this process's resident memory once they
   * have been read; they stay in the page cache, and a later metadata access maps them back.
   */
  public void releaseHeader() {
    if (header.isMapped()) {
      header.unload();
    }
  }

  /** The bytes of {@code tensor}, a view into the mapping. */
  public MemorySegment bytes(GgufTensor tensor) {
    return data.asSlice(tensor.offset(), tensor.byteSize());
  }

  /** Reads the header with a bounds-checked cursor over the mapping. */
  private static final class Parser {
    private final Path file;
    private final MemorySegment seg;
    private final long size;
    private final CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private long pos;

    Parser(Path file, MemorySegment seg) {
      this.file = file;
      this.seg = seg;
      this.size = seg.byteSize();
    }

    GgufFile parse() {
      if (size < 4 || seg.get(U32, 0) != MAGIC) {
        throw fail("not a GGUF file (magic is not \"GGUF\")");
      }
      pos = 4;
      int version = (int) u32("version");
      if (version == 1) {
        throw fail("GGUF version 1 is not supported (versions 2 and 3 are)");
      }
      if (version != 2 && version != 3) {
        String hint =
            Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3
                ? " (a big-endian GGUF; only little-endian files are supported)"
                : "";
        throw fail("unsupported GGUF version " + Integer.toUnsignedString(version) + hint);
      }
      long tensorCount = count("tensor count", 8 + 4 + 8 + 4 + 8);
      long kvCount = count("metadata count", 8 + 4);
      Map<String, GgufValue> metadata = new LinkedHashMap<>();
      for (long i = 0; i < kvCount; i++) {
        long at = pos;
        String key = string("metadata key #" + i);
        GgufValueType type = valueType("metadata '" + key + "'");
        GgufValue value = value(type, "metadata '" + key + "'", 0);
        if (metadata.putIfAbsent(key, value) != null) {
          throw fail("duplicate metadata key '" + key + "' at offset " + at);
        }
      }
      long alignment = alignment(metadata);
      List<TensorHeader> headers = new ArrayList<>((int) Math.min(tensorCount, 4096));
      for (long i = 0; i < tensorCount; i++) {
        headers.add(tensorHeader(i));
      }
      long dataOffset = alignUp(pos, alignment);
      long dataSize = Math.max(0, size - dataOffset);
      Map<String, GgufTensor> tensors = new LinkedHashMap<>();
      for (TensorHeader h : headers) {
        GgufTensor t = h.validate(alignment, dataSize);
        if (tensors.putIfAbsent(t.name(), t) != null) {
          throw fail("duplicate tensor name '" + t.name() + "'");
        }
      }
      checkNoOverlap(tensors.values());
      MemorySegment data = dataOffset <= size ? seg.asSlice(dataOffset) : MemorySegment.NULL;
      return new GgufFile(
          file,
          version,
          alignment,
          dataOffset,
          size,
          Collections.unmodifiableMap(metadata),
          Collections.unmodifiableMap(tensors),
          data,
          seg.asSlice(0, Math.min(dataOffset, size)));
    }

    private long alignment(Map<String, GgufValue> metadata) {
      GgufValue a = metadata.get("general.alignment");
      if (a == null) {
        return DEFAULT_ALIGNMENT;
      }
      if (a.type() != GgufValueType.UINT32) {
        throw fail("general.alignment must be a UINT32, got " + a.type());
      }
      long v = a.asLong();
      if (v == 0 || Long.bitCount(v) != 1) {
        throw fail("general.alignment must be a power of two, got " + v);
      }
      return v;
    }

    private record TensorHeader(Parser p, String name, long[] ne, long typeId, long offset) {
      GgufTensor validate(long alignment, long dataSize) {
        WeightType type = WeightType.byGgmlId(typeId);
        if (type == null) {
          throw p.fail(
              "unsupported tensor type "
                  + Long.toUnsignedString(typeId)
                  + " in tensor '"
                  + name
                  + "'");
        }
        if (ne[0] % type.blockSize() != 0) {
          throw p.fail(
              "tensor '"
                  + name
                  + "': ne[0] = "
                  + ne[0]
                  + " is not a multiple of the "
                  + type
                  + " block size "
                  + type.blockSize());
        }
        long bytes;
        try {
          bytes = Math.multiplyExact(ne[0] / type.blockSize(), (long) type.blockBytes());
          for (int i = 1; i < ne.length; i++) {
            bytes = Math.multiplyExact(bytes, ne[i]);
          }
        } catch (ArithmeticException e) {
          throw p.fail(
              "tensor '"
                  + name
                  + "': byte size of "
                  + type
                  + " "
                  + java.util.Arrays.toString(ne)
                  + " overflows");
        }
        if (offset < 0 || offset % alignment != 0) {
          throw p.fail(
              "tensor '"
                  + name
                  + "': data offset "
                  + Long.toUnsignedString(offset)
                  + " is not a multiple of the alignment "
                  + alignment);
        }
        if (offset > dataSize || bytes > dataSize - offset) {
          throw p.fail(
              "tensor '"
                  + name
                  + "': data ["
                  + offset
                  + ", "
                  + Long.toUnsignedString(offset + bytes)
                  + ") runs past the end of the data section ("
                  + dataSize
                  + " bytes; file truncated?)");
        }
        return new GgufTensor(name, ne, type, offset, bytes);
      }
    }

    private TensorHeader tensorHeader(long index) {
      String name = string("tensor name #" + index);
      String what = "tensor '" + name + "'";
      long nDims = u32(what + " n_dims");
      if (nDims < 1 || nDims > MAX_DIMS) {
        throw fail(what + ": n_dims " + nDims + " is outside 1.." + MAX_DIMS);
      }
      long[] ne = new long[(int) nDims];
      for (int d = 0; d < nDims; d++) {
        ne[d] = u64(what + " ne[" + d + "]");
        if (ne[d] < 0) {
          throw fail(
              what
                  + ": dimension ne["
                  + d
                  + "] = "
                  + Long.toUnsignedString(ne[d])
                  + " is too large");
        }
      }
      long type = u32(what + " type");
      long offset = u64(what + " offset");
      return new TensorHeader(this, name, ne, type, offset);
    }

    private void checkNoOverlap(Iterable<GgufTensor> all) {
      List<GgufTensor> sorted = new ArrayList<>();
      all.forEach(
          t -> {
            if (t.byteSize() > 0) {
              sorted.add(t);
            }
          });
      sorted.sort(Comparator.comparingLong(GgufTensor::offset));
      for (int i = 1; i < sorted.size(); i++) {
        GgufTensor prev = sorted.get(i - 1);
        GgufTensor cur = sorted.get(i);
        if (cur.offset() < prev.offset() + prev.byteSize()) {
          throw fail(
              "tensor '"
                  + cur.name()
                  + "' (data bytes "
                  + cur.offset()
                  + ".."
                  + (cur.offset() + cur.byteSize())
                  + ") overlaps tensor '"
                  + prev.name()
                  + "' (bytes "
                  + prev.offset()
                  + ".."
                  + (prev.offset() + prev.byteSize())
                  + ")");
        }
      }
    }

    private GgufValue value(GgufValueType type, String what, int depth) {
      return switch (type) {
        case UINT8 ->
            new GgufValue(
                type, (long) Byte.toUnsignedInt(bytes(1, what).get(ValueLayout.JAVA_BYTE, 0)));
        case INT8 -> new GgufValue(type, (long) bytes(1, what).get(ValueLayout.JAVA_BYTE, 0));
        case UINT16 ->
            new GgufValue(type, (long) Short.toUnsignedInt(bytes(2, what).get(LE_SHORT, 0)));
        case INT16 -> new GgufValue(type, (long) bytes(2, what).get(LE_SHORT, 0));
        case UINT32 -> new GgufValue(type, u32(what));
        case INT32 -> new GgufValue(type, (long) bytes(4, what).get(U32, 0));
        case UINT64, INT64 -> new GgufValue(type, bytes(8, what).get(U64, 0));
        case FLOAT32 -> new GgufValue(type, bytes(4, what).get(LE_FLOAT, 0));
        case FLOAT64 -> new GgufValue(type, bytes(8, what).get(LE_DOUBLE, 0));
        case BOOL -> new GgufValue(type, bool(bytes(1, what).get(ValueLayout.JAVA_BYTE, 0), what));
        case STRING -> new GgufValue(type, string(what));
        case ARRAY -> new GgufValue(type, array(what, depth));
      };
    }

    private GgufArray array(String what, int depth) {
      if (depth >= MAX_ARRAY_DEPTH) {
        throw fail(what + ": arrays nested deeper than " + MAX_ARRAY_DEPTH);
      }
      GgufValueType et = valueType(what + " element type");
      long n = u64(what + " element count");
      // Every element occupies at least minBytes of the file: a larger count cannot be real.
      if (n < 0 || n > (size - pos) / et.minBytes()) {
        throw fail(
            what
                + ": "
                + Long.toUnsignedString(n)
                + " "
                + et
                + " elements cannot fit in the "
                + (size - pos)
                + " bytes left at offset "
                + pos);
      }
      if (n > Integer.MAX_VALUE - 8) {
        throw fail(what + ": " + n + " elements exceed the supported array length");
      }
      int len = (int) n;
      if (et.scalarBytes() > 0) {
        MemorySegment src = bytes(n * et.scalarBytes(), what);
        Object storage =
            switch (et) {
              case UINT8, INT8 -> src.toArray(ValueLayout.JAVA_BYTE);
              case UINT16, INT16 -> src.toArray(LE_SHORT);
              case UINT32, INT32 -> src.toArray(U32);
              case UINT64, INT64 -> src.toArray(U64);
              case FLOAT32 -> src.toArray(LE_FLOAT);
              case FLOAT64 -> src.toArray(LE_DOUBLE);
              case BOOL -> {
                boolean[] b = new boolean[len];
                for (int i = 0; i < len; i++) {
                  b[i] = bool(src.get(ValueLayout.JAVA_BYTE, i), what + "[" + i + "]");
                }
                yield b;
              }
              default -> throw new AssertionError(et);
            };
        return new GgufArray(et, len, storage, null, src);
      }
      if (et == GgufValueType.STRING) {
        long first = pos;
        StringWalk walk = new StringWalk();
        long[] starts = walk.walk(len, what);
        return GgufArray.ofStrings(
            starts, seg, seg.asSlice(first, pos - first), walk.lengthBits < 0x80, file, what);
      }
      GgufArray[] nested = new GgufArray[len];
      for (int i = 0; i < len; i++) {
        nested[i] = array(what + "[" + i + "]", depth + 1);
      }
      return new GgufArray(et, len, nested, null, null);
    }

    private boolean bool(byte b, String what) {
      if (b != 0 && b != 1) {
        throw fail(what + ": bool byte is " + Byte.toUnsignedInt(b) + ", not 0 or 1");
      }
      return b == 1;
    }

    private GgufValueType valueType(String what) {
      long id = u32(what + " type");
      GgufValueType t = GgufValueType.byId(id);
      if (t == null) {
        throw fail(what + ": unknown value type " + id + " at offset " + (pos - 4));
      }
      return t;
    }

    private long count(String what, int minBytesEach) {
      long n = u64(what);
      if (n < 0 || n > (size - pos) / minBytesEach) {
        throw fail(
            what + " " + Long.toUnsignedString(n) + " cannot fit in a " + size + "-byte file");
      }
      return n;
    }

    private String string(String what) {
      MemorySegment bytes = stringBytes(what);
      try {
        return utf8.decode(bytes.asByteBuffer()).toString();
      } catch (CharacterCodingException e) {
        throw fail(what + ": string at offset " + (pos - bytes.byteSize()) + " is not valid UTF-8");
      }
    }

    /**
     * The walk over an array's strings: their start offsets, each length checked to fit the file.
     * Their bytes are checked as UTF-8 when first read ({@link GgufArray#strings()}): opening a
     * file walks 262,144 pieces before the JIT has compiled anything, and a UTF-8 check of their 4
     * MB cost about as much as the rest of the header, for a vocabulary that a tokenizer cache hit
     * never reads. The lengths are read from a heap copy of up to 1 MiB of the mapping, where one
     * segment access per piece would cost more than the walk.
     */
    private final class StringWalk {
      final byte[] bytes = new byte[(int) Math.min(1 << 20, size - pos)];
      long start; // file offset of bytes[0]
      int filled;
      long lengthBits; // the OR of every length

      long[] walk(int len, String what) {
        long[] starts = new long[len];
        for (int i = 0; i < len; i++) {
          starts[i] = pos;
          long n = lengthInCopy();
          if (n < 0) { // past the copy: move it here
            refill(pos);
            n = lengthInCopy();
            if (n < 0) { // longer than the copy, a bad length or the end of the file: named
              n = stringBytes(what + "[" + i + "]").byteSize();
              lengthBits |= n;
              continue;
            }
          }
          lengthBits |= n;
          pos += 8 + n;
        }
        return starts;
      }

      /** The length of the string at {@code pos} when it and its bytes are in the copy, else -1. */
      private long lengthInCopy() {
        long at = pos - start;
        if (at + 8 > filled) {
          return -1;
        }
        int k = (int) at;
        byte[] b = bytes;
        long n =
            (b[k] & 0xFFL)
                | (b[k + 1] & 0xFFL) << 8
                | (b[k + 2] & 0xFFL) << 16
                | (b[k + 3] & 0xFFL) << 24
                | (b[k + 4] & 0xFFL) << 32
                | (b[k + 5] & 0xFFL) << 40
                | (b[k + 6] & 0xFFL) << 48
                | (b[k + 7] & 0xFFL) << 56;
        return n < 0 || n > filled - at - 8 ? -1 : n;
      }

      private void refill(long from) {
        start = from;
        filled = (int) Math.min(bytes.length, size - from);
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, from, bytes, 0, filled);
      }
    }

    private MemorySegment stringBytes(String what) {
      long len = u64(what + " length");
      if (len < 0 || len > size - pos) {
        throw fail(
            what
                + ": string length "
                + Long.toUnsignedString(len)
                + " at offset "
                + (pos - 8)
                + " runs past the end of the file ("
                + size
                + " bytes)");
      }
      return bytes(len, what);
    }

    private long u32(String what) {
      return Integer.toUnsignedLong(bytes(4, what).get(U32, 0));
    }

    private long u64(String what) {
      return bytes(8, what).get(U64, 0);
    }

    private MemorySegment bytes(long n, String what) {
      if (n > size - pos) {
        throw fail(
            "truncated: "
                + what
                + " at offset "
                + pos
                + " needs "
                + n
                + " bytes, the file has "
                + (size - pos)
                + " left");
      }
      MemorySegment s = seg.asSlice(pos, n);
      pos += n;
      return s;
    }

    private CheckpointException fail(String message) {
      return new CheckpointException(file, message);
    }

    private static long alignUp(long v, long a) {
      return (v + a - 1) / a * a;
    }
  }

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble LE_DOUBLE =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
}
