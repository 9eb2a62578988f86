package dev.gemmaembed.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.model.ModelConfig;
import dev.gemmaembed.kernels.WeightType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a Hugging Face EmbeddingGemma folder (F32, BF16 or F16 safetensors) into a GGUF file
 * that llama.cpp loads as architecture {@code gemma-embedding}: the same tensor names, order, +1
 * norm convention and metadata keys as its {@code convert_hf_to_gguf.py
 * --sentence-transformers-dense-modules}, with matrices stored as {@code llama-quantize --pure}
 * would store them for the chosen {@link QuantType} (quantization bit-exact with ggml's reference).
 */
public final class GgufQuantizeTool {

  /**
   * What was written.
   *
   * @param fallbacks one line per tensor stored in another type than the layout asked for, because
   *     its rows are not a whole number of that type's blocks
   */
  public record Result(
      Path file,
      long bytes,
      int tensors,
      Map<WeightType, Integer> tensorTypes,
      List<String> fallbacks) {}

  private GgufQuantizeTool() {}

  public static Result quantize(Path hfDir, Path out, QuantType type) throws IOException {
    return write(hfDir, out, type);
  }

  /**
   * As {@link #quantize} with any per-tensor layout, e.g. ggml-org's QAT Q4_0 files: Q4_0 matrices
   * with a Q8_0 token table.
   */
  public static Result write(Path hfDir, Path out, TensorLayout type) throws IOException {
    // Shared: rows are encoded on several threads (TensorEncoder).
    try (Arena arena = Arena.ofShared()) {
      HfSource src = HfSource.open(hfDir, arena);
      GgufWriter w = new GgufWriter();
      writeMetadata(src, type, w);
      Map<WeightType, Integer> counts = new EnumMap<>(WeightType.class);
      List<String> fallbacks = new ArrayList<>();
      List<SourceTensor> tensors = src.tensors();
      for (SourceTensor t : tensors) {
        WeightType wanted = type.tensorType(t.ggufName(), t.ne(), src.config().layers());
        WeightType tt = TensorLayout.fitWidth(wanted, t.ne()[0]);
        if (tt != wanted) {
          fallbacks.add(
              t.ggufName()
                  + ": "
                  + wanted
                  + " → "
                  + tt
                  + " (rows of "
                  + t.ne()[0]
                  + " values are not whole "
                  + wanted
                  + " blocks of "
                  + wanted.blockSize()
                  + ")");
        }
        counts.merge(tt, 1, Integer::sum);
        w.addTensor(t.ggufName(), t.ne(), tt, o -> TensorEncoder.encode(t, tt, o, true));
      }
      long bytes = w.write(out);
      return new Result(out, bytes, tensors.size(), counts, fallbacks);
    }
  }

  /** The metadata keys of llama.cpp's converter for this architecture, in its order. */
  static void writeMetadata(HfSource src, TensorLayout type, GgufWriter w) {
    ModelConfig c = src.config();
    String a = "gemma-embedding.";
    w.putString("general.architecture", "gemma-embedding");
    w.putString("general.type", "model");
    w.putString("general.name", src.dir().toAbsolutePath().normalize().getFileName().toString());
    w.putUInt32(a + "block_count", c.layers());
    w.putUInt32(a + "context_length", c.maxPositions());
    w.putUInt32(a + "embedding_length", c.hidden());
    w.putUInt32(a + "feed_forward_length", c.intermediate());
    w.putUInt32(a + "attention.head_count", c.heads());
    w.putUInt32(a + "attention.head_count_kv", c.kvHeads());
    w.putFloat32(a + "rope.freq_base", (float) c.ropeFullBase());
    w.putFloat32(a + "rope.freq_base_swa", (float) c.ropeSlidingBase());
    if (c.ropeFullScale() != 1.0) {
      w.putString(a + "rope.scaling.type", "linear");
      w.putFloat32(a + "rope.scaling.factor", (float) c.ropeFullScale());
    }
    w.putFloat32(a + "attention.layer_norm_rms_epsilon", c.rmsEps());
    w.putUInt32(a + "attention.key_length", c.headDim());
    w.putUInt32(a + "attention.value_length", c.headDim());
    // GGUF, like config.json, keeps the full window; readers halve it (radius 256 for 512).
    w.putUInt32(a + "attention.sliding_window", 2L * c.slidingRadius());
    String[] dense = {"dense_2", "dense_3"};
    for (int i = 0; i < src.dense().size(); i++) {
      w.putUInt32(a + dense[i] + "_feat_in", src.dense().get(i).in());
      w.putUInt32(a + dense[i] + "_feat_out", src.dense().get(i).out());
    }
    w.putUInt32(a + "pooling_type", src.poolingType());
    writeTokenizer(src.dir(), w);
    w.putUInt32("general.quantization_version", 2);
    w.putUInt32("general.file_type", type.fileType());
  }

  static void writeTokenizer(Path dir, GgufWriter w) {
    GgufVocabulary vocab = GgufVocabulary.fromTokenizerJson(dir.resolve("tokenizer.json"));
    Path configFile = dir.resolve("tokenizer_config.json");
    JsonNode cfg = Files.isRegularFile(configFile) ? HfSource.readJson(configFile) : null;
    w.putString("tokenizer.ggml.model", "llama");
    w.putString("tokenizer.ggml.pre", "default");
    w.putStringArray("tokenizer.ggml.tokens", vocab.tokens());
    w.putFloat32Array("tokenizer.ggml.scores", vocab.scores());
    w.putInt32Array("tokenizer.ggml.token_type", vocab.types());
    putId(w, "tokenizer.ggml.bos_token_id", cfg, "bos_token", "<bos>", vocab, configFile);
    putId(w, "tokenizer.ggml.eos_token_id", cfg, "eos_token", "<eos>", vocab, configFile);
    putId(w, "tokenizer.ggml.unknown_token_id", cfg, "unk_token", "<unk>", vocab, configFile);
    putId(w, "tokenizer.ggml.padding_token_id", cfg, "pad_token", "<pad>", vocab, configFile);
    if (cfg != null && cfg.has("add_bos_token")) {
      w.putBool("tokenizer.ggml.add_bos_token", cfg.get("add_bos_token").asBoolean());
    }
    if (cfg != null && cfg.has("add_eos_token")) {
      w.putBool("tokenizer.ggml.add_eos_token", cfg.get("add_eos_token").asBoolean());
    }
    w.putBool("tokenizer.ggml.add_sep_token", false);
    if (cfg != null && cfg.path("chat_template").isTextual()) {
      w.putString("tokenizer.chat_template", cfg.get("chat_template").asText());
    }
    w.putBool("tokenizer.ggml.add_space_prefix", false);
  }

  /**
   * A special token's id: named in tokenizer_config.json (string or {content}), else the Gemma
   * default.
   */
  private static void putId(
      GgufWriter w,
      String key,
      JsonNode cfg,
      String field,
      String fallback,
      GgufVocabulary vocab,
      Path configFile) {
    JsonNode v = cfg == null ? null : cfg.get(field);
    String piece =
        v == null || v.isNull()
            ? fallback
            : v.isTextual() ? v.asText() : v.path("content").asText(fallback);
    int id = vocab.tokens().indexOf(piece);
    if (id < 0) {
      if (v != null && !v.isNull()) {
        throw new ConfigException(configFile, field + " '" + piece + "' is not in the vocabulary");
      }
      return;
    }
    w.putUInt32(key, id);
  }
}
