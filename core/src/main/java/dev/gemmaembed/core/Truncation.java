package dev.gemmaembed.core;

/** What {@link Embedder#prepare} does with an input longer than the model's {@link Embedder#maxSeqLength()}. */
public enum Truncation {
  /**
   * Keep {@code <bos>} + the first {@code maxSeqLength − 2} content tokens + {@code <eos>}, as
   * sentence-transformers does at its max_seq_length.
   */
  CUT,
  /** Refuse it with an {@link InputTooLongException}. */
  REFUSE
}
