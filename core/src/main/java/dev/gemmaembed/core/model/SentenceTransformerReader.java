package dev.gemmaembed.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.SafetensorsTensorSource;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the sentence-transformers side of a model directory: {@code modules.json}, the Pooling and
 * Dense module folders, {@code sentence_bert_config.json} and the prompts of {@code
 * config_sentence_transformers.json}.
 */
public final class SentenceTransformerReader {

  private static final String TRANSFORMER = "sentence_transformers.models.Transformer";
  private static final String POOLING = "sentence_transformers.models.Pooling";
  private static final String DENSE = "sentence_transformers.models.Dense";
  private static final String NORMALIZE = "sentence_transformers.models.Normalize";
  private static final String IDENTITY = "torch.nn.modules.linear.Identity";
  private static final String TANH = "torch.nn.modules.activation.Tanh";

  private SentenceTransformerReader() {}

  /**
   * The head (pooling, Dense layers, Normalize) a model folder's {@code modules.json} describes; a
   * {@link ConfigException} or {@link dev.gemmaembed.core.CheckpointException} naming the file for
   * anything it cannot use.
   */
  public static SentenceTransformerHead readHead(Path dir, int hidden, Arena arena) {
    Path modulesFile = dir.resolve("modules.json");
    if (!Files.isRegularFile(modulesFile)) {
      throw new ConfigException(
          modulesFile,
          "file not found: gemma-embed needs the sentence-transformers "
              + "layout (modules.json, 1_Pooling, 2_Dense, 3_Dense) to reproduce SentenceTransformer vectors");
    }
    JsonNode modules = JsonConfig.readArray(modulesFile);
    List<PoolingMode> pooling = null;
    List<DenseLayer> dense = new ArrayList<>();
    boolean normalize = false;
    int width = hidden;
    for (int i = 0; i < modules.size(); i++) {
      JsonNode m = modules.get(i);
      String type = m.path("type").asText("");
      String path = m.path("path").asText("");
      switch (type) {
        case TRANSFORMER -> {
          if (i != 0) {
            throw new ConfigException(
                modulesFile, "the Transformer module must come first, found at index " + i);
          }
        }
        case POOLING -> {
          if (pooling != null) {
            throw new ConfigException(modulesFile, "more than one Pooling module");
          }
          pooling =
              readPooling(moduleDir(dir, modulesFile, i, path).resolve("config.json"), hidden);
          width = hidden * pooling.size();
        }
        case DENSE -> {
          if (pooling == null) {
            throw new ConfigException(
                modulesFile, "Dense module '" + path + "' before any Pooling module");
          }
          DenseLayer layer = readDense(moduleDir(dir, modulesFile, i, path), width, arena);
          dense.add(layer);
          width = layer.out();
        }
        case NORMALIZE -> normalize = true;
        default ->
            throw new ConfigException(
                modulesFile, "module " + i + " has unsupported type '" + type + "'");
      }
    }
    if (pooling == null) {
      throw new ConfigException(modulesFile, "no Pooling module");
    }
    return new SentenceTransformerHead(pooling, dense, normalize);
  }

  /**
   * A module's folder: {@code path} taken inside the model folder, never out of it (no absolute
   * path, no {@code ..} that climbs above it). Checked on the names, not on where links lead, as
   * the Hugging Face cache links every file of a snapshot to a blob elsewhere.
   */
  private static Path moduleDir(Path dir, Path modulesFile, int index, String path) {
    Path resolved = dir.resolve(path).normalize();
    if (Path.of(path).isAbsolute() || !resolved.startsWith(dir.normalize())) {
      throw new ConfigException(
          modulesFile,
          "module "
              + index
              + " has path '"
              + path
              + "', which leaves the model "
              + "folder; module paths must stay inside it");
    }
    return resolved;
  }

