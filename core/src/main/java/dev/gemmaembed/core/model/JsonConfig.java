package dev.gemmaembed.core.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.core.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A parsed JSON configuration file whose accessors name the file and key in every error. */
final class JsonConfig {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final JsonNode root;

  /** Prepended to key names in errors: "" at the top level, "text_config." in that section. */
  private final String prefix;

  private JsonConfig(Path file, JsonNode root) {
    this(file, root, "");
  }

  private JsonConfig(Path file, JsonNode root, String prefix) {
    this.file = file;
    this.root = root;
    this.prefix = prefix;
  }

  /** The object under {@code key}, whose errors name its keys as {@code key.name}. */
  JsonConfig section(String key) {
    JsonNode n = get(key);
    if (n == null) {
      throw missing(key);
    }
    if (!n.isObject()) {
      throw invalid(key, "must be an object");
    }
    return new JsonConfig(file, n, prefix + key + ".");
  }

  static JsonConfig read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file, "file not found");
    }
    try {
      return parse(file, Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, "file not found");
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  /** Parses {@code json}; {@code file} only names it in errors. */
  static JsonConfig parse(Path file, byte[] json) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        throw new ConfigException(file, "expected a JSON object");
      }
      return new JsonConfig(file, root);
    } catch (JacksonException e) {
      throw new ConfigException(file, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file, "cannot parse: " + e.getMessage(), e);
    }
  }

  /** Reads a JSON file whose top level is an array (modules.json). */
  static JsonNode readArray(Path file) {
    try {
      JsonNode root = JSON.readTree(file.toFile());
      if (root == null || !root.isArray()) {
        throw new ConfigException(file, "expected a JSON array");
      }
      return root;
    } catch (JacksonException e) {
      throw new ConfigException(file, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  JsonNode root() {
    return root;
  }

  boolean has(String key) {
    JsonNode n = root.get(key);
    return n != null && !n.isNull();
  }

  JsonNode get(String key) {
    JsonNode n = root.get(key);
    return n == null || n.isNull() ? null : n;
  }

  int requireInt(String key) {
    JsonNode n = get(key);
    if (n == null) {
      throw missing(key);
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new ConfigException(file, "key '" + prefix + key + "' must be an integer, got " + n);
    }
    return n.asInt();
  }

  int requirePositiveInt(String key) {
    int v = requireInt(key);
    if (v <= 0) {
      throw new ConfigException(file, "key '" + prefix + key + "' must be positive, got " + v);
    }
    return v;
  }

  /**
   * A positive integer no larger than {@code max}: bounds hostile values before anything is sized
   * by them.
   */
  int requireInt(String key, int max) {
    int v = requirePositiveInt(key);
    if (v > max) {
      throw new ConfigException(
          file, "key '" + prefix + key + "' is " + v + ", above the supported maximum " + max);
    }
    return v;
  }

  double requireDouble(String key) {
    JsonNode n = get(key);
    if (n == null) {
      throw missing(key);
    }
    return number(key, n);
  }

  double number(String key, JsonNode n) {
    if (!n.isNumber()) {
      throw new ConfigException(file, "key '" + prefix + key + "' must be a number, got " + n);
    }
    return n.asDouble();
  }

  boolean requireBoolean(String key) {
    JsonNode n = get(key);
    if (n == null) {
      throw missing(key);
    }
    if (!n.isBoolean()) {
      throw new ConfigException(file, "key '" + prefix + key + "' must be true or false, got " + n);
    }
    return n.asBoolean();
  }

  String optString(String key, String fallback) {
    JsonNode n = get(key);
    return n == null ? fallback : n.asText();
  }

  /** Throws naming {@code key} when {@code why}, a {@link ConfigRanges} verdict, is not null. */
  void checkRange(String key, String why) {
    if (why != null) {
      throw invalid(key, why);
    }
  }

  ConfigException missing(String key) {
    return new ConfigException(file, "missing key '" + prefix + key + "'");
  }

  ConfigException invalid(String key, String why) {
    return new ConfigException(file, "key '" + prefix + key + "': " + why);
  }
}
