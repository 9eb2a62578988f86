package dev.gemmaembed.tokenizer;

import java.util.Arrays;

/**
 * The model vocabulary by id, stored as one {@code char} array: piece {@code id} is {@code
 * chars[start[id], start[id + 1])}. For the Gemma 3 vocabulary this is about 4 MB where 262,144
 * {@code String} objects take about 15 MB, and lookups compare characters in place. Ids without a
 * piece (gaps in a tokenizer.json vocabulary) are marked in a bit set.
 */
final class PieceTable {
  private final char[] chars;
  private final int[] start; // size + 1 entries
  private final long[] absent; // bit set of ids without a piece, or null if there are none

  private PieceTable(char[] chars, int[] start, long[] absent) {
    this.chars = chars;
    this.start = start;
    this.absent = absent;
  }

  /** A table of {@code pieces}; null entries are ids without a piece. */
  static PieceTable of(String[] pieces) {
    Builder b = new Builder(pieces.length);
    for (String p : pieces) {
      if (p == null) b.addAbsent();
      else b.add(p);
    }
    return b.build();
  }

  /**
   * A table from the cache layout: one length per id (-1: no piece) and the present pieces'
   * characters back to back.
   */
  static PieceTable of(int[] lengths, char[] chars) {
    int[] start = new int[lengths.length + 1];
    long[] absent = null;
    int at = 0;
    for (int id = 0; id < lengths.length; id++) {
      start[id] = at;
      int len = lengths[id];
      if (len < 0) {
        if (absent == null) absent = new long[(lengths.length + 63) >>> 6];
        absent[id >>> 6] |= 1L << id;
      } else {
        at += len;
        if (at > chars.length || at < 0) {
          throw new IllegalArgumentException("piece lengths exceed the characters");
        }
      }
    }
    if (at != chars.length)
      throw new IllegalArgumentException("piece lengths do not cover the characters");
    start[lengths.length] = at;
    return new PieceTable(chars, start, absent);
  }

  /** Appends pieces in id order. */
  static final class Builder {
    private char[] chars;
    private int[] start;
    private long[] absent;
    private int size;
    private int used;

    Builder(int expectedPieces) {
      start = new int[Math.max(1, expectedPieces) + 1];
      chars = new char[Math.max(16, expectedPieces * 8)];
    }

    void add(String p) {
      int len = p.length();
      if (used + len > chars.length) {
        chars = Arrays.copyOf(chars, Math.max(used + len, chars.length + (chars.length >> 1)));
      }
      p.getChars(0, len, chars, used);
      used += len;
      next();
    }

    void addAbsent() {
      if (absent == null || (size >>> 6) >= absent.length) {
        absent =
            absent == null
                ? new long[(start.length + 63) >>> 6]
                : Arrays.copyOf(absent, Math.max(absent.length * 2, (size >>> 6) + 1));
      }
      absent[size >>> 6] |= 1L << size;
      next();
    }

    private void next() {
      size++;
      if (size + 1 > start.length) start = Arrays.copyOf(start, start.length * 2);
      start[size] = used;
    }

    PieceTable build() {
      long[] a = absent == null ? null : Arrays.copyOf(absent, (size + 63) >>> 6);
      return new PieceTable(Arrays.copyOf(chars, used), Arrays.copyOf(start, size + 1), a);
    }
  }

  /** Number of ids, with or without a piece. */
  int size() {
    return start.length - 1;
  }

  boolean has(int id) {
    return absent == null || (absent[id >>> 6] & (1L << id)) == 0;
  }

  /** The shared character array; piece {@code id} is {@code [start(id), end(id))} of it. */
  char[] chars() {
    return chars;
  }

  int start(int id) {
    return start[id];
  }

  int end(int id) {
    return start[id + 1];
  }

  int length(int id) {
    return start[id + 1] - start[id];
  }

  /** Total characters of all pieces. */
  int totalChars() {
    return chars.length;
  }

  /** The piece as a new string, or null if {@code id} has none. */
  String get(int id) {
    return has(id) ? new String(chars, start[id], start[id + 1] - start[id]) : null;
  }

  /** {@link String#hashCode()} of piece {@code id}. */
  int hash(int id) {
    int h = 0;
    for (int i = start[id], e = start[id + 1]; i < e; i++) h = 31 * h + chars[i];
    return h;
  }

  /** Whether piece {@code id} equals {@code buf[off, off + len)}. */
  boolean matches(int id, char[] buf, int off, int len) {
    int s = start[id];
    if (start[id + 1] - s != len) return false;
    for (int i = 0; i < len; i++) { // pieces are short: a plain loop beats Arrays.equals here
      if (chars[s + i] != buf[off + i]) return false;
    }
    return true;
  }

  /** Whether piece {@code id} equals {@code s}. */
  boolean matches(int id, String s) {
    int b = start[id];
    int len = s.length();
    if (start[id + 1] - b != len) return false;
    for (int i = 0; i < len; i++) {
      if (chars[b + i] != s.charAt(i)) return false;
    }
    return true;
  }

  /** The first code point of (non-empty) piece {@code id}. */
  int firstCodePoint(int id) {
    return Character.codePointAt(chars, start[id], start[id + 1]);
  }

  /** The last code point of (non-empty) piece {@code id}. */
  int lastCodePoint(int id) {
    return Character.codePointBefore(chars, start[id + 1], start[id]);
  }

  /** Code points of piece {@code id}, a surrogate pair counting as one. */
  int codePointCount(int id) {
    return Character.codePointCount(chars, start[id], start[id + 1] - start[id]);
  }
}
