package dev.gemmaembed.tokenizer;

/**
 * Which adjacent symbol pairs BPE merges, and in which order. Two kinds: the merge list of a
 * tokenizer.json ({@link MergeTable}) and the merges implied by a scored SentencePiece-style
 * vocabulary ({@link ScoreRankedMerges}); {@link Bpe} does not care which.
 */
sealed interface Merges permits MergeTable, ScoreRankedMerges {
  /**
   * The priority of merging the adjacent symbols {@code left right}, or -1 if they do not merge.
   * Priorities are non-negative and the lowest merges first; distinct pairs have distinct
   * priorities (so a priority names its pair).
   */
  long priority(int left, int right);

  /** Whether {@link #priority(int, int, char[], int, int, int)} is the faster lookup. */
  default boolean looksUpText() {
    return false;
  }

  /**
   * {@link #priority(int, int)} for symbols whose pieces are exactly the text {@code text[from,
   * mid)} and {@code text[mid, to)} (no byte-fallback or unknown symbol inside), which lets an
   * implementation look the pair up by its text.
   */
  default long priority(int left, int right, char[] text, int from, int mid, int to) {
    return priority(left, right);
  }

  /** The piece produced by the merge with priority {@code priority}. */
  int result(long priority);
}
