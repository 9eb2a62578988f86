package dev.gemmaembed.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.Prompts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a synthetic EmbeddingGemma 2 folder (text tower only) as
 * shared/tools/eg2/make_synthetic_eg2.py does: config.json ({@code embedding_gemma2} with a {@code
 * text_config}), model.safetensors ({@code language_model.*}, names sorted; F32 or BF16, byte for
 * byte the script's), the sentence-transformers files (mean Pooling over 768, Normalize, the 20
 * prompts) and the Gemma 3 tokenizer as a stand-in. Weights: the SplitMix64 recipe with EG2's
 * centres ({@link #centreAndSpread}).
 */
public final class Eg2SyntheticWriter {

  public static final String PREFIX = "language_model.";

  private static final ObjectMapper JSON = SentenceTransformerFiles.JSON;

  private Eg2SyntheticWriter() {}

  public static void write(Eg2SyntheticSpec spec, SafetensorsWriter.Dtype dtype, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    SentenceTransformerFiles.writeJson(dir.resolve("config.json"), config(spec, dtype));
    SentenceTransformerFiles.write(
        dir,
        Prompts.EMBEDDING_GEMMA2,
        spec.maxSeqLength(),
        spec.embeddingDim(),
        "Pooling",
        "Normalize");
    Files.createDirectories(dir.resolve("2_Normalize"));
    SentenceTransformerFiles.copyTokenizerFiles(dir);
    model(spec, dtype).write(dir.resolve("model.safetensors"));
  }

  /** Every tensor with its [out, in] (or [n]) shape, by full name, sorted as written. */
  public static Map<String, long[]> tensors(Eg2SyntheticSpec s) {
    Map<String, long[]> t = new TreeMap<>();
    long h = s.hiddenSize();
    long p = s.hiddenSizePerLayerInput();
    long f = s.intermediateSize();
    t.put("embed_tokens.weight", new long[] {s.vocabSize(), h});
    t.put("ple.per_layer_model_projection.weight", new long[] {s.numHiddenLayers() * p, h});
    t.put("ple.per_layer_projection_norm.weight", new long[] {p});
    t.put("norm.weight", new long[] {h});
    t.put("embedding_projection.weight", new long[] {s.embeddingDim(), h});
    for (int i = 0; i < s.numHiddenLayers(); i++) {
      boolean global = s.global(i);
      long d = global ? s.globalHeadDim() : s.headDim();
      long kv = global ? s.globalNumKeyValueHeads() : s.numKeyValueHeads();
      long q = s.numAttentionHeads() * d;
      String b = "layers." + i + ".";
      t.put(b + "input_layernorm.weight", new long[] {h});
      t.put(b + "self_attn.q_proj.weight", new long[] {q, h});
      t.put(b + "self_attn.k_proj.weight", new long[] {kv * d, h});
      t.put(b + "self_attn.v_proj.weight", new long[] {kv * d, h});
      t.put(b + "self_attn.o_proj.weight", new long[] {h, q});
      t.put(b + "self_attn.q_norm.weight", new long[] {d});
      t.put(b + "self_attn.k_norm.weight", new long[] {d});
      t.put(b + "post_attention_layernorm.weight", new long[] {h});
      t.put(b + "pre_feedforward_layernorm.weight", new long[] {h});
      t.put(b + "mlp.gate_proj.weight", new long[] {f, h});
      t.put(b + "mlp.up_proj.weight", new long[] {f, h});
      t.put(b + "mlp.down_proj.weight", new long[] {h, f});
      t.put(b + "post_feedforward_layernorm.weight", new long[] {h});
      t.put(b + "ple_block.per_layer_input_gate.weight", new long[] {p, h});
      t.put(b + "ple_block.per_layer_projection.weight", new long[] {h, p});
      t.put(b + "ple_block.post_per_layer_input_norm.weight", new long[] {h});
      t.put(b + "layer_scalar", new long[] {1});
    }
    Map<String, long[]> prefixed = new TreeMap<>();
    t.forEach((name, shape) -> prefixed.put(PREFIX + name, shape));
    return prefixed;
  }

  /**
   * (centre, spread) of a tensor: q/k norms (0.5, 0.1) — they keep the unscaled logits moderate;
   * other norms (1, 0.1) as Gemma 4 norms multiply by w; layer scalars (0.5, 0.1); the token table
   * (0, 0.05); every other matrix (0, 1/√fan_in).
   */
  static double[] centreAndSpread(String name, long[] shape) {
    if (name.endsWith("q_norm.weight") || name.endsWith("k_norm.weight")) {
      return new double[] {0.5, Eg2SyntheticSpec.NORM_STD};
    }
    if (name.endsWith("norm.weight")) {
      return new double[] {1.0, Eg2SyntheticSpec.NORM_STD};
    }
    if (name.endsWith("layer_scalar")) {
      return new double[] {0.5, 0.1};
    }
    if (name.endsWith("embed_tokens.weight")) {
      return new double[] {0.0, Eg2SyntheticSpec.EMBED_STD};
    }
    return new double[] {0.0, 1.0 / Math.sqrt(shape[1])};
  }

  /** The values generator of one tensor, by its full name. */
  public static SafetensorsWriter.Values values(Eg2SyntheticSpec spec, String name, long[] shape) {
    double[] cs = centreAndSpread(name, shape);
    return (start, out) -> SyntheticRecipe.fillCentred(name, spec.seed(), cs[0], cs[1], start, out);
  }

  private static SafetensorsWriter model(Eg2SyntheticSpec spec, SafetensorsWriter.Dtype dtype) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("synthetic", "steering tools/eg2 recipe");
    SafetensorsWriter w = new SafetensorsWriter(dtype, meta);
    tensors(spec).forEach((name, shape) -> w.add(name, shape, values(spec, name, shape)));
    return w;
  }

  private static ObjectNode config(Eg2SyntheticSpec s, SafetensorsWriter.Dtype dtype) {
    String dt = dtype == SafetensorsWriter.Dtype.BF16 ? "bfloat16" : "float32";
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures").add("EmbeddingGemma2Model");
    c.put("model_type", "embedding_gemma2");
    ObjectNode t = c.putObject("text_config");
    t.put("model_type", "embedding_gemma2_text");
    t.put("vocab_size", s.vocabSize());
    t.put("hidden_size", s.hiddenSize());
    t.put("intermediate_size", s.intermediateSize());
    t.put("num_hidden_layers", s.numHiddenLayers());
    t.put("num_attention_heads", s.numAttentionHeads());
    t.put("num_key_value_heads", s.numKeyValueHeads());
    t.put("head_dim", s.headDim());
    ObjectNode plc = t.putObject("per_layer_config");
    ArrayNode types = JSON.createArrayNode();
    for (int i = 0; i < s.numHiddenLayers(); i++) {
      types.add(s.global(i) ? "full_attention" : "sliding_attention");
      if (s.global(i)) {
        plc.putObject(Integer.toString(i))
            .put("head_dim", s.globalHeadDim())
            .put("num_key_value_heads", s.globalNumKeyValueHeads());
      }
    }
    t.put("hidden_activation", "gelu_pytorch_tanh");
    t.put("max_position_embeddings", s.maxPositionEmbeddings());
    t.put("rms_norm_eps", 1e-6);
    t.put("pad_token_id", 0);
    t.put("eos_token_id", 1);
    t.put("bos_token_id", 2);
    t.put("attention_bias", false);
    t.put("attention_dropout", 0.0);
    t.put("initializer_range", 0.02);
    t.put("sliding_window", s.slidingWindow());
    t.set("layer_types", types);
    t.put("hidden_size_per_layer_input", s.hiddenSizePerLayerInput());
    t.put("embedding_dim", s.embeddingDim());
    ObjectNode rope = t.putObject("rope_parameters");
    rope.putObject("sliding_attention").put("rope_type", "default").put("rope_theta", 10000.0);
    ObjectNode full = rope.putObject("full_attention");
    if (s.partialRotaryFactor() != null) {
      full.put("rope_type", "proportional").put("partial_rotary_factor", s.partialRotaryFactor());
    } else {
      full.put("rope_type", "default");
    }
    full.put("rope_theta", 1000000.0);
    t.put("dtype", dt);
    c.putNull("vision_config");
    c.putNull("audio_config");
    c.put("boi_token_id", 255999);
    c.put("eoi_token_id", 258882);
    c.put("image_token_id", 258880);
    c.put("video_token_id", 258884);
    c.put("boa_token_id", 256000);
    c.put("eoa_token_index", 258883);
    c.put("audio_token_id", 258881);
    c.put("initializer_range", 0.02);
    c.put("tie_word_embeddings", false);
    c.put("dtype", dt);
    return c;
  }
}
