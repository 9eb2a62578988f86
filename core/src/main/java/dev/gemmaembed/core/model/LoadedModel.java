package dev.gemmaembed.core.model;

import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a checkpoint loader produces, whatever the file format and architecture.
 *
 * @param encoder the architecture's weights and hyper-parameters
 * @param prompts prompt name → prefix string, as in config_sentence_transformers.json
 * @param maxSeqLength tokens per text including bos and eos; longer texts are truncated
 * @param source a short description of where the model came from, for messages
 */
public record LoadedModel(
    EncoderModel encoder,
    SentenceTransformerHead head,
    GemmaTokenizer tokenizer,
    Map<String, String> prompts,
    int maxSeqLength,
    String source) {

  /** An EmbeddingGemma (Gemma 3) model. */
  public LoadedModel(
      ModelConfig config,
      EncoderWeights weights,
      SentenceTransformerHead head,
      GemmaTokenizer tokenizer,
      Map<String, String> prompts,
      int maxSeqLength,
      String source) {
    this(new Gemma3Model(config, weights), head, tokenizer, prompts, maxSeqLength, source);
  }

  /** The Gemma 3 hyper-parameters; a {@link ConfigException} for another architecture. */
  public ModelConfig config() {
    return gemma3().config();
  }

  /** The Gemma 3 weights; a {@link ConfigException} for another architecture. */
  public EncoderWeights weights() {
    return gemma3().weights();
  }

  private Gemma3Model gemma3() {
    if (encoder instanceof Gemma3Model g) {
      return g;
    }
    throw new ConfigException(
        Path.of(source),
        "this is an "
            + encoder.architecture()
            + " model; the operation supports "
            + Architecture.GEMMA3
            + " models only");
  }
}
