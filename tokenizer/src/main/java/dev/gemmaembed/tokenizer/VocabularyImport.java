package dev.gemmaembed.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Builds a {@link Definition} from a GGUF / SentencePiece-style vocabulary (pieces, scores, token
 * types), deriving the BPE merges as transformers' SentencePiece converter does ({@code
 * generate_merges}): every split of a piece {@code p} into two vocabulary pieces {@code (l, r)} is a
 * merge; merges are ordered by score of {@code p} (descending), then {@code len(l)} (descending, in
 * code points), then {@code len(r)} (descending), then piece id.
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
    int n = pieceList.size();
    String src = "vocabulary";
    if (scores.length != n || types.length != n) {
      throw new TokenizerException(src + ": " + n + " pieces but " + scores.length + " scores and "
          + types.length + " token types");
    }
    if (sp == null) throw new TokenizerException(src + ": special tokens are required");
    String[] pieces = new String[n];
    List<AddedToken> added = new ArrayList<>();
    for (int id = 0; id < n; id++) {
      String p = pieceList.get(id);
      if (p == null) throw new TokenizerException(src + ": tokens[" + id + "] is null");
      int t = types[id];
      if (t == USER_DEFINED) p = p.replace(' ', '\u2581');
      pieces[id] = p;
      switch (t) {
        case UNKNOWN, CONTROL -> added.add(new AddedToken(id, p, true, false, false, false, false));
        case USER_DEFINED -> added.add(new AddedToken(id, p, false, false, false, false, false));
        case NORMAL, UNUSED, BYTE -> {}
        default -> throw new TokenizerException(src + ": token_type[" + id + "] = " + t
            + " is not one of 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte");
      }
    }
    checkId(src, "bos", sp.bos(), n, sp.addBos());
    checkId(src, "eos", sp.eos(), n, sp.addEos());
    checkId(src, "unk", sp.unk(), n, false);
    checkId(src, "pad", sp.pad(), n, false);
    PieceIndex index = new PieceIndex(pieces);
    MergeTable merges = deriveMerges(pieces, scores, index);
    boolean hasBytes = false;
    for (int t : types) if (t == BYTE) hasBytes = true;
    return new Definition(
        pieces,
        index,
        merges,
        Junctions.of(pieces, index, merges, sp.unk()),
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
      throw new TokenizerException(src + ": " + name + " id " + id + " is outside the vocabulary (size " + n + ")");
    }
  }

  static MergeTable deriveMerges(String[] pieces, float[] scores, PieceIndex index) {
    int n = pieces.length;
    int[] mPiece = new int[1 << 16];
    int[] mLeft = new int[1 << 16];
    int[] mRight = new int[1 << 16];
    int[] mLeftCp = new int[1 << 16];
    int[] mRightCp = new int[1 << 16];
    int count = 0;
    int maxCp = 0;
    for (int id = 0; id < n; id++) {
      String p = pieces[id];
      int len = p.length();
      if (len < 2) continue;
      if (index.get(p) != id) continue; // duplicate string: only the first id is a merge target
      int total = p.codePointCount(0, len);
      int full = p.hashCode();
      int h = 0;
      int cps = 0;
      for (int k = 1; k < len; k++) {
        char prev = p.charAt(k - 1);
        h = 31 * h + prev;
        if (Character.isHighSurrogate(prev) && Character.isLowSurrogate(p.charAt(k))) {
          continue; // never split inside a surrogate pair
        }
        cps++;
        int l = index.get(p, 0, k, h);
        if (l < 0) continue;
        int hr = full - h * PieceIndex.pow31(len - k); // String.hashCode of p[k, len)
        int r = index.get(p, k, len, hr);
        if (r < 0) continue;
        if (count == mPiece.length) {
          int cap = count * 2;
          mPiece = Arrays.copyOf(mPiece, cap);
          mLeft = Arrays.copyOf(mLeft, cap);
          mRight = Arrays.copyOf(mRight, cap);
          mLeftCp = Arrays.copyOf(mLeftCp, cap);
          mRightCp = Arrays.copyOf(mRightCp, cap);
        }
        mPiece[count] = id;
        mLeft[count] = l;
        mRight[count] = r;
        mLeftCp[count] = cps;
        mRightCp[count] = total - cps;
        maxCp = Math.max(maxCp, total);
        count++;
      }
    }
    // rank of each piece's score, descending (NaN last)
    float[] sorted = scores.clone();
    for (int i = 0; i < sorted.length; i++) if (Float.isNaN(sorted[i])) sorted[i] = Float.NEGATIVE_INFINITY;
    Arrays.sort(sorted);
    int distinct = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || Float.compare(sorted[i], sorted[i - 1]) != 0) sorted[distinct++] = sorted[i];
    }
    float[] uniq = Arrays.copyOf(sorted, distinct);
    int[] order = sortMerges(count, mPiece, mLeftCp, mRightCp, scores, uniq, maxCp, n);
    int[] left = new int[count];
    int[] right = new int[count];
    int[] result = new int[count];
    for (int r = 0; r < count; r++) {
      int m = order[r];
      left[r] = mLeft[m];
      right[r] = mRight[m];
      result[r] = mPiece[m];
    }
    return new MergeTable(left, right, result, count);
  }

  private static int scoreRankDesc(float s, float[] uniq) {
    if (Float.isNaN(s)) s = Float.NEGATIVE_INFINITY;
    int i = Arrays.binarySearch(uniq, s);
    return uniq.length - 1 - i;
  }

  private static int bits(int maxValue) {
    return 32 - Integer.numberOfLeadingZeros(Math.max(1, maxValue));
  }

  /** Returns merge indices in rank order. */
  private static int[] sortMerges(
      int count, int[] piece, int[] lcp, int[] rcp, float[] scores, float[] uniq, int maxCp, int n) {
    int bScore = bits(uniq.length);
    int bLen = bits(maxCp + 1);
    int bPiece = bits(n);
    int bIndex = bits(count);
    int[] order = new int[count];
    if (bScore + 2 * bLen + bPiece + bIndex <= 63) {
      long[] keys = new long[count];
      for (int m = 0; m < count; m++) {
        long k = scoreRankDesc(scores[piece[m]], uniq);
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
        Comparator.<Integer>comparingInt(m -> scoreRankDesc(scores[piece[m]], uniq))
            .thenComparingInt(m -> -lcp[m])
            .thenComparingInt(m -> -rcp[m])
            .thenComparingInt(m -> piece[m])
            .thenComparingInt(m -> m));
    for (int r = 0; r < count; r++) order[r] = boxed[r];
    return order;
  }
}
