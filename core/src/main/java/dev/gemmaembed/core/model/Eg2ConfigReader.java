package dev.gemmaembed.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the {@code text_config} of an EmbeddingGemma 2 {@code config.json} (model_type {@code
 * embedding_gemma2}) into an {@link Eg2Config}, with the defaults of transformers' {@code
 * EmbeddingGemma2TextConfig} (transformers e1f33e27) where keys are absent: layer i global iff (i +
 * 1) % {@code sliding_window_pattern} (6) == 0 and the last layer always global; global layers
 * without a {@code per_layer_config} entry get {@code global_head_dim} (512) and {@code
 * num_global_key_value_heads} (1), the builder arguments transformers reads for them; RoPE
 * "default" with θ 1e4 on sliding and 1e6 on global layers. Every bad value is a {@link
 * dev.gemmaembed.core.ConfigException} naming the key.
 */
public final class Eg2ConfigReader {

  /** RoPE tables grow with the longest sequence seen, so this bounds positions only, not memory. */
  static final int MAX_POSITIONS = 1 << 20;

  private static final int GLOBAL_HEAD_DIM = 512;
  private static final int GLOBAL_KV_HEADS = 1;
  private static final int SLIDING_WINDOW_PATTERN = 6;
  private static final double SLIDING_THETA = 1e4;
  private static final double FULL_THETA = 1e6;

  private Eg2ConfigReader() {}

  public static Eg2Config read(Path configJson) {
    return read(JsonConfig.read(configJson));
  }

  /** Parses the bytes of a config.json; {@code name} only labels errors. */
  public static Eg2Config parse(Path name, byte[] json) {
    return read(JsonConfig.parse(name, json));
  }

  private static Eg2Config read(JsonConfig top) {
    JsonConfig c = top.section("text_config");
    String act = c.optString("hidden_activation", "gelu_pytorch_tanh");
    if (!act.equals("gelu_pytorch_tanh") && !act.equals("gelu_tanh")) {
      throw c.invalid(
          "hidden_activation", "'" + act + "' is not supported (expected gelu_pytorch_tanh)");
    }
    JsonNode tokenTable = c.get("vocab_size_per_layer_input");
    if (tokenTable != null && tokenTable.asInt(0) != 0) {
      throw c.invalid(
          "vocab_size_per_layer_input", "a per-layer token table is not part of EmbeddingGemma 2");
    }
    int layers = c.requireInt("num_hidden_layers", ConfigRanges.MAX_LAYERS);
    int heads = c.requireInt("num_attention_heads", ConfigRanges.MAX_HEADS);
    int hidden = c.requireInt("hidden_size", ConfigRanges.MAX_WIDTH);
    int pleDim = c.requireInt("hidden_size_per_layer_input", ConfigRanges.MAX_WIDTH);
    if ((long) pleDim * layers > ConfigRanges.MAX_WIDTH) {
      throw c.invalid(
          "hidden_size_per_layer_input",
          pleDim
              + " × "
              + layers
              + " layers exceeds the supported width "
              + ConfigRanges.MAX_WIDTH);
    }
    boolean[] full = layerTypes(c, layers);
    int[] headDim = new int[layers];
    int[] kvHeads = new int[layers];
    int slidingDim = c.requireInt("head_dim", ConfigRanges.MAX_WIDTH);
    int slidingKv = c.requireInt("num_key_value_heads", ConfigRanges.MAX_HEADS);
    int globalDim =
        c.has("global_head_dim")
            ? c.requireInt("global_head_dim", ConfigRanges.MAX_WIDTH)
            : GLOBAL_HEAD_DIM;
    int globalKv =
        c.has("num_global_key_value_heads")
            ? c.requireInt("num_global_key_value_heads", ConfigRanges.MAX_HEADS)
            : GLOBAL_KV_HEADS;
    boolean[] listed = perLayer(c, layers, heads, headDim, kvHeads);
    for (int l = 0; l < layers; l++) {
      if (!listed[l]) {
        headDim[l] = full[l] ? globalDim : slidingDim;
        kvHeads[l] = full[l] ? globalKv : slidingKv;
      } else {
        headDim[l] = headDim[l] == 0 ? slidingDim : headDim[l];
        kvHeads[l] = kvHeads[l] == 0 ? slidingKv : kvHeads[l];
      }
      String where =
          listed[l] ? "per_layer_config." + l : (full[l] ? "per_layer_config" : "head_dim");
      if (headDim[l] % 2 != 0) {
        throw c.invalid(
            where,
            "layer " + l + ": head_dim must be even for rotary embeddings, got " + headDim[l]);
      }
      if (heads % kvHeads[l] != 0) {
        throw c.invalid(
            where,
            "layer "
                + l
                + ": num_key_value_heads "
                + kvHeads[l]
                + " does not divide num_attention_heads "
                + heads);
      }
    }
    JsonNode window = c.get("sliding_window");
    if (window == null) {
      throw c.missing("sliding_window");
    }
    if (!window.isIntegralNumber() || !window.canConvertToInt() || window.asInt() <= 0) {
      throw c.invalid(
          "sliding_window",
          "must be a positive integer (the inclusive window radius), got " + window);
    }
    JsonNode ropes = c.get("rope_parameters");
    if (ropes != null && !ropes.isObject()) {
      throw c.invalid("rope_parameters", "must be an object keyed by layer type");
    }
    return new Eg2Config(
        c.requireInt("vocab_size", ConfigRanges.MAX_VOCAB),
        hidden,
        c.requireInt("intermediate_size", ConfigRanges.MAX_WIDTH),
        layers,
        heads,
        headDim,
        kvHeads,
        full,
        window.asInt(),
        rope(c, ropes, "sliding_attention", SLIDING_THETA),
        rope(c, ropes, "full_attention", FULL_THETA),
        pleDim,
        c.has("embedding_dim") ? c.requireInt("embedding_dim", ConfigRanges.MAX_WIDTH) : 768,
        rmsEps(c),
        maxPositions(c));
  }

