package dev.gemmaembed.core.model;

import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.safetensors.SafetensorsCheckpoint;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a Hugging Face / sentence-transformers EmbeddingGemma directory (spec §1, §3, §4). */
public final class HfModelLoader {

  private HfModelLoader() {}

  /** Loads a model folder with the loader of the architecture its config.json names. */
  public static LoadedModel load(Path dir, Arena arena) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(dir, "not a model directory");
    }
    return Architecture.of(dir.resolve("config.json")).load(dir, arena);
  }

  static LoadedModel loadGemma3(Path dir, Arena arena) {
    ModelConfig cfg = HfConfigReader.read(dir.resolve("config.json"));
    EncoderWeights weights = EncoderWeights.load(cfg, SafetensorsCheckpoint.open(dir, arena));
    EncoderWarmUp.offer(cfg, weights); // while the Dense head and the tokenizer load
    Path single = dir.resolve(SafetensorsCheckpoint.SINGLE);
    FiniteWeights.checkNorms(
        weights,
        Files.isRegularFile(single) ? single : dir.resolve(SafetensorsCheckpoint.INDEX),
        name -> name);
    SentenceTransformerHead head = SentenceTransformerReader.readHead(dir, cfg.hidden(), arena);
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
        cfg,
        weights,
        head,
        tokenizer,
        SentenceTransformerReader.readPrompts(dir),
        maxSeq,
        dir.toString());
  }
}
