package dev.gemmaembed.core.model;

import java.lang.foreign.Arena;

/**
 * The architecture-specific part of a loaded model: its weights and hyper-parameters behind the few
 * facts the shared code needs (input checks, pooling width), and the encoder that runs them. Each
 * architecture owns one implementation; the tokenizer, prompts and sentence-transformers head are
 * shared ({@link LoadedModel}).
 */
public interface EncoderModel {

  /**
   * The {@link Architecture} this model is, for messages, {@code inspect} and the server's model
   * list.
   */
  Architecture architecture();

  /** The token embedding table, {@code [vocab × width]}. */
  TokenEmbeddings tokenEmbeddings();

  /** Rows of the token embedding table: token ids must be below it. */
  default int vocabSize() {
    return tokenEmbeddings().rows();
  }

  /** Positions the model supports: sequences may not be longer. */
  int maxPositions();

  /** Width of the per-token hidden states the encoder hands to the head. */
  int outputWidth();

  /**
   * An encoder whose packed weights live in {@code arena} (freed with it) and whose activation
   * buffers suit batches of up to {@code passTokens} tokens; {@code packWeights} false: the weights
   * stay as stored (the same vectors; see {@code LoadOptions.packWeights}).
   */
  Encoder newEncoder(Arena arena, int passTokens, boolean packWeights);
}