  /**
   * Global-layer flags from {@code layer_types} (or the every-sixth default); the last layer is
   * always global.
   */
  private static boolean[] layerTypes(JsonConfig c, int layers) {
    boolean[] full = new boolean[layers];
    JsonNode types = c.get("layer_types");
    if (types == null) {
      int pattern =
          c.has("sliding_window_pattern")
              ? c.requirePositiveInt("sliding_window_pattern")
              : SLIDING_WINDOW_PATTERN;
      for (int i = 0; i < layers; i++) {
        full[i] = (i + 1) % pattern == 0;
      }
    } else {
      if (!types.isArray() || types.size() != layers) {
        throw c.invalid(
            "layer_types",
            "must list num_hidden_layers = "
                + layers
                + " entries, got "
                + (types.isArray() ? types.size() + " entries" : types.toString()));
      }
      for (int i = 0; i < layers; i++) {
        String t = types.get(i).asText();
        switch (t) {
          case "full_attention" -> full[i] = true;
          case "sliding_attention" -> full[i] = false;
          default ->
              throw c.invalid(
                  "layer_types",
                  "entry " + i + " is '" + t + "' (expected sliding_attention or full_attention)");
        }
      }
    }
    full[layers - 1] = true; // EmbeddingGemma2TextConfig forces the last layer to global attention
    return full;
  }

