package dev.gemmaembed.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The number type of an embedding as stored: sentence-transformers' {@code precision} of {@code
 * quantize_embeddings}, applied to a (Matryoshka-cut) unit vector.
 *
 * <ul>
 *   <li>{@code float32}: the vector as it is (4 bytes a dimension, little-endian when packed);
 *   <li>{@code uint8}/{@code int8}: each dimension mapped onto 256 levels of its calibration {@link
 *       QuantizationRange}: {@code step = (max − min) / 255}, then {@code (x − min) / step} (a
 *       float32 division, not a multiplication by a reciprocal), minus 128 for int8, truncated
 *       toward zero. int8 is therefore not uint8 − 128: 0.5 gives uint8 0 but int8 −127. numpy
 *       leaves a value outside the type undefined; here it is clamped to the type's bounds (a value
 *       outside the calibration range gives 0/255 or −128/127);
 *   <li>{@code ubinary}: the signs ({@code x > 0}; 0 and −0 count as not positive) packed eight to
 *       a byte, most significant bit first, as numpy's {@code packbits}; {@code binary}: the same
 *       bytes offset by −128 and stored as int8. Both need a width that is a multiple of 8.
 * </ul>
 */
public enum Precision {
  // The order is a file format: the CLI's --format bin header stores the ordinal.
  FLOAT32,
  INT8,
  UINT8,
  BINARY,
  UBINARY;

  /**
   * The lowercase name sentence-transformers and the CLI use ({@code int8}, {@code ubinary}, …).
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The precision called {@code name} (case-insensitive).
   *
   * @throws InvalidOptionException listing the known names
   */
  public static Precision parse(String name) {
    for (Precision p : values()) {
      if (p.label().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new InvalidOptionException(
        InvalidOptionException.Option.PRECISION,
        "unknown precision \""
            + name
            + "\"; expected one of "
            + Arrays.stream(values()).map(Precision::label).collect(Collectors.joining(", ")));
  }

  /** Whether its values need a calibration range (int8, uint8). */
  public boolean needsRange() {
    return this == INT8 || this == UINT8;
  }

  /** Whether a stored byte reads as a signed value (int8, binary) rather than 0..255. */
  public boolean signedBytes() {
    return this == INT8 || this == BINARY;
  }

  /** Whether it packs eight dimensions into a byte. */
  public boolean packsBits() {
    return this == BINARY || this == UBINARY;
  }

  /**
   * Refuses a width this precision cannot store: binary and ubinary need a multiple of 8.
   *
   * @throws InvalidOptionException naming the width
   */
  public void checkWidth(int width) {
    if (packsBits() && width % 8 != 0) {
      throw new InvalidOptionException(
          InvalidOptionException.Option.PRECISION,
          "precision "
              + label()
              + " packs 8 dimensions into a byte and needs a dimension count that is a multiple of 8, got "
              + width);
    }
  }

  /** Bytes of one stored vector of {@code width} dimensions. */
  public int bytes(int width) {
    return switch (this) {
      case FLOAT32 -> width * Float.BYTES;
      case INT8, UINT8 -> width;
      case BINARY, UBINARY -> width / 8;
    };
  }

  /** The number a stored byte stands for: −128..127 for int8/binary, 0..255 for uint8/ubinary. */
  public int value(byte b) {
    return signedBytes() ? b : b & 0xFF;
  }

  /**
   * {@code vector} in this precision: packed bits, one byte a dimension, or little-endian float32.
   *
   * @param range the per-dimension range for int8/uint8 (ignored by the others, may be null then)
   * @throws InvalidOptionException for a width {@link #checkWidth} refuses
   * @throws IllegalArgumentException when int8/uint8 get no range, or one of another width
   */
  public byte[] quantize(float[] vector, QuantizationRange range) {
    checkWidth(vector.length);
    return switch (this) {
      case FLOAT32 -> {
        ByteBuffer b =
            ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(vector);
        yield b.array();
      }
      case INT8, UINT8 -> levels(vector, range);
      case BINARY, UBINARY -> packSigns(vector);
    };
  }

  private byte[] levels(float[] vector, QuantizationRange range) {
    if (range == null) {
      throw new IllegalArgumentException(label() + " needs a calibration range");
    }
    if (range.width() != vector.length) {
      throw new IllegalArgumentException(
          "a range of " + range.width() + " dimensions for a vector of " + vector.length);
    }
    boolean signed = this == INT8;
    int lo = signed ? -128 : 0;
    int hi = signed ? 127 : 255;
    byte[] out = new byte[vector.length];
    for (int d = 0; d < vector.length; d++) {
      float level = (vector[d] - range.min(d)) / range.step(d);
      if (signed) {
        level -= 128f;
      }
      // (int) truncates toward zero and saturates; the clamp gives the type's bounds outside the
      // range
      out[d] = (byte) Math.clamp((int) level, lo, hi);
    }
    return out;
  }

  private byte[] packSigns(float[] vector) {
    byte[] out = new byte[vector.length / 8];
    for (int i = 0; i < out.length; i++) {
      int bits = 0;
      for (int j = 0; j < 8; j++) {
        bits = (bits << 1) | (vector[i * 8 + j] > 0f ? 1 : 0);
      }
      out[i] = (byte) (this == BINARY ? bits - 128 : bits);
    }
    return out;
  }
}
