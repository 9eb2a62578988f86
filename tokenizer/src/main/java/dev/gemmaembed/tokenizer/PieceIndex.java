package dev.gemmaembed.tokenizer;

/**
 * String → id lookup over a {@link PieceTable}, without allocating on lookup: keys can be looked up
 * as strings, {@code char[]} ranges or as the concatenation of two pieces. Uses {@link
 * String#hashCode()}'s polynomial, so a piece's hash is the same however it is looked up. When a
 * string occurs under several ids the lowest id wins (the <em>canonical</em> id of that string).
 *
 * <p>One {@code int} per slot: {@code id + 1} in the low {@code idBits} bits and the low bits of
 * the piece's hash above them as a tag, so most probes that miss are rejected without touching the
 * piece (2 MB for Gemma 3's 262,144 pieces at load factor ≤ 0.5).
 */
final class PieceIndex {
  private final PieceTable pieces;
  private final int[] slots; // (hash << idBits) | (id + 1); 0 = empty
  private final int idBits;
  private final int idMask;
  private final int shift;
  private final int mask;
  private static final int[] POW31 = new int[4096];

  static {
    int p = 1;
    for (int i = 0; i < POW31.length; i++) {
      POW31[i] = p;
      p *= 31;
    }
  }

  PieceIndex(PieceTable pieces) {
    this.pieces = pieces;
    int n = 0;
    for (int id = 0; id < pieces.size(); id++) {
      if (pieces.has(id)) n++;
    }
    int cap = Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1; // load factor <= 0.5
    this.slots = new int[cap];
    this.mask = cap - 1;
    this.shift = 32 - Integer.numberOfTrailingZeros(cap);
    this.idBits = idBits(pieces.size());
    this.idMask = (int) ((1L << idBits) - 1);
    char[] chars = pieces.chars();
    for (int id = 0; id < pieces.size(); id++) {
      if (!pieces.has(id)) continue;
      int h = pieces.hash(id);
      int tag = h << idBits;
      int i = slot(h);
      while (true) {
        int s = slots[i];
        if (s == 0) {
          slots[i] = tag | (id + 1);
          break;
        }
        int other = (s & idMask) - 1;
        if ((s & ~idMask) == tag
            && pieces.matches(other, chars, pieces.start(id), pieces.length(id))) {
          break; // keep the lowest id
        }
        i = (i + 1) & mask;
      }
    }
  }

  /** Restores an index from {@link #slots()} built over the same pieces. */
  PieceIndex(PieceTable pieces, int[] slots) {
    if (Integer.bitCount(slots.length) != 1)
      throw new IllegalArgumentException("bad piece index table");
    this.pieces = pieces;
    this.slots = slots;
    this.mask = slots.length - 1;
    this.shift = 32 - Integer.numberOfTrailingZeros(slots.length);
    this.idBits = idBits(pieces.size());
    this.idMask = (int) ((1L << idBits) - 1);
  }

  /**
   * Bits for {@code id + 1} of every id below {@code size}; at most 31, leaving a tag bit or more.
   */
  private static int idBits(int size) {
    return 32 - Integer.numberOfLeadingZeros(Math.max(1, size));
  }

  int[] slots() {
    return slots;
  }

  private int slot(int h) {
    return (h * 0x9E3779B9) >>> shift;
  }

  static int pow31(int n) {
    if (n < POW31.length) return POW31[n];
    int r = 1;
    int b = 31;
    while (n > 0) {
      if ((n & 1) != 0) r *= b;
      b *= b;
      n >>>= 1;
    }
    return r;
  }

  static int hash(char[] buf, int off, int len) {
    int h = 0;
    for (int i = off, e = off + len; i < e; i++) h = 31 * h + buf[i];
    return h;
  }

  /** Id of {@code s}, or -1. */
  int get(String s) {
    int h = s.hashCode();
    int tag = h << idBits;
    int i = slot(h);
    while (true) {
      int v = slots[i];
      if (v == 0) return -1;
      if ((v & ~idMask) == tag && pieces.matches((v & idMask) - 1, s)) return (v & idMask) - 1;
      i = (i + 1) & mask;
    }
  }

  /** Id of the string {@code buf[off, off+len)}, or -1. */
  int get(char[] buf, int off, int len) {
    return get(buf, off, len, hash(buf, off, len));
  }

  /** Id of the string {@code buf[off, off+len)} whose {@link #hash} is {@code h}, or -1. */
  int get(char[] buf, int off, int len, int h) {
    int tag = h << idBits;
    int i = slot(h);
    while (true) {
      int v = slots[i];
      if (v == 0) return -1;
      if ((v & ~idMask) == tag && pieces.matches((v & idMask) - 1, buf, off, len))
        return (v & idMask) - 1;
      i = (i + 1) & mask;
    }
  }

  /** Canonical id of the concatenation of pieces {@code a} and {@code b}, or -1. */
  int getConcat(int a, int b) {
    char[] c = pieces.chars();
    int as = pieces.start(a);
    int ae = pieces.end(a);
    int bs = pieces.start(b);
    int be = pieces.end(b);
    int h = 0;
    for (int k = as; k < ae; k++) h = 31 * h + c[k];
    for (int k = bs; k < be; k++) h = 31 * h + c[k];
    int la = ae - as;
    int len = la + (be - bs);
    int tag = h << idBits;
    int i = slot(h);
    while (true) {
      int v = slots[i];
      if (v == 0) return -1;
      if ((v & ~idMask) == tag) {
        int id = (v & idMask) - 1;
        int ps = pieces.start(id);
        if (pieces.end(id) - ps == len
            && java.util.Arrays.equals(c, ps, ps + la, c, as, ae)
            && java.util.Arrays.equals(c, ps + la, ps + len, c, bs, be)) {
          return id;
        }
      }
      i = (i + 1) & mask;
    }
  }
}
