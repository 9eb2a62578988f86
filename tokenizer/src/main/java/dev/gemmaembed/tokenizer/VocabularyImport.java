package dev.gemmaembed.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Builds a {@link Definition} from a GGUF / SentencePiece-style vocabulary (pieces, scores, token
 * types), deriving the BPE merges as transformers' SentencePiece converter does ({@code
 * generate_merges}): every split of a piece {@code p} into two vocabulary pieces {@code (l, r)} is
 * a merge; merges are ordered by score of {@code p} (descending), then {@code len(l)} (descending,
 * in code points), then {@code len(r)} (descending), then piece id. Those merges are not stored:
 * {@link ScoreRankedMerges} ranks a pair when BPE asks, and the word-cutting {@link Junctions} come
 * straight from the splits. Only a vocabulary whose merge order does not pack into 63 bits gets the
 * derived, sorted {@link MergeTable}.
 */
final class VocabularyImport {
  static final int NORMAL = 1;
  static final int UNKNOWN = 2;
  static final int CONTROL = 3;
  static final int USER_DEFINED = 4;
  static final int UNUSED = 5;
  static final int BYTE = 6;

  private VocabularyImport() {}

  static Definition build(List<String> pieceList, float[] scores, int[] types, SpecialTokens sp) {
    return build(pieceList, scores, types, sp, false);
  }

  /**
   * @param deriveTable derive and sort the merge table even when {@link ScoreRankedMerges} could
   *     rank merges on the fly (what vocabularies with very long pieces get; tests compare the two)
   */
  static Definition build(
      List<String> pieceList, float[] scores, int[] types, SpecialTokens sp, boolean deriveTable) {
    int n = pieceList.size();
    String src = "vocabulary";
    if (scores.length != n || types.length != n) {
      throw new TokenizerException(
          src
              + ": "
              + n
              + " pieces but "
              + scores.length
              + " scores and "
              + types.length
              + " token types");
    }
    if (sp == null) throw new TokenizerException(src + ": special tokens are required");
    PieceTable.Builder table = new PieceTable.Builder(n);
    List<AddedToken> added = new ArrayList<>();
    boolean hasBytes = false;
    for (int id = 0; id < n; id++) {
      String p = pieceList.get(id);
      if (p == null) throw new TokenizerException(src + ": tokens[" + id + "] is null");
      int t = types[id];
      if (t == USER_DEFINED) p = p.replace(' ', '\u2581');
      table.add(p);
      switch (t) {
        case UNKNOWN, CONTROL -> added.add(new AddedToken(id, p, true, false, false, false, false));
        case USER_DEFINED -> added.add(new AddedToken(id, p, false, false, false, false, false));
        case BYTE -> hasBytes = true;
        case NORMAL, UNUSED -> {}
        default ->
            throw new TokenizerException(
                src
                    + ": token_type["
                    + id
                    + "] = "
                    + t
                    + " is not one of 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte");
      }
    }
    checkId(src, "bos", sp.bos(), n, sp.addBos());
    checkId(src, "eos", sp.eos(), n, sp.addEos());
    checkId(src, "unk", sp.unk(), n, false);
    checkId(src, "pad", sp.pad(), n, false);
    PieceTable pieces = table.build();
    PieceIndex index = new PieceIndex(pieces);
    Merges merges = deriveTable ? null : ScoreRankedMerges.create(pieces, index, scores);
    if (merges == null) merges = deriveMerges(pieces, scores, index);
    return new Definition(
        pieces,
        index,
        merges,
        Junctions.Lazy.deferred(() -> Junctions.ofSplits(pieces, index, sp.unk())),
        sp.unk(),
        hasBytes,
        true,
        false,
        new char[] {' '},
        new char[] {'\u2581'},
        -1,
        added,
        sp.addBos() ? new int[] {sp.bos()} : new int[0],
        sp.addEos() ? new int[] {sp.eos()} : new int[0],
        Decoder.gemma(),
        sp.bos(),
        sp.eos(),
        sp.pad());
  }

  private static void checkId(String src, String name, int id, int n, boolean required) {
    if (id >= n || id < -1 || (required && id < 0)) {
      throw new TokenizerException(
          src + ": " + name + " id " + id + " is outside the vocabulary (size " + n + ")");
    }
  }

  /** Receives the splits of {@link #forEachSplit}. */
  interface SplitVisitor {
    /**
     * @return false to stop the enumeration
     */
    boolean split(int piece, int left, int right, int leftCodePoints, int rightCodePoints);
  }

