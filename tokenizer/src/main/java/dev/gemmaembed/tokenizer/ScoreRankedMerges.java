package dev.gemmaembed.tokenizer;

import java.util.Arrays;

/**
 * The merges a scored SentencePiece-style vocabulary implies (see {@link VocabularyImport}),
 * computed per pair instead of stored: symbols {@code l r} merge iff the concatenation {@code l +
 * r} is a piece {@code p} (its canonical id), and the merge's place in transformers' order (score
 * of {@code p} descending, code points of {@code l} descending, of {@code r} descending, then
 * {@code p}) is packed into the priority
 *
 * <pre>
 *   scoreRank(p) | (maxCp − cp(l)) | (maxCp − cp(r)) | p      (most significant field first)
 * </pre>
 *
 * so comparing priorities compares merge ranks, and the piece id is the low field. This needs only
 * a score rank per piece (1 MB for Gemma 3) where the derived table of its 514,906 merges took
 * about 25 MB and a sort. {@link #create} returns null when the fields do not fit 63 bits.
 *
 * <p>The derived table only holds splits of a canonical piece into two canonical, non-empty pieces
 * that do not cut a surrogate pair; pieces for which that needs checking (non-canonical ids, empty
 * pieces, pieces with surrogates) are flagged and take a slower exact path.
 */
final class ScoreRankedMerges implements Merges {
  private final PieceTable pieces;
  private final PieceIndex index;
  private final int[] scoreRank; // per piece: 0 = highest score
  private final long[] irregular; // bit set: pieces whose merges need the checks above
  private final int maxCp;
  private final int pieceBits;
  private final int leftShift;
  private final int scoreShift;
  private final long pieceMask;

  private ScoreRankedMerges(
      PieceTable pieces,
      PieceIndex index,
      int[] scoreRank,
      long[] irregular,
      int maxCp,
      int lenBits,
      int pieceBits) {
    this.pieces = pieces;
    this.index = index;
    this.scoreRank = scoreRank;
    this.irregular = irregular;
    this.maxCp = maxCp;
    this.pieceBits = pieceBits;
    this.leftShift = pieceBits + lenBits;
    this.scoreShift = pieceBits + 2 * lenBits;
    this.pieceMask = (1L << pieceBits) - 1;
  }

  /**
   * The score-ranked merges of a vocabulary, or null if its priorities need more than 63 bits (only
   * for vocabularies with very long pieces; then the caller derives a table).
   */
  static ScoreRankedMerges create(PieceTable pieces, PieceIndex index, float[] scores) {
    int n = pieces.size();
    ScoreRanks ranks = ScoreRanks.of(scores);
    long[] irregular = new long[(n + 63) >>> 6];
    char[] c = pieces.chars();
    int maxCp = 1;
    for (int id = 0; id < n; id++) {
      int s = pieces.start(id);
      int len = pieces.length(id);
      boolean odd = len == 0 || index.get(c, s, len) != id;
      for (int i = s, e = s + len; i < e && !odd; i++) odd = Character.isSurrogate(c[i]);
      if (odd) irregular[id >>> 6] |= 1L << id;
      maxCp = Math.max(maxCp, pieces.codePointCount(id));
    }
    int scoreBits = bits(ranks.distinct() - 1);
    int lenBits = bits(maxCp);
    int pieceBits = bits(n - 1);
    if (scoreBits + 2 * lenBits + pieceBits > 63) return null;
    return new ScoreRankedMerges(
        pieces, index, ranks.ranks(), irregular, maxCp, lenBits, pieceBits);
  }

  /**
   * Merges from {@link TokenizerCache}'s copy of what {@link #create} derived: the score ranks, the
   * irregular-piece bit set and the field widths.
   */
  static ScoreRankedMerges restore(
      PieceTable pieces,
      PieceIndex index,
      int[] scoreRank,
      long[] irregular,
      int maxCp,
      int lenBits,
      int pieceBits) {
    if (scoreRank.length != pieces.size() || irregular.length != (pieces.size() + 63) >>> 6) {
      throw new IllegalArgumentException("score ranks do not match the pieces");
    }
    return new ScoreRankedMerges(pieces, index, scoreRank, irregular, maxCp, lenBits, pieceBits);
  }

