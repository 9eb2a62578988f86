package dev.gemmaembed.core.model;

import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.safetensors.SafetensorsCheckpoint;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a Hugging Face / sentence-transformers EmbeddingGemma 2 folder: config.json's {@code
 * text_config}, the text tensors of model.safetensors, the sentence-transformers head (Pooling over
 * {@code embedding_dim}, Normalize), its prompts and max_seq_length, and the tokenizer.
 */
final class Eg2ModelLoader {

  private Eg2ModelLoader() {}

  static LoadedModel load(Path dir, Arena arena) {
    Eg2Config cfg = Eg2ConfigReader.read(dir.resolve("config.json"));
    Eg2Weights weights =
        Eg2Weights.load(cfg, Eg2TensorSource.over(SafetensorsCheckpoint.open(dir, arena)));
    SentenceTransformerHead head =
        SentenceTransformerReader.readHead(dir, cfg.embeddingDim(), arena);
    Path tokenizerFile = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new ConfigException(tokenizerFile, "tokenizer not found");
    }
    GemmaTokenizer tokenizer = GemmaTokenizer.fromDirectory(dir);
    int maxSeq =
        Math.min(
            SentenceTransformerReader.readMaxSeqLength(dir, cfg.maxPositions()),
            cfg.maxPositions());
    return new LoadedModel(
        new Eg2Model(cfg, weights),
        head,
        tokenizer,
        SentenceTransformerReader.readPrompts(dir),
        maxSeq,
        dir.toString());
  }
}
