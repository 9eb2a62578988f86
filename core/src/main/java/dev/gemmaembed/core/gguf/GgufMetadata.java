package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.ConfigException;
import java.util.Optional;

/** Typed access to a GGUF file's metadata; every error names the file and the key. */
final class GgufMetadata {

  private final GgufFile file;

  GgufMetadata(GgufFile file) {
    this.file = file;
  }

  boolean has(String key) {
    return file.metadata().containsKey(key);
  }

  String string(String key) {
    return require(key, GgufValueType.STRING).asString();
  }

  Optional<String> optString(String key) {
    return optional(key, GgufValueType.STRING).map(GgufValue::asString);
  }

  /** A positive integer of any integer type that fits an int. */
  int positiveInt(String key) {
    GgufValue v = file.metadata().get(key);
    if (v == null) {
      throw new ConfigException(file.path(), "missing metadata key '" + key + "'");
    }
    return positive(key, v);
  }

  /**
   * A positive integer no larger than {@code max}: bounds hostile values before anything (per-layer
   * arrays, RoPE tables) is sized by them.
   */
  int positiveInt(String key, int max) {
    return bounded(key, positiveInt(key), max);
  }

  Optional<Integer> optPositiveInt(String key, int max) {
    return optPositiveInt(key).map(v -> bounded(key, v, max));
  }

  private int bounded(String key, int v, int max) {
    if (v > max) {
      throw invalid(key, v + " is above the supported maximum " + max);
    }
    return v;
  }

  Optional<Integer> optPositiveInt(String key) {
    GgufValue v = file.metadata().get(key);
    return v == null ? Optional.empty() : Optional.of(positive(key, v));
  }

  /** A non-negative integer id (token ids), or {@code fallback} when absent. */
  int id(String key, int fallback) {
    GgufValue v = file.metadata().get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isInteger() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
      throw invalid(key, "must be a non-negative integer, got " + v);
    }
    return (int) v.asLong();
  }

  Optional<Double> optNumber(String key) {
    GgufValue v = file.metadata().get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v.isInteger()
        || v.type() == GgufValueType.FLOAT32
        || v.type() == GgufValueType.FLOAT64)) {
      throw invalid(key, "must be a number, got " + v.type());
    }
    double d = v.asDouble();
    if (!Double.isFinite(d)) {
      throw invalid(key, "must be finite, got " + d);
    }
    return Optional.of(d);
  }

  boolean bool(String key, boolean fallback) {
    return optional(key, GgufValueType.BOOL).map(GgufValue::asBoolean).orElse(fallback);
  }

  GgufArray array(String key, GgufValueType elementType) {
    GgufArray a = require(key, GgufValueType.ARRAY).asArray();
    if (a.elementType() != elementType) {
      throw invalid(key, "must be an array of " + elementType + ", got " + a.elementType());
    }
    return a;
  }

  Optional<GgufArray> optArray(String key, GgufValueType elementType) {
    return has(key) ? Optional.of(array(key, elementType)) : Optional.empty();
  }

  /** Throws naming {@code key} when {@code why}, a {@code ConfigRanges} verdict, is not null. */
  void checkRange(String key, String why) {
    if (why != null) {
      throw invalid(key, why);
    }
  }

  ConfigException invalid(String key, String why) {
    return new ConfigException(file.path(), "metadata '" + key + "': " + why);
  }

  private int positive(String key, GgufValue v) {
    if (!v.isInteger() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
      throw invalid(key, "must be a positive integer, got " + v);
    }
    return (int) v.asLong();
  }

  private GgufValue require(String key, GgufValueType type) {
    return optional(key, type)
        .orElseThrow(() -> new ConfigException(file.path(), "missing metadata key '" + key + "'"));
  }

  private Optional<GgufValue> optional(String key, GgufValueType type) {
    GgufValue v = file.metadata().get(key);
    if (v != null && v.type() != type) {
      throw invalid(key, "must be a " + type + ", got " + v.type());
    }
    return Optional.ofNullable(v);
  }
}