  int[] scoreRanks() {
    return scoreRank;
  }

  long[] irregularPieces() {
    return irregular;
  }

  int maxCodePoints() {
    return maxCp;
  }

  int lengthBits() {
    return leftShift - pieceBits;
  }

  int pieceBits() {
    return pieceBits;
  }

  static int bits(int maxValue) {
    return 32 - Integer.numberOfLeadingZeros(Math.max(1, maxValue));
  }

  private boolean irregular(int id) {
    return (irregular[id >>> 6] & (1L << id)) != 0;
  }

  @Override
  public long priority(int left, int right) {
    int p = index.getConcat(left, right);
    return p < 0 ? -1 : priority(p, left, right, pieces.length(left), pieces.length(right));
  }

  @Override
  public boolean looksUpText() {
    return true;
  }

  @Override
  public long priority(int left, int right, char[] text, int from, int mid, int to) {
    // the pieces are the text, so the concatenation is looked up straight from the text (already
    // in cache) instead of from the two pieces' characters
    int p = index.get(text, from, to - from);
    return p < 0 ? -1 : priority(p, left, right, mid - from, to - mid);
  }

  /** The priority of merging {@code left right} into {@code p}; the parts' lengths are in chars. */
  private long priority(int p, int left, int right, int leftChars, int rightChars) {
    int lcp = leftChars;
    int rcp = rightChars;
    if (irregular(left) || irregular(right)) {
      if (!splitsPiece(left, right)) return -1;
      lcp = pieces.codePointCount(left);
      rcp = pieces.codePointCount(right);
    }
    return ((long) scoreRank[p] << scoreShift)
        | ((long) (maxCp - lcp) << leftShift)
        | ((long) (maxCp - rcp) << pieceBits)
        | p;
  }

  /** Whether {@code left + right} is one of the splits the derived table holds. */
  private boolean splitsPiece(int left, int right) {
    int ll = pieces.length(left);
    int rl = pieces.length(right);
    if (ll == 0 || rl == 0) return false;
    char[] c = pieces.chars();
    if (index.get(c, pieces.start(left), ll) != left
        || index.get(c, pieces.start(right), rl) != right) {
      return false;
    }
    return !(Character.isHighSurrogate(c[pieces.end(left) - 1])
        && Character.isLowSurrogate(c[pieces.start(right)]));
  }

  @Override
  public int result(long priority) {
    return (int) (priority & pieceMask);
  }

  /**
   * Each piece's score rank, highest score first: equal scores share a rank, NaN ranks with −∞, and
   * −0.0 ranks below 0.0 ({@link Float#compare} order).
   */
  record ScoreRanks(int[] ranks, int distinct) {
    static ScoreRanks of(float[] scores) {
      float[] sorted = scores.clone();
      for (int i = 0; i < sorted.length; i++) {
        if (Float.isNaN(sorted[i])) sorted[i] = Float.NEGATIVE_INFINITY;
      }
      Arrays.sort(sorted);
      int distinct = 0;
      for (int i = 0; i < sorted.length; i++) {
        if (i == 0 || Float.compare(sorted[i], sorted[i - 1]) != 0) sorted[distinct++] = sorted[i];
      }
      int[] ranks = new int[scores.length];
      for (int id = 0; id < scores.length; id++) {
        float s = Float.isNaN(scores[id]) ? Float.NEGATIVE_INFINITY : scores[id];
        ranks[id] = distinct - 1 - Arrays.binarySearch(sorted, 0, distinct, s);
      }
      return new ScoreRanks(ranks, Math.max(1, distinct));
    }
  }
}
