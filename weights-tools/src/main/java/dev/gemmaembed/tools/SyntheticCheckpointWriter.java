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

/**
 * Writes a complete synthetic EmbeddingGemma directory in the Hugging Face / sentence-transformers
 * layout: config files, {@code model.safetensors}, the two Dense modules and the real Gemma 3
 * tokenizer (bundled with the tokenizer module). Weights follow {@link SyntheticRecipe}, stored in
 * the spec's dtype.
 */
public final class SyntheticCheckpointWriter {

  private static final ObjectMapper JSON = SentenceTransformerFiles.JSON;

  private SyntheticCheckpointWriter() {}

  public static void write(SyntheticSpec spec, Path dir) throws IOException {
    Files.createDirectories(dir);
    SentenceTransformerFiles.writeJson(dir.resolve("config.json"), config(spec));
    SentenceTransformerFiles.write(
        dir,
        Prompts.EMBEDDING_GEMMA,
        spec.maxPositions(),
        spec.hidden(),
        "Pooling",
        "Dense",
        "Dense",
        "Normalize");
    writeDense(
        spec, dir.resolve("2_Dense"), "2_Dense/linear.weight", spec.hidden(), spec.denseDim());
    writeDense(
        spec, dir.resolve("3_Dense"), "3_Dense/linear.weight", spec.denseDim(), spec.hidden());
    SentenceTransformerFiles.copyTokenizerFiles(dir);
    model(spec).write(dir.resolve("model.safetensors"));
  }

  /** Every tensor of the transformer, with its [out, in] (or [n]) shape, in checkpoint order. */
  public static Map<String, long[]> transformerTensors(SyntheticSpec s) {
    Map<String, long[]> t = new LinkedHashMap<>();
    long h = s.hidden();
    long q = (long) s.heads() * s.headDim();
    long kv = (long) s.kvHeads() * s.headDim();
    t.put("embed_tokens.weight", new long[] {s.vocab(), h});
    for (int l = 0; l < s.layers(); l++) {
      String p = "layers." + l + ".";
      t.put(p + "input_layernorm.weight", new long[] {h});
      t.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      t.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      t.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      t.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      t.put(p + "self_attn.q_norm.weight", new long[] {s.headDim()});
      t.put(p + "self_attn.k_norm.weight", new long[] {s.headDim()});
      t.put(p + "post_attention_layernorm.weight", new long[] {h});
      t.put(p + "pre_feedforward_layernorm.weight", new long[] {h});
      t.put(p + "mlp.gate_proj.weight", new long[] {s.intermediate(), h});
      t.put(p + "mlp.up_proj.weight", new long[] {s.intermediate(), h});
      t.put(p + "mlp.down_proj.weight", new long[] {h, s.intermediate()});
      t.put(p + "post_feedforward_layernorm.weight", new long[] {h});
    }
    t.put("norm.weight", new long[] {h});
    return t;
  }

  /** The values generator of one tensor, by its recipe name. */
  public static SafetensorsWriter.Values values(
      SyntheticSpec spec, String recipeName, long[] shape) {
    double std = SyntheticRecipe.std(recipeName, shape, spec.normStd(), spec.embedStd());
    return (start, out) -> SyntheticRecipe.fill(recipeName, spec.seed(), std, start, out);
  }

  private static SafetensorsWriter model(SyntheticSpec spec) {
    SafetensorsWriter w = new SafetensorsWriter(spec.dtype());
    transformerTensors(spec)
        .forEach((name, shape) -> w.add(name, shape, values(spec, name, shape)));
    return w;
  }

  private static void writeDense(SyntheticSpec spec, Path dir, String recipeName, int in, int out)
      throws IOException {
    ObjectNode cfg =
        JSON.createObjectNode()
            .put("in_features", in)
            .put("out_features", out)
            .put("bias", false)
            .put("activation_function", "torch.nn.modules.linear.Identity");
    SentenceTransformerFiles.writeJson(dir.resolve("config.json"), cfg);
    long[] shape = {out, in};
    new SafetensorsWriter(spec.dtype())
        .add("linear.weight", shape, values(spec, recipeName, shape))
        .write(dir.resolve("model.safetensors"));
  }

  private static ObjectNode config(SyntheticSpec s) {
    ObjectNode c = JSON.createObjectNode();
    c.put("_sliding_window_pattern", 6);
    c.putArray("architectures").add("Gemma3TextModel");
    c.put("attention_bias", false);
    c.put("attention_dropout", 0.0);
    c.putNull("attn_logit_softcapping");
    c.put("bos_token_id", 2);
    c.put("dtype", s.dtype().torchName());
    c.put("eos_token_id", 1);
    c.putNull("final_logit_softcapping");
    c.put("head_dim", s.headDim());
    c.put("hidden_activation", "gelu_pytorch_tanh");
    c.put("hidden_size", s.hidden());
    c.put("initializer_range", 0.02);
    c.put("intermediate_size", s.intermediate());
    ArrayNode types = c.putArray("layer_types");
    for (int i = 0; i < s.layers(); i++) {
      types.add((i + 1) % 6 == 0 ? "full_attention" : "sliding_attention");
    }
    c.put("max_position_embeddings", s.maxPositions());
    c.put("model_type", "gemma3_text");
    c.put("num_attention_heads", s.heads());
    c.put("num_hidden_layers", s.layers());
    c.put("num_key_value_heads", s.kvHeads());
    c.put("pad_token_id", 0);
    c.put("query_pre_attn_scalar", s.headDim());
    c.put("rms_norm_eps", 1e-6);
    c.put("rope_local_base_freq", 10000.0);
    c.putNull("rope_scaling");
    c.put("rope_theta", 1000000.0);
    c.put("sliding_window", s.slidingWindow());
    c.put("use_bidirectional_attention", true);
    c.put("use_cache", true);
    c.put("vocab_size", s.vocab());
    return c;
  }
}