  private static List<PoolingMode> readPooling(Path configFile, int hidden) {
    JsonConfig c = JsonConfig.read(configFile);
    int dim = c.requirePositiveInt("word_embedding_dimension");
    if (dim != hidden) {
      throw c.invalid(
          "word_embedding_dimension", dim + " differs from the model's hidden_size " + hidden);
    }
    if (c.has("pooling_mode_weightedmean_tokens")
        && c.requireBoolean("pooling_mode_weightedmean_tokens")) {
      throw c.invalid("pooling_mode_weightedmean_tokens", "weighted-mean pooling is not supported");
    }
    if (c.has("include_prompt") && !c.requireBoolean("include_prompt")) {
      throw c.invalid("include_prompt", "pooling that excludes the prompt tokens is not supported");
    }
    List<PoolingMode> modes = new ArrayList<>();
    for (PoolingMode mode : PoolingMode.values()) {
      if (c.has(mode.configKey) && c.requireBoolean(mode.configKey)) {
        modes.add(mode);
      }
    }
    if (modes.isEmpty()) {
      throw new ConfigException(configFile, "no pooling mode is enabled");
    }
    return modes;
  }

  private static DenseLayer readDense(Path moduleDir, int expectedIn, Arena arena) {
    JsonConfig c = JsonConfig.read(moduleDir.resolve("config.json"));
    int in = c.requirePositiveInt("in_features");
    int out = c.requirePositiveInt("out_features");
    if (in != expectedIn) {
      throw c.invalid(
          "in_features", in + " does not match the previous module's output width " + expectedIn);
    }
    boolean hasBias = c.requireBoolean("bias");
    String act = c.optString("activation_function", null);
    if (act == null) {
      throw c.missing("activation_function");
    }
    boolean tanh;
    switch (act) {
      case IDENTITY -> tanh = false;
      case TANH -> tanh = true;
      default ->
          throw c.invalid(
              "activation_function", "'" + act + "' is not supported (Identity or Tanh)");
    }
    Path weightsFile = moduleDir.resolve("model.safetensors");
    if (!Files.isRegularFile(weightsFile)) {
      String hint =
          Files.exists(moduleDir.resolve("pytorch_model.bin"))
              ? " (only pytorch_model.bin is present: convert it to safetensors)"
              : "";
      throw new ConfigException(weightsFile, "Dense weights not found" + hint);
    }
    SafetensorsTensorSource src =
        new SafetensorsTensorSource(SafetensorsFile.open(weightsFile, arena));
    DenseLayer layer =
        new DenseLayer(
            src.matrix("linear.weight", out, in),
            hasBias ? src.vector("linear.bias", out) : null,
            tanh);
    FiniteWeights.checkDense(layer, weightsFile, "linear.weight", "linear.bias");
    return layer;
  }

  /** max_seq_length from sentence_bert_config.json, or {@code fallback} when the file is absent. */
  static int readMaxSeqLength(Path dir, int fallback) {
    Path file = dir.resolve("sentence_bert_config.json");
    if (!Files.isRegularFile(file)) {
      return fallback;
    }
    JsonConfig c = JsonConfig.read(file);
    if (!c.has("max_seq_length")) {
      return fallback;
    }
    int n = c.requirePositiveInt("max_seq_length");
    c.checkRange("max_seq_length", ConfigRanges.positions(n));
    return n;
  }

  /** The named prompts of config_sentence_transformers.json (empty when the file is absent). */
  static Map<String, String> readPrompts(Path dir) {
    Path file = dir.resolve("config_sentence_transformers.json");
    Map<String, String> prompts = new LinkedHashMap<>();
    if (!Files.isRegularFile(file)) {
      return prompts;
    }
    JsonConfig c = JsonConfig.read(file);
    JsonNode p = c.get("prompts");
    if (p != null) {
      if (!p.isObject()) {
        throw c.invalid("prompts", "must be an object of name → prompt string");
      }
      p.properties().forEach(e -> prompts.put(e.getKey(), e.getValue().asText()));
    }
    return prompts;
  }
}