  /**
   * Fills the layers {@code per_layer_config} names (keys are layer indices, possibly zero-padded
   * strings such as "05"); 0 where an entry leaves a value out. Returns which layers it names.
   */
  private static boolean[] perLayer(
      JsonConfig c, int layers, int heads, int[] headDim, int[] kvHeads) {
    boolean[] listed = new boolean[layers];
    JsonNode plc = c.get("per_layer_config");
    if (plc == null) {
      return listed;
    }
    if (!plc.isObject()) {
      throw c.invalid("per_layer_config", "must be an object keyed by layer index");
    }
    for (Map.Entry<String, JsonNode> e : plc.properties()) {
      String key = e.getKey();
      String where = "per_layer_config." + key;
      int layer;
      try {
        layer = Integer.parseInt(key.strip());
      } catch (NumberFormatException ex) {
        throw c.invalid(where, "'" + key + "' is not a layer index");
      }
      if (layer < 0 || layer >= layers) {
        throw c.invalid(where, "names layer " + layer + ", outside 0.." + (layers - 1));
      }
      if (listed[layer]) {
        throw c.invalid(where, "layer " + layer + " is listed twice");
      }
      JsonNode entry = e.getValue();
      if (!entry.isObject()) {
        throw c.invalid(where, "must be an object with head_dim and/or num_key_value_heads");
      }
      listed[layer] = true;
      int layerHeads = positive(c, entry, where, "num_attention_heads", ConfigRanges.MAX_HEADS);
      if (layerHeads != 0 && layerHeads != heads) {
        throw c.invalid(
            where + ".num_attention_heads",
            layerHeads
                + " differs from num_attention_heads "
                + heads
                + ": per-layer query head counts are not supported");
      }
      headDim[layer] = positive(c, entry, where, "head_dim", ConfigRanges.MAX_WIDTH);
      kvHeads[layer] = positive(c, entry, where, "num_key_value_heads", ConfigRanges.MAX_HEADS);
    }
    return listed;
  }

  /** {@code entry.key} as a positive int up to {@code max}, or 0 when absent. */
  private static int positive(JsonConfig c, JsonNode entry, String where, String key, int max) {
    JsonNode n = entry.get(key);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0 || n.asInt() > max) {
      throw c.invalid(where + "." + key, "must be an integer in 1.." + max + ", got " + n);
    }
    return n.asInt();
  }

  private static float rmsEps(JsonConfig c) {
    if (!c.has("rms_norm_eps")) {
      return 1e-6f;
    }
    double eps = c.requireDouble("rms_norm_eps");
    c.checkRange("rms_norm_eps", ConfigRanges.rmsEps(eps));
    return (float) eps;
  }

  private static int maxPositions(JsonConfig c) {
    if (!c.has("max_position_embeddings")) {
      return MAX_POSITIONS;
    }
    int n = c.requireInt("max_position_embeddings", MAX_POSITIONS);
    c.checkRange("max_position_embeddings", ConfigRanges.positions(n));
    return n;
  }

  private static Eg2Rope rope(JsonConfig c, JsonNode ropes, String layerType, double defaultTheta) {
    JsonNode p = ropes == null ? null : ropes.get(layerType);
    if (p == null || p.isNull()) {
      return Eg2Rope.plain(defaultTheta);
    }
    String where = "rope_parameters." + layerType;
    if (!p.isObject()) {
      throw c.invalid(where, "must be an object");
    }
    String type =
        p.has("rope_type")
            ? p.get("rope_type").asText()
            : p.has("type") ? p.get("type").asText() : "default";
    double theta = number(c, p, where, "rope_theta", defaultTheta);
    c.checkRange(where + ".rope_theta", ConfigRanges.ropeBase(theta));
    double factor = number(c, p, where, "factor", 1.0);
    c.checkRange(where + ".factor", ConfigRanges.ropeFactor(factor));
    return switch (type) {
      case Eg2Rope.DEFAULT -> new Eg2Rope(type, theta, factor, 1.0);
      case Eg2Rope.PROPORTIONAL -> {
        double prf = number(c, p, where, "partial_rotary_factor", 1.0);
        if (prf > 1) {
          throw c.invalid(where + ".partial_rotary_factor", "must be in (0, 1], got " + prf);
        }
        yield new Eg2Rope(type, theta, factor, prf);
      }
      default ->
          throw c.invalid(
              where + ".rope_type", "'" + type + "' is not supported (default or proportional)");
    };
  }

  /** A positive, finite number {@code node.key}, or {@code fallback} when absent. */
  private static double number(
      JsonConfig c, JsonNode node, String where, String key, double fallback) {
    JsonNode n = node.get(key);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isNumber() || !(n.asDouble() > 0) || Double.isInfinite(n.asDouble())) {
      throw c.invalid(where + "." + key, "must be a positive number, got " + n);
    }
    return n.asDouble();
  }
}
