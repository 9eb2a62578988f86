package dev.gemmaembed.tokenizer;

/**
 * String → id lookup over a piece table, without allocating on lookup: keys can be looked up as
 * {@code char[]} ranges or as the concatenation of two pieces. Uses {@link String#hashCode()}'s
 * polynomial so hashes of concatenations can be combined from the parts' hashes. When a string
 * occurs under several ids the lowest id wins.
 */
final class PieceIndex {
  private final String[] pieces;
  private final int[] slots; // id + 1, 0 = empty
  private final int[] slotHash;
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

  PieceIndex(String[] pieces) {
    this.pieces = pieces;
    int n = 0;
    for (String p : pieces) {
      if (p != null) n++;
    }
    int cap = Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1; // load factor <= 0.5
    this.slots = new int[cap];
    this.slotHash = new int[cap];
    this.mask = cap - 1;
    this.shift = 32 - Integer.numberOfTrailingZeros(cap);
    for (int id = 0; id < pieces.length; id++) {
      String p = pieces[id];
      if (p == null) continue;
      int h = p.hashCode();
      int i = slot(h);
      while (true) {
        int s = slots[i];
        if (s == 0) {
          slots[i] = id + 1;
          slotHash[i] = h;
          break;
        }
        if (slotHash[i] == h && pieces[s - 1].equals(p)) break; // keep lowest id
        i = (i + 1) & mask;
      }
    }
  }

  /** Restores an index from {@link #slots()} and {@link #slotHashes()} built over the same pieces. */
  PieceIndex(String[] pieces, int[] slots, int[] slotHash) {
    if (slots.length != slotHash.length || Integer.bitCount(slots.length) != 1) {
      throw new IllegalArgumentException("bad piece index tables");
    }
    this.pieces = pieces;
    this.slots = slots;
    this.slotHash = slotHash;
    this.mask = slots.length - 1;
    this.shift = 32 - Integer.numberOfTrailingZeros(slots.length);
  }

  int[] slots() {
    return slots;
  }

  int[] slotHashes() {
    return slotHash;
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

  static int hash(CharSequence s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) h = 31 * h + s.charAt(i);
    return h;
  }

  /** Id of {@code s}, or -1. */
  int get(String s) {
    int h = s.hashCode();
    int i = slot(h);
    while (true) {
      int v = slots[i];
      if (v == 0) return -1;
      if (slotHash[i] == h && pieces[v - 1].equals(s)) return v - 1;
      i = (i + 1) & mask;
    }
  }

  /** Id of the string {@code buf[off, off+len)}, or -1. */
  int get(char[] buf, int off, int len) {
    return get(buf, off, len, hash(buf, off, len));
  }

  int get(char[] buf, int off, int len, int h) {
    int i = slot(h);
    while (true) {
      int v = slots[i];
      if (v == 0) return -1;
      if (slotHash[i] == h) {
        String p = pieces[v - 1];
        if (p.length() == len && regionEquals(p, 0, buf, off, len)) return v - 1;
      }
      i = (i + 1) & mask;
    }
  }

  /** Id of the substring {@code s[from, to)}, or -1. */
  int get(String s, int from, int to, int h) {
    int len = to - from;
    int i = slot(h);
    while (true) {
      int v = slots[i];
      if (v == 0) return -1;
      if (slotHash[i] == h) {
        String p = pieces[v - 1];
        if (p.length() == len && p.regionMatches(0, s, from, len)) return v - 1;
      }
      i = (i + 1) & mask;
    }
  }

  /** Id of {@code a + b}, or -1. */
  int getConcat(String a, String b) {
    int h = a.hashCode() * pow31(b.length()) + b.hashCode();
    int la = a.length();
    int len = la + b.length();
    int i = slot(h);
    while (true) {
      int v = slots[i];
      if (v == 0) return -1;
      if (slotHash[i] == h) {
        String p = pieces[v - 1];
        if (p.length() == len && p.startsWith(a) && p.startsWith(b, la)) return v - 1;
      }
      i = (i + 1) & mask;
    }
  }

  private static boolean regionEquals(String p, int pOff, char[] buf, int off, int len) {
    for (int i = 0; i < len; i++) {
      if (p.charAt(pOff + i) != buf[off + i]) return false;
    }
    return true;
  }
}
