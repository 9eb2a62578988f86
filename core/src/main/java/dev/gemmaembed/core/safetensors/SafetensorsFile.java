package dev.gemmaembed.core.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.model.PositionalTokenTable;
import dev.gemmaembed.core.model.TokenEmbeddings;
import dev.gemmaembed.kernels.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
 * A {@code .safetensors} file mapped once into memory. Layout: an 8-byte little-endian header
 * length N, N bytes of JSON ({@code name → {dtype, shape, data_offsets}} plus an optional {@code
 * __metadata__}), then the data section. Every header entry is validated before any tensor is
 * handed out; nothing is copied to the heap.
 */
public final class SafetensorsFile {

  /** Same cap as the reference implementation: a larger header is hostile, not a model. */
  static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Path path;
  private final MemorySegment data;

  /** Where {@link #data} starts in the file (8 + the header length). */
  private final long dataStart;

  /** The arena of the mapping of {@link #path}, or null for an image parsed from memory. */
  private final Arena mappedIn;

  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path,
      MemorySegment data,
      long dataStart,
      Arena mappedIn,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.data = data;
    this.dataStart = dataStart;
    this.mappedIn = mappedIn;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Maps and validates {@code file}; the mapping lives as long as {@code arena}. */
  public static SafetensorsFile open(Path file, Arena arena) {
    MemorySegment whole;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file, "file not found");
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
    }
    return parse(file, whole, arena);
  }

  /**
   * Validates and indexes a safetensors image already in memory; {@code file} only names it in
   * errors. The returned object views {@code whole} without copying.
   */
  public static SafetensorsFile parse(Path file, MemorySegment whole) {
    return parse(file, whole, null);
  }

  private static SafetensorsFile parse(Path file, MemorySegment whole, Arena mappedIn) {
    long size = whole.byteSize();
    if (size < 8) {
      throw new CheckpointException(
          file, "file is " + size + " bytes, too short for the 8-byte header length");
    }
    long headerLen =
        whole.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (headerLen < 0 || headerLen > size - 8) {
      throw new CheckpointException(
          file,
          "header length "
              + Long.toUnsignedString(headerLen)
              + " runs past the end of the file ("
              + size
              + " bytes)");
    }
    if (headerLen > MAX_HEADER_BYTES) {
      throw new CheckpointException(
          file, "header length " + headerLen + " exceeds the limit of " + MAX_HEADER_BYTES);
    }
    byte[] header = whole.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
    MemorySegment dataSection = whole.asSlice(8 + headerLen);
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, TensorInfo> tensors = parseHeader(file, header, dataSection.byteSize(), metadata);
    return new SafetensorsFile(
        file, dataSection, 8 + headerLen, mappedIn, tensors, Collections.unmodifiableMap(metadata));
  }

  private static Map<String, TensorInfo> parseHeader(
      Path file, byte[] header, long dataSize, Map<String, String> metadata) {
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JacksonException e) {
      throw new CheckpointException(file, "header is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot parse header: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file, "header must be a JSON object");
    }
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String name = e.getKey();
      JsonNode node = e.getValue();
      if (name.equals("__metadata__")) {
        if (!node.isObject()) {
          throw new CheckpointException(file, "__metadata__ must be an object of strings");
        }
        node.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      tensors.put(name, parseEntry(file, name, node, dataSize));
    }
    checkNoOverlap(file, tensors.values());
    return Collections.unmodifiableMap(tensors);
  }

  private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataSize) {
    if (!node.isObject()) {
      throw new CheckpointException(file, "tensor '" + name + "': entry must be an object");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new CheckpointException(file, "tensor '" + name + "': missing dtype");
    }
    DType dtype =
        DType.parse(dtypeNode.asText())
            .orElseThrow(
                () ->
                    new CheckpointException(
                        file, "tensor '" + name + "': unknown dtype '" + dtypeNode.asText() + "'"));
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new CheckpointException(file, "tensor '" + name + "': missing shape");
    }
    long[] shape = new long[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new CheckpointException(file, "tensor '" + name + "': bad shape dimension " + d);
      }
      shape[i] = d.asLong();
      try {
        elements = Math.multiplyExact(elements, shape[i]);
      } catch (ArithmeticException ex) {
        throw new CheckpointException(
            file, "tensor '" + name + "': shape " + shapeNode + " overflows");
      }
    }
    JsonNode offsets = node.get("data_offsets");
    if (offsets == null
        || !offsets.isArray()
        || offsets.size() != 2
        || !offsets.get(0).isIntegralNumber()
        || !offsets.get(1).isIntegralNumber()
        || !offsets.get(0).canConvertToLong()
        || !offsets.get(1).canConvertToLong()) {
      throw new CheckpointException(
          file, "tensor '" + name + "': data_offsets must be [begin, end]");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new CheckpointException(
          file, "tensor '" + name + "': bad data_offsets [" + begin + ", " + end + "]");
    }
    if (end > dataSize) {
      throw new CheckpointException(
          file,
          "tensor '"
              + name
              + "': data_offsets end "
              + end
              + " is past the data section ("
              + dataSize
              + " bytes; file truncated?)");
    }
    long expected;
    try {
      expected = Math.multiplyExact(elements, dtype.bytes());
    } catch (ArithmeticException ex) {
      throw new CheckpointException(file, "tensor '" + name + "': byte size overflows");
    }
    if (end - begin != expected) {
      throw new CheckpointException(
          file,
          "tensor '"
              + name
              + "': shape "
              + shapeNode
              + " of "
              + dtype
              + " needs "
              + expected
              + " bytes but data_offsets span "
              + (end - begin));
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static void checkNoOverlap(Path file, Iterable<TensorInfo> infos) {
    List<TensorInfo> sorted = new ArrayList<>();
    infos.forEach(
        t -> {
          if (t.byteLength() > 0) {
            sorted.add(t);
          }
        });
    sorted.sort(Comparator.comparingLong(TensorInfo::begin));
    for (int i = 1; i < sorted.size(); i++) {
      TensorInfo prev = sorted.get(i - 1);
      TensorInfo cur = sorted.get(i);
      if (cur.begin() < prev.end()) {
        throw new CheckpointException(
            file,
            "tensor '"
                + cur.name()
                + "' (bytes "
                + cur.begin()
                + ".."
                + cur.end()
                + ") overlaps tensor '"
                + prev.name()
                + "' (bytes "
                + prev.begin()
                + ".."
                + prev.end()
                + ")");
      }
    }
  }

  public Path path() {
    return path;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** The tensor named {@code name}, also found under an exporter's {@code model.} prefix. */
  public Optional<TensorInfo> find(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      t = tensors.get("model." + name);
    }
    return Optional.ofNullable(t);
  }

  /** The tensor named {@code name} (or {@code model.name}); a typed error when absent. */
  public TensorInfo require(String name) {
    return find(name)
        .orElseThrow(() -> new CheckpointException(path, "missing tensor '" + name + "'"));
  }

  /**
   * {@code matrix}, the view of {@code tensor}, as a token table: read row by row from the file
   * ({@link PositionalTokenTable}) when this file was opened from disk, else over the image.
   */
  public TokenEmbeddings rowTable(TensorInfo tensor, WeightMatrix matrix) {
    if (mappedIn == null) {
      return () -> matrix;
    }
    return PositionalTokenTable.open(
        path, tensor.name(), dataStart + tensor.begin(), matrix, mappedIn);
  }

  /** The bytes of {@code tensor}, a view into the mapping. */
  public MemorySegment bytes(TensorInfo tensor) {
    return data.asSlice(tensor.begin(), tensor.byteLength());
  }
}
