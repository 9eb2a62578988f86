package dev.gemmaembed.core.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;

/**
 * A metadata array. Storage is proportional to the file bytes it came from: integers keep their
 * width ({@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]}), FLOAT32 is a {@code
 * float[]}, FLOAT64 a {@code double[]}, BOOL a {@code boolean[]}, nested arrays a {@code
 * GgufArray[]}, and strings stay in the mapped file (their start offsets are kept; they are
 * validated as UTF-8 when the file is opened and decoded on access).
 */
public final class GgufArray {

  private final GgufValueType elementType;
  private final int length;
  private final Object storage;
  private final MemorySegment strings;
  private final MemorySegment encoded; // the elements as the file holds them; null: nested arrays

  GgufArray(
      GgufValueType elementType,
      int length,
      Object storage,
      MemorySegment strings,
      MemorySegment encoded) {
    this.elementType = elementType;
    this.length = length;
    this.storage = storage;
    this.strings = strings;
    this.encoded = encoded;
  }

  public GgufValueType elementType() {
    return elementType;
  }

  public int length() {
    return length;
  }

  /** Element {@code i} of an integer array, unsigned types zero-extended. */
  public long longAt(int i) {
    return switch (storage) {
      case byte[] a -> elementType == GgufValueType.UINT8 ? Byte.toUnsignedLong(a[i]) : a[i];
      case short[] a -> elementType == GgufValueType.UINT16 ? Short.toUnsignedLong(a[i]) : a[i];
      case int[] a -> elementType == GgufValueType.UINT32 ? Integer.toUnsignedLong(a[i]) : a[i];
      case long[] a -> a[i];
      default -> throw new IllegalStateException(elementType + " array is not an integer array");
    };
  }

  public double doubleAt(int i) {
    return switch (storage) {
      case float[] a -> a[i];
      case double[] a -> a[i];
      default -> longAt(i);
    };
  }

  public boolean booleanAt(int i) {
    if (storage instanceof boolean[] a) {
      return a[i];
    }
    throw new IllegalStateException(elementType + " array is not a BOOL array");
  }

  public String stringAt(int i) {
    if (elementType != GgufValueType.STRING) {
      throw new IllegalStateException(elementType + " array is not a STRING array");
    }
    long start = ((long[]) storage)[i];
    long len = strings.get(GgufFile.U64, start);
    return new String(
        strings.asSlice(start + 8, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  public GgufArray arrayAt(int i) {
    if (storage instanceof GgufArray[] a) {
      return a[i];
    }
    throw new IllegalStateException(elementType + " array is not an array of arrays");
  }

  /** The strings of a STRING array, decoded on access from one heap copy the list holds. */
  public List<String> strings() {
    if (elementType != GgufValueType.STRING) {
      throw new IllegalStateException(elementType + " array is not a STRING array");
    }
    if (length == 0) {
      return List.of();
    }
    // One heap copy of all the strings' bytes when they fit an array: a vocabulary's 262,144 pieces
    // are read once each, before the JIT has compiled anything, where a few segment accesses per
    // piece cost more than the decoding.
    long[] starts = (long[]) storage;
    long from = starts[0];
    long to = starts[length - 1] + 8 + strings.get(GgufFile.U64, starts[length - 1]);
    byte[] bytes =
        to - from <= Integer.MAX_VALUE - 8
            ? strings.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE)
            : null;
    return new AbstractList<>() {
      @Override
      public String get(int index) {
        if (bytes == null) {
          return stringAt(index);
        }
        int at = (int) (starts[index] - from);
        int len = 0; // a u64 below 2^31 here: the strings fit one array
        for (int k = 3; k >= 0; k--) {
          len = (len << 8) | (bytes[at + k] & 0xFF);
        }
        return new String(bytes, at + 8, len, StandardCharsets.UTF_8);
      }

      @Override
      public int size() {
        return length;
      }
    };
  }

  /**
   * The elements' bytes as the file encodes them (a string's u64 length and UTF-8 bytes), in place
   * in the mapped file: equal bytes, equal elements.
   */
  public MemorySegment encoded() {
    if (encoded == null) {
      throw new IllegalStateException(elementType + " array of arrays has no flat encoding");
    }
    return encoded;
  }

  /** A copy of a FLOAT32 array. */
  public float[] toFloatArray() {
    if (storage instanceof float[] a) {
      return a.clone();
    }
    throw new IllegalStateException(elementType + " array is not a FLOAT32 array");
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder().append(elementType).append('[').append(length).append("] [");
    int show = Math.min(length, 8);
    for (int i = 0; i < show; i++) {
      sb.append(i == 0 ? "" : ", ").append(element(i));
    }
    return sb.append(length > show ? ", …]" : "]").toString();
  }

  private String element(int i) {
    return switch (elementType) {
      case STRING -> quote(stringAt(i));
      case FLOAT32, FLOAT64 -> String.valueOf(doubleAt(i));
      case BOOL -> String.valueOf(booleanAt(i));
      case ARRAY -> arrayAt(i).toString();
      case UINT64 -> Long.toUnsignedString(longAt(i));
      default -> String.valueOf(longAt(i));
    };
  }

  static String quote(String s) {
    String shown = s.length() > 60 ? s.substring(0, 60) + "…" : s;
    return '"' + shown.replace("\n", "\\n") + '"';
  }
}
