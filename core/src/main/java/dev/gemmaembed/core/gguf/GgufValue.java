package dev.gemmaembed.core.gguf;

/**
 * One metadata value. {@code value} is a {@code Long} for every integer type (a UINT64 above 2^63 −
 * 1 keeps its bit pattern; {@link #asLong} rejects it), a {@code Float}, {@code Double}, {@code
 * Boolean}, {@code String}, or a {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

  public boolean isInteger() {
    return value instanceof Long;
  }

  /**
   * The integer value; throws for non-integers and for UINT64 values above {@code Long.MAX_VALUE}.
   */
  public long asLong() {
    if (!(value instanceof Long l) || (type == GgufValueType.UINT64 && l < 0)) {
      throw new IllegalStateException("not an integer in range: " + this);
    }
    return l;
  }

  /** A float or integer value as a double. */
  public double asDouble() {
    return switch (value) {
      case Float f -> f;
      case Double d -> d;
      case Long _ -> (double) asLong();
      default -> throw new IllegalStateException("not a number: " + this);
    };
  }

  public boolean asBoolean() {
    if (value instanceof Boolean b) {
      return b;
    }
    throw new IllegalStateException("not a bool: " + this);
  }

  public String asString() {
    if (value instanceof String s) {
      return s;
    }
    throw new IllegalStateException("not a string: " + this);
  }

  public GgufArray asArray() {
    if (value instanceof GgufArray a) {
      return a;
    }
    throw new IllegalStateException("not an array: " + this);
  }

  @Override
  public String toString() {
    return switch (value) {
      case String s -> GgufArray.quote(s);
      case Long l when type == GgufValueType.UINT64 && l < 0 -> Long.toUnsignedString(l);
      default -> String.valueOf(value);
    };
  }
}
