package dev.gemmaembed.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Reads a transformers {@code config.json} of a Gemma 3 text encoder into a {@link ModelConfig}.
 * Accepts transformers 4.x keys ({@code rope_theta}, {@code rope_local_base_freq}, {@code
 * rope_scaling}, {@code sliding_window_pattern}) and 5.x keys ({@code rope_parameters} per layer
 * type).
 */
public final class HfConfigReader {

  private static final int MAX_LAYERS = ConfigRanges.MAX_LAYERS;
  private static final int MAX_HEADS = ConfigRanges.MAX_HEADS;
  private static final int MAX_WIDTH = ConfigRanges.MAX_WIDTH;
  private static final int MAX_POSITIONS = ConfigRanges.MAX_POSITIONS;
  private static final int MAX_VOCAB = ConfigRanges.MAX_VOCAB;

  /** positions × head_dim of the precomputed RoPE tables (EmbeddingGemma: 2048 × 256 = 2^19). */
  static final long MAX_ROPE_TABLE = 1L << 22;

  private HfConfigReader() {}

  public static ModelConfig read(Path configJson) {
    return read(JsonConfig.read(configJson));
  }

  /** Parses the bytes of a config.json; {@code name} only labels errors. */
  public static ModelConfig parse(Path name, byte[] json) {
    return read(JsonConfig.parse(name, json));
  }

