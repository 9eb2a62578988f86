package dev.gemmaembed.core;

/**
 * What {@link Embedder#prepare} does with an input longer than the model's {@link
 * Embedder#maxSeqLength()}.
 */
public enum Truncation {
  /**
   * Keep {@code <bos>} + the first {@code maxSeqLength − 2} content tokens + {@code <eos>}, as
   * sentence-transformers does at its max_seq_length.
   */
  CUT,
  /**
   * Keep {@code <bos>} + the last {@code maxSeqLength − 2} content tokens + {@code <eos>}: cut from
   * the start, prompt tokens included (text-embeddings-inference's {@code truncation_direction:
   * Left}).
   */
  CUT_LEFT,
  /** Refuse it with an {@link InputTooLongException}. */
  REFUSE
}
