package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.Utf8;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;

/**
 * A metadata array. Storage is proportional to the file bytes it came from: integers keep their
 * width ({@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]}), FLOAT32 is a {@code
 * float[]}, FLOAT64 a {@code double[]}, BOOL a {@code boolean[]}, nested arrays a {@code
 * GgufArray[]}, and strings stay in the mapped file (their start offsets are kept; they are checked
 * as UTF-8 and decoded on access: a string that is not UTF-8 is a {@link CheckpointException}
 * naming the file, the array, the element and its offset when it is read).
 */
public final class GgufArray {

  private final GgufValueType elementType;
  private final int length;
  private final Object storage;
  private final MemorySegment strings;
  private final MemorySegment encoded; // the elements as the file holds them; null: nested arrays

  // A STRING array's: every string shorter than 0x80 bytes (each u64 length is 8 ASCII bytes);
  // the file and the array's name, for the error of a string that is not UTF-8.
  private final boolean shortStrings;
  private final Path file;
  private final String what;

  GgufArray(
      GgufValueType elementType,
      int length,
      Object storage,
      MemorySegment strings,
      MemorySegment encoded) {
    this(elementType, length, storage, strings, encoded, false, null, null);
  }

  private GgufArray(
      GgufValueType elementType,
      int length,
      Object storage,
      MemorySegment strings,
      MemorySegment encoded,
      boolean shortStrings,
      Path file,
      String what) {
    this.elementType = elementType;
    this.length = length;
    this.storage = storage;
    this.strings = strings;
    this.encoded = encoded;
    this.shortStrings = shortStrings;
    this.file = file;
    this.what = what;
  }

  /**
   * A STRING array: its strings start (u64 length, then the bytes) at offsets {@code starts} of
   * {@code file}, and {@code encoded} holds them all; {@code what} names the array in errors.
   */
  static GgufArray ofStrings(
      long[] starts,
      MemorySegment whole,
      MemorySegment encoded,
      boolean shortStrings,
      Path file,
      String what) {
    return new GgufArray(
        GgufValueType.STRING, starts.length, starts, whole, encoded, shortStrings, file, what);
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
    byte[] b = strings.asSlice(start + 8, len).toArray(ValueLayout.JAVA_BYTE);
    if (Utf8.firstInvalid(b) >= 0) {
      throw notUtf8(i);
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private CheckpointException notUtf8(int i) {
    return new CheckpointException(
        file,
        what
            + "["
            + i
            + "]: string at offset "
            + (((long[]) storage)[i] + 8)
            + " is not valid UTF-8");
  }

  public GgufArray arrayAt(int i) {
    if (storage instanceof GgufArray[] a) {
      return a[i];
    }
    throw new IllegalStateException(elementType + " array is not an array of arrays");
  }

  /**
   * The strings of a STRING array, decoded on access from one heap copy of them that the list makes
   * and checks as UTF-8 at its first access (the first string that is not UTF-8 is named then). Not
   * for use by several threads at once.
   */
  public List<String> strings() {
    if (elementType != GgufValueType.STRING) {
      throw new IllegalStateException(elementType + " array is not a STRING array");
    }
    long[] starts = (long[]) storage;
    return new AbstractList<>() {
      private byte[] bytes; // every string's u64 length and bytes, from starts[0] on; checked

      @Override
      public String get(int index) {
        Objects.checkIndex(index, length);
        if (bytes == null) {
          long from = starts[0];
          long to = from + encoded.byteSize();
          if (to - from > Integer.MAX_VALUE - 8) {
            return stringAt(index); // too large for one copy: each checked as it is read
          }
          bytes = checked(encoded.toArray(ValueLayout.JAVA_BYTE));
        }
        int at = (int) (starts[index] - starts[0]);
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
   * {@code copy} (this array's encoded strings) once every string in it is UTF-8. Read before the
   * JIT has compiled anything (a vocabulary's 262,144 pieces, three quarters of Gemma's not ASCII),
   * one UTF-8 check per string costs several times one check of the whole copy; and with every
   * length below 0x80 (its eight bytes ASCII), the copy is UTF-8 exactly when each string is: a
   * multi-byte sequence never spans an ASCII byte. Else, or when the whole check fails, each string
   * is checked, and the first bad one named.
   */
  private byte[] checked(byte[] copy) {
    if (shortStrings && Utf8.firstInvalid(copy) < 0) {
      return copy;
    }
    long[] starts = (long[]) storage;
    for (int i = 0; i < length; i++) {
      int at = (int) (starts[i] - starts[0]);
      int len = 0;
      for (int k = 3; k >= 0; k--) {
        len = (len << 8) | (copy[at + k] & 0xFF);
      }
      if (Utf8.firstInvalid(copy, at + 8, at + 8 + len) >= 0) {
        throw notUtf8(i);
      }
    }
    return copy;
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

  /** A copy of an INT32 array. */
  public int[] toIntArray() {
    if (storage instanceof int[] a && elementType == GgufValueType.INT32) {
      return a.clone();
    }
    throw new IllegalStateException(elementType + " array is not an INT32 array");
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
