package dev.gemmaembed.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The files a synthetic model folder shares with every sentence-transformers model: the module
 * list, the sentence-transformers and sentence-BERT configs, mean pooling, and the real Gemma 3
 * tokenizer (bundled with the tokenizer module). JSON goes out indented, one trailing newline, as
 * Python's {@code json.dump(..., indent=2)} files read.
 */
final class SentenceTransformerFiles {

  /** Where the tokenizer module bundles the EmbeddingGemma tokenizer files. */
  private static final String TOKENIZER_RESOURCES = "dev/gemmaembed/tokenizer/gemma3/";

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SentenceTransformerFiles() {}

  /**
   * Writes {@code modules.json} (the Transformer, then {@code modules} in order, module i in folder
   * {@code i_Name}: Pooling first), {@code config_sentence_transformers.json} with {@code prompts},
   * {@code sentence_bert_config.json} and {@code 1_Pooling/config.json} (mean pooling over {@code
   * poolingWidth}).
   */
  static void write(
      Path dir, Map<String, String> prompts, int maxSeqLength, int poolingWidth, String... modules)
      throws IOException {
    writeJson(dir.resolve("modules.json"), modules(modules));
    writeJson(dir.resolve("config_sentence_transformers.json"), stConfig(prompts));
    writeJson(
        dir.resolve("sentence_bert_config.json"),
        JSON.createObjectNode().put("max_seq_length", maxSeqLength).put("do_lower_case", false));
    writeJson(dir.resolve("1_Pooling/config.json"), meanPooling(poolingWidth));
  }

  static void writeJson(Path file, Object node) throws IOException {
    AtomicFiles.writeString(file, JSON.writeValueAsString(node) + "\n");
  }

  static void copyTokenizerFiles(Path dir) throws IOException {
    AtomicFiles.writeBytes(dir.resolve("tokenizer.json"), resource("tokenizer.json.gz", true));
    AtomicFiles.writeBytes(
        dir.resolve("tokenizer_config.json"), resource("tokenizer_config.json.gz", true));
    AtomicFiles.writeBytes(
        dir.resolve("special_tokens_map.json"), resource("special_tokens_map.json", false));
  }

  private static ArrayNode modules(String... after) {
    ArrayNode m = JSON.createArrayNode();
    m.addObject()
        .put("idx", 0)
        .put("name", "0")
        .put("path", "")
        .put("type", "sentence_transformers.models.Transformer");
    for (int i = 1; i <= after.length; i++) {
      String type = after[i - 1];
      m.addObject()
          .put("idx", i)
          .put("name", Integer.toString(i))
          .put("path", i + "_" + type)
          .put("type", "sentence_transformers.models." + type);
    }
    return m;
  }

  private static ObjectNode stConfig(Map<String, String> prompts) {
    ObjectNode c = JSON.createObjectNode();
    c.put("model_type", "SentenceTransformer");
    ObjectNode p = c.putObject("prompts");
    prompts.forEach(p::put);
    c.putNull("default_prompt_name");
    c.put("similarity_fn_name", "cosine");
    return c;
  }

  private static ObjectNode meanPooling(int width) {
    return JSON.createObjectNode()
        .put("word_embedding_dimension", width)
        .put("pooling_mode_cls_token", false)
        .put("pooling_mode_mean_tokens", true)
        .put("pooling_mode_max_tokens", false)
        .put("pooling_mode_mean_sqrt_len_tokens", false)
        .put("pooling_mode_weightedmean_tokens", false)
        .put("pooling_mode_lasttoken", false)
        .put("include_prompt", true);
  }

  private static byte[] resource(String name, boolean gzipped) throws IOException {
    InputStream raw =
        SentenceTransformerFiles.class
            .getClassLoader()
            .getResourceAsStream(TOKENIZER_RESOURCES + name);
    if (raw == null) {
      throw new UncheckedIOException(
          new IOException("bundled tokenizer resource missing: " + TOKENIZER_RESOURCES + name));
    }
    try (InputStream in = gzipped ? new GZIPInputStream(raw, 1 << 16) : raw) {
      return in.readAllBytes();
    }
  }
}