  /**
   * Every split of a canonical piece into two canonical pieces that does not cut a surrogate pair,
   * i.e. every merge the vocabulary implies, piece by piece and left part shortest first.
   *
   * @return false if the visitor stopped it
   */
  static boolean forEachSplit(PieceTable pieces, PieceIndex index, SplitVisitor visitor) {
    char[] c = pieces.chars();
    for (int id = 0; id < pieces.size(); id++) {
      int len = pieces.length(id);
      if (len < 2 || !pieces.has(id)) continue;
      int s = pieces.start(id);
      int full = pieces.hash(id);
      if (index.get(c, s, len, full) != id)
        continue; // duplicate string: only the first id is a merge target
      int total = pieces.codePointCount(id);
      int h = 0;
      int cps = 0;
      for (int k = 1; k < len; k++) {
        char prev = c[s + k - 1];
        h = 31 * h + prev;
        if (Character.isHighSurrogate(prev) && Character.isLowSurrogate(c[s + k])) {
          continue; // never split inside a surrogate pair
        }
        cps++;
        int l = index.get(c, s, k, h);
        if (l < 0) continue;
        int hr = full - h * PieceIndex.pow31(len - k); // String.hashCode of the right part
        int r = index.get(c, s + k, len - k, hr);
        if (r < 0) continue;
        if (!visitor.split(id, l, r, cps, total - cps)) return false;
      }
    }
    return true;
  }

  /**
   * The merge table of the vocabulary in transformers' order, derived and sorted. Used when {@link
   * ScoreRankedMerges} cannot pack the order into 63 bits.
   */
  static MergeTable deriveMerges(PieceTable pieces, float[] scores, PieceIndex index) {
    int[][] m = {
      new int[1 << 16], new int[1 << 16], new int[1 << 16], new int[1 << 16], new int[1 << 16]
    };
    int[] count = {0};
    int[] maxCp = {0};
    forEachSplit(
        pieces,
        index,
        (p, l, r, lcp, rcp) -> {
          int k = count[0];
          if (k == m[0].length) {
            for (int i = 0; i < m.length; i++) m[i] = Arrays.copyOf(m[i], k * 2);
          }
          m[0][k] = p;
          m[1][k] = l;
          m[2][k] = r;
          m[3][k] = lcp;
          m[4][k] = rcp;
          maxCp[0] = Math.max(maxCp[0], lcp + rcp);
          count[0] = k + 1;
          return true;
        });
    int n = count[0];
    int[] mPiece = m[0];
    int[] order =
        sortMerges(
            n,
            mPiece,
            m[3],
            m[4],
            ScoreRankedMerges.ScoreRanks.of(scores),
            maxCp[0],
            pieces.size());
    int[] left = new int[n];
    int[] right = new int[n];
    int[] result = new int[n];
    for (int r = 0; r < n; r++) {
      int k = order[r];
      left[r] = m[1][k];
      right[r] = m[2][k];
      result[r] = mPiece[k];
    }
    return new MergeTable(left, right, result, n);
  }

  /** Returns merge indices in rank order. */
  private static int[] sortMerges(
      int count,
      int[] piece,
      int[] lcp,
      int[] rcp,
      ScoreRankedMerges.ScoreRanks scores,
      int maxCp,
      int n) {
    int[] rank = scores.ranks();
    int bScore = ScoreRankedMerges.bits(scores.distinct());
    int bLen = ScoreRankedMerges.bits(maxCp + 1);
    int bPiece = ScoreRankedMerges.bits(n);
    int bIndex = ScoreRankedMerges.bits(count);
    int[] order = new int[count];
    if (bScore + 2 * bLen + bPiece + bIndex <= 63) {
      long[] keys = new long[count];
      for (int m = 0; m < count; m++) {
        long k = rank[piece[m]];
        k = (k << bLen) | (maxCp - lcp[m]);
        k = (k << bLen) | (maxCp - rcp[m]);
        k = (k << bPiece) | piece[m];
        k = (k << bIndex) | m;
        keys[m] = k;
      }
      Arrays.sort(keys);
      long mask = (1L << bIndex) - 1;
      for (int r = 0; r < count; r++) order[r] = (int) (keys[r] & mask);
      return order;
    }
    Integer[] boxed = new Integer[count];
    for (int m = 0; m < count; m++) boxed[m] = m;
    Arrays.sort(
        boxed,
        Comparator.<Integer>comparingInt(m -> rank[piece[m]])
            .thenComparingInt(m -> -lcp[m])
            .thenComparingInt(m -> -rcp[m])
            .thenComparingInt(m -> piece[m])
            .thenComparingInt(m -> m));
    for (int r = 0; r < count; r++) order[r] = boxed[r];
    return order;
  }
}
