package dev.gemmaembed.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.gguf.GgufNames;
import dev.gemmaembed.core.model.HfConfigReader;
import dev.gemmaembed.core.model.ModelConfig;
import dev.gemmaembed.core.model.TensorSource;
import dev.gemmaembed.core.safetensors.SafetensorsCheckpoint;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.SafetensorsTensorSource;
import dev.gemmaembed.kernels.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face / sentence-transformers EmbeddingGemma folder opened for conversion: its config,
 * the memory-mapped transformer weights, the Dense modules and pooling of {@code modules.json}, and
 * {@link #tensors()} in llama.cpp's GGUF names, order and value conventions (norm weights + 1).
 */
public final class HfSource {

  /**
   * One sentence-transformers Dense module (no bias, identity activation: all llama.cpp can run).
   */
  public record Dense(int in, int out, WeightMatrix weight) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ModelConfig config;
  private final TensorSource weights;
  private final List<Dense> dense;
  private final int poolingType;

  private HfSource(
      Path dir, ModelConfig config, TensorSource weights, List<Dense> dense, int poolingType) {
    this.dir = dir;
    this.config = config;
    this.weights = weights;
    this.dense = dense;
    this.poolingType = poolingType;
  }

  /** Opens {@code dir}; the weight mappings live as long as {@code arena}. */
  public static HfSource open(Path dir, Arena arena) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(dir, "not a model directory");
    }
    ModelConfig cfg = HfConfigReader.read(dir.resolve("config.json"));
    for (int l = 0; l < cfg.layers(); l++) {
      if (cfg.fullAttention()[l] != ((l + 1) % 6 == 0)) {
        throw new ConfigException(
            dir.resolve("config.json"),
            "layer_types: llama.cpp's gemma-embedding architecture "
                + "fixes full attention on every 6th layer; layer "
                + l
                + " differs");
      }
    }
    if (Math.abs(cfg.queryScale() - (float) (1.0 / Math.sqrt(cfg.headDim())))
        > 1e-7f * cfg.queryScale()) {
      throw new ConfigException(
          dir.resolve("config.json"),
          "query_pre_attn_scalar: llama.cpp scales queries by "
              + "1/sqrt(head_dim), this model by "
              + cfg.queryScale());
    }
    TensorSource weights = SafetensorsCheckpoint.open(dir, arena);
    List<Dense> dense = new ArrayList<>();
    int pooling = readModules(dir, cfg.hidden(), arena, dense);
    return new HfSource(dir, cfg, weights, List.copyOf(dense), pooling);
  }

  public Path dir() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  public List<Dense> dense() {
    return dense;
  }

  /** llama.cpp's pooling_type: 1 mean, 2 cls, 3 last token. */
  public int poolingType() {
    return poolingType;
  }

  /**
   * Every tensor in the order llama.cpp's converter writes them: the Dense layers, the final norm,
   * the token table, then each block's tensors sorted by name.
   */
  public List<SourceTensor> tensors() {
    ModelConfig c = config;
    List<SourceTensor> out = new ArrayList<>();
    String[] denseNames = {GgufNames.DENSE_2, GgufNames.DENSE_3};
    for (int i = 0; i < dense.size(); i++) {
      Dense d = dense.get(i);
      out.add(matrix(denseNames[i], d.weight()));
    }
    out.add(vector("norm.weight", c.hidden()));
    out.add(
        matrix(
            "token_embd.weight", weights.matrix("embed_tokens.weight", c.vocabSize(), c.hidden())));
    int q = c.heads() * c.headDim();
    int kv = c.kvHeads() * c.headDim();
    for (int l = 0; l < c.layers(); l++) {
      String p = "layers." + l + ".";
      Map<String, SourceTensor> block = new TreeMap<>();
      for (String n :
          List.of(
              "input_layernorm.weight",
              "post_attention_layernorm.weight",
              "pre_feedforward_layernorm.weight",
              "post_feedforward_layernorm.weight")) {
        add(block, vector(p + n, c.hidden()));
      }
      add(block, vector(p + "self_attn.q_norm.weight", c.headDim()));
      add(block, vector(p + "self_attn.k_norm.weight", c.headDim()));
      add(block, hfMatrix(p + "self_attn.q_proj.weight", q, c.hidden()));
      add(block, hfMatrix(p + "self_attn.k_proj.weight", kv, c.hidden()));
      add(block, hfMatrix(p + "self_attn.v_proj.weight", kv, c.hidden()));
      add(block, hfMatrix(p + "self_attn.o_proj.weight", c.hidden(), q));
      add(block, hfMatrix(p + "mlp.gate_proj.weight", c.intermediate(), c.hidden()));
      add(block, hfMatrix(p + "mlp.up_proj.weight", c.intermediate(), c.hidden()));
      add(block, hfMatrix(p + "mlp.down_proj.weight", c.hidden(), c.intermediate()));
      out.addAll(block.values());
    }
    return out;
  }

  private static void add(Map<String, SourceTensor> block, SourceTensor t) {
    block.put(t.ggufName(), t);
  }

  private SourceTensor hfMatrix(String hfName, int rows, int cols) {
    return matrix(GgufNames.fromHf(hfName), weights.matrix(hfName, rows, cols));
  }

  private static SourceTensor matrix(String ggufName, WeightMatrix m) {
    return new SourceTensor(
        ggufName, new long[] {m.cols(), m.rows()}, (r, dst) -> m.readRow(r, dst, 0));
  }

  /** A norm vector, shifted by + 1 in float32 as llama.cpp's converter stores Gemma norms. */
  private SourceTensor vector(String hfName, int n) {
    String name = GgufNames.fromHf(hfName);
    float[] w = weights.vector(hfName, n);
    if (GgufNames.isNorm(name)) {
      for (int i = 0; i < n; i++) {
        w[i] = w[i] + 1f;
      }
    }
    return new SourceTensor(name, new long[] {n}, (r, dst) -> System.arraycopy(w, 0, dst, 0, n));
  }

  /** Reads modules.json: collects the Dense modules, returns the pooling type. */
  private static int readModules(Path dir, int hidden, Arena arena, List<Dense> dense) {
    Path modulesFile = dir.resolve("modules.json");
    JsonNode modules = readJson(modulesFile);
    Integer pooling = null;
    int width = hidden;
    for (JsonNode m : modules) {
      String type = m.path("type").asText("");
      Path moduleDir = dir.resolve(m.path("path").asText(""));
      switch (type) {
        case "sentence_transformers.models.Pooling" ->
            pooling = poolingType(moduleDir.resolve("config.json"));
        case "sentence_transformers.models.Dense" -> {
          Dense d = readDense(moduleDir, width, arena);
          dense.add(d);
          width = d.out();
        }
        case "sentence_transformers.models.Transformer",
            "sentence_transformers.models.Normalize" -> {}
        default ->
            throw new ConfigException(
                modulesFile, "module type '" + type + "' cannot be expressed in GGUF");
      }
    }
    if (pooling == null) {
      throw new ConfigException(modulesFile, "no Pooling module");
    }
    if (dense.size() == 1 || dense.size() > 2) {
      throw new ConfigException(
          modulesFile,
          "llama.cpp's gemma-embedding graph takes exactly two Dense layers (or none), "
              + "found "
              + dense.size());
    }
    if (!dense.isEmpty() && width != hidden) {
      throw new ConfigException(
          modulesFile,
          "the Dense layers end at width " + width + ", not the hidden size " + hidden);
    }
    return pooling;
  }

  private static int poolingType(Path configFile) {
    JsonNode c = readJson(configFile);
    boolean mean = c.path("pooling_mode_mean_tokens").asBoolean(false);
    boolean cls = c.path("pooling_mode_cls_token").asBoolean(false);
    boolean last = c.path("pooling_mode_lasttoken").asBoolean(false);
    boolean other =
        c.path("pooling_mode_max_tokens").asBoolean(false)
            || c.path("pooling_mode_mean_sqrt_len_tokens").asBoolean(false)
            || c.path("pooling_mode_weightedmean_tokens").asBoolean(false);
    int modes = (mean ? 1 : 0) + (cls ? 1 : 0) + (last ? 1 : 0);
    if (other || modes != 1) {
      throw new ConfigException(
          configFile, "GGUF expresses exactly one of mean, cls or last-token pooling");
    }
    return mean ? 1 : cls ? 2 : 3;
  }

  private static Dense readDense(Path moduleDir, int expectedIn, Arena arena) {
    Path configFile = moduleDir.resolve("config.json");
    JsonNode c = readJson(configFile);
    int in = c.path("in_features").asInt(-1);
    int out = c.path("out_features").asInt(-1);
    if (in != expectedIn || out < 1) {
      throw new ConfigException(
          configFile,
          "in_features/out_features " + in + "/" + out + " do not follow width " + expectedIn);
    }
    if (c.path("bias").asBoolean(true)) {
      throw new ConfigException(
          configFile, "a Dense bias cannot be expressed in llama.cpp's gemma-embedding GGUF");
    }
    String act = c.path("activation_function").asText("");
    if (!act.equals("torch.nn.modules.linear.Identity")) {
      throw new ConfigException(
          configFile, "activation '" + act + "' cannot be expressed in GGUF (Identity only)");
    }
    var src =
        new SafetensorsTensorSource(
            SafetensorsFile.open(moduleDir.resolve("model.safetensors"), arena));
    return new Dense(in, out, src.matrix("linear.weight", out, in));
  }

  static JsonNode readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file, "file not found");
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException(file, "cannot parse: " + e.getMessage(), e);
    }
  }
}
