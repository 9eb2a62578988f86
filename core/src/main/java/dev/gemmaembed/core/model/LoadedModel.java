package dev.gemmaembed.core.model;

import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.util.Map;

/**
 * Everything a checkpoint loader produces, whatever the file format.
 *
 * @param prompts prompt name → prefix string, as in config_sentence_transformers.json
 * @param maxSeqLength tokens per text including bos and eos; longer texts are truncated
 * @param source a short description of where the model came from, for messages
 */
public record LoadedModel(
    ModelConfig config,
    EncoderWeights weights,
    SentenceTransformerHead head,
    GemmaTokenizer tokenizer,
    Map<String, String> prompts,
    int maxSeqLength,
    String source) {}