  private static ModelConfig read(JsonConfig c) {
    String modelType = c.optString("model_type", "");
    if (!modelType.startsWith("gemma3")) {
      throw c.invalid(
          "model_type", "'" + modelType + "' is not a Gemma 3 text model (expected gemma3_text)");
    }
    if (!c.requireBoolean("use_bidirectional_attention")) {
      throw c.invalid(
          "use_bidirectional_attention",
          "false means a causal Gemma 3 language model, not an EmbeddingGemma encoder");
    }
    String act = c.optString("hidden_activation", "gelu_pytorch_tanh");
    if (!act.equals("gelu_pytorch_tanh") && !act.equals("gelu_tanh")) {
      throw c.invalid(
          "hidden_activation", "'" + act + "' is not supported (expected gelu_pytorch_tanh)");
    }
    int layers = c.requireInt("num_hidden_layers", MAX_LAYERS);
    int heads = c.requireInt("num_attention_heads", MAX_HEADS);
    int kvHeads = c.requireInt("num_key_value_heads", MAX_HEADS);
    if (heads % kvHeads != 0) {
      throw c.invalid(
          "num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
    }
    int headDim = c.requireInt("head_dim", MAX_WIDTH);
    if (headDim % 2 != 0) {
      throw c.invalid("head_dim", "must be even for rotary embeddings, got " + headDim);
    }
    // The serialized value is the full window (512): transformers halves it at load time to
    // 257 with exclusive bounds, i.e. |i - j| <= 256 = window / 2 (spec §2.6, pitfall P7).
    int window = c.requireInt("sliding_window", MAX_POSITIONS);
    if (c.has("attn_logit_softcapping")) {
      throw c.invalid(
          "attn_logit_softcapping", "attention soft-capping is not supported (Gemma 3 has none)");
    }
    Rope rope = readRope(c);
    int maxPositions = c.requireInt("max_position_embeddings", MAX_POSITIONS);
    c.checkRange("max_position_embeddings", ConfigRanges.positions(maxPositions));
    if ((long) maxPositions * headDim > MAX_ROPE_TABLE) {
      throw c.invalid(
          "max_position_embeddings",
          maxPositions
              + " positions × head_dim "
              + headDim
              + " exceeds the supported RoPE table size "
              + MAX_ROPE_TABLE);
    }
    double eps = c.requireDouble("rms_norm_eps");
    c.checkRange("rms_norm_eps", ConfigRanges.rmsEps(eps));
    double queryScalar = c.requireDouble("query_pre_attn_scalar");
    c.checkRange("query_pre_attn_scalar", ConfigRanges.queryPreAttnScalar(queryScalar));
    return new ModelConfig(
        c.requireInt("vocab_size", MAX_VOCAB),
        c.requireInt("hidden_size", MAX_WIDTH),
        c.requireInt("intermediate_size", MAX_WIDTH),
        layers,
        heads,
        kvHeads,
        headDim,
        maxPositions,
        (float) eps,
        window / 2,
        readLayerTypes(c, layers),
        rope.fullBase,
        rope.fullScale,
        rope.slidingBase,
        (float) Math.pow(queryScalar, -0.5),
        false);
  }

  private static boolean[] readLayerTypes(JsonConfig c, int layers) {
    boolean[] full = new boolean[layers];
    JsonNode types = c.get("layer_types");
    if (types != null) {
      if (!types.isArray() || types.size() != layers) {
        throw c.invalid("layer_types", "must list " + layers + " entries, got " + types.size());
      }
      for (int i = 0; i < layers; i++) {
        String t = types.get(i).asText();
        switch (t) {
          case "full_attention" -> full[i] = true;
          case "sliding_attention" -> full[i] = false;
          default -> throw c.invalid("layer_types", "entry " + i + " is '" + t + "'");
        }
      }
      return full;
    }
    String key =
        c.has("sliding_window_pattern") ? "sliding_window_pattern" : "_sliding_window_pattern";
    int pattern = c.requirePositiveInt(key);
    for (int i = 0; i < layers; i++) {
      full[i] = (i + 1) % pattern == 0;
    }
    return full;
  }

  private record Rope(double fullBase, double fullScale, double slidingBase) {}

  private static Rope readRope(JsonConfig c) {
    JsonNode params = c.get("rope_parameters");
    if (params != null && params.has("full_attention")) {
      JsonNode full = params.get("full_attention");
      JsonNode sliding = params.get("sliding_attention");
      if (sliding == null) {
        throw c.invalid("rope_parameters", "missing 'sliding_attention'");
      }
      return new Rope(
          theta(c, full, "rope_parameters.full_attention"),
          scale(c, full, "rope_parameters.full_attention"),
          theta(c, sliding, "rope_parameters.sliding_attention"));
    }
    double fullBase = c.requireDouble("rope_theta");
    c.checkRange("rope_theta", ConfigRanges.ropeBase(fullBase));
    double slidingBase = c.requireDouble("rope_local_base_freq");
    c.checkRange("rope_local_base_freq", ConfigRanges.ropeBase(slidingBase));
    JsonNode scaling = c.get("rope_scaling");
    return new Rope(
        fullBase, scaling == null ? 1.0 : scale(c, scaling, "rope_scaling"), slidingBase);
  }

  private static double theta(JsonConfig c, JsonNode node, String where) {
    JsonNode t = node.get("rope_theta");
    if (t == null || !t.isNumber()) {
      throw c.missing(where + ".rope_theta");
    }
    checkType(c, node, where);
    c.checkRange(where + ".rope_theta", ConfigRanges.ropeBase(t.asDouble()));
    return t.asDouble();
  }

  private static double scale(JsonConfig c, JsonNode node, String where) {
    String type = checkType(c, node, where);
    if (type.equals("linear")) {
      JsonNode f = node.get("factor");
      if (f == null || !f.isNumber()) {
        throw c.invalid(where, "linear RoPE scaling needs a positive 'factor'");
      }
      c.checkRange(where + ".factor", ConfigRanges.ropeFactor(f.asDouble()));
      return f.asDouble();
    }
    return 1.0;
  }

  private static String checkType(JsonConfig c, JsonNode node, String where) {
    String type =
        node.has("rope_type")
            ? node.get("rope_type").asText()
            : node.has("type") ? node.get("type").asText() : "default";
    if (!type.equals("default") && !type.equals("linear")) {
      throw c.invalid(where, "RoPE type '" + type + "' is not supported (default or linear)");
    }
    return type;
  }
}
