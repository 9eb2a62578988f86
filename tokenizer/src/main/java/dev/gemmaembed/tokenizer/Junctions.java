package dev.gemmaembed.tokenizer;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The set of code-point pairs {@code (last code point of a, first code point of b)} over all merges
 * {@code (a, b)}. A BPE merge can only ever join two adjacent characters {@code x y} of a word if
 * {@code (x, y)} is in this set; where it is not, the word can be cut between them and the halves
 * tokenized independently with the same result, because BPE merges never cross that point and
 * merges on either side do not interact. This makes words short (and cacheable) even though the
 * Gemma pre-tokenizer hands whole lines to BPE.
 */
final class Junctions {
  private static final int SMALL = 1024; // code points < 1023 and U+2581 get a dense bit table
  private static final int META = 0x2581;
  private final long[] small;
  private long[] keys;
  private int count;
  private int mask;
  private int shift;

  Junctions(int expected) {
    small = new long[SMALL * SMALL / 64];
    int cap = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
    keys = new long[cap];
    Arrays.fill(keys, -1L);
    mask = cap - 1;
    shift = 64 - Integer.numberOfTrailingZeros(cap);
  }

  /** Restores a set from {@link #small()}, {@link #keys()} and {@link #count()}. */
  Junctions(long[] small, long[] keys, int count) {
    if (small.length != SMALL * SMALL / 64 || Integer.bitCount(keys.length) != 1) {
      throw new IllegalArgumentException("bad junction tables");
    }
    this.small = small;
    this.keys = keys;
    this.count = count;
    this.mask = keys.length - 1;
    this.shift = 64 - Integer.numberOfTrailingZeros(keys.length);
  }

  long[] small() {
    return small;
  }

  long[] keys() {
    return keys;
  }

  int count() {
    return count;
  }

  /**
   * The junctions of a merge table, or null when words must not be cut: when some merge involves a
   * byte-fallback or unknown token (their symbols do not stand for the characters they cover).
   */
  static Junctions of(PieceTable pieces, PieceIndex index, MergeTable merges, int unkId) {
    boolean[] special = specialIds(pieces, index, unkId);
    int n = merges.size();
    Junctions j = new Junctions(Math.max(16, n / 8));
    for (int r = 0; r < n; r++) {
      int l = merges.left(r);
      int rt = merges.right(r);
      if (special[l] || special[rt]) return null;
      j.add(pieces.lastCodePoint(l), pieces.firstCodePoint(rt));
    }
    return j;
  }

  /**
   * The junctions of the merges a vocabulary implies ({@link VocabularyImport#forEachSplit}, the
   * same set as {@link #of} over the derived table, without deriving it), or null as in {@link
   * #of}.
   */
  static Junctions ofSplits(PieceTable pieces, PieceIndex index, int unkId) {
    boolean[] special = specialIds(pieces, index, unkId);
    Junctions j = new Junctions(1 << 12);
    boolean cut =
        VocabularyImport.forEachSplit(
            pieces,
            index,
            (p, l, r, lcp, rcp) -> {
              if (special[l] || special[r]) return false;
              j.add(pieces.lastCodePoint(l), pieces.firstCodePoint(r));
              return true;
            });
    return cut ? j : null;
  }

  /** Byte-fallback pieces ({@code <0xNN>}) and the unknown token. */
  private static boolean[] specialIds(PieceTable pieces, PieceIndex index, int unkId) {
    boolean[] special = new boolean[pieces.size()];
    for (int b = 0; b < 256; b++) {
      int id = index.get(Bpe.bytePiece(b));
      if (id >= 0) special[id] = true;
    }
    if (unkId >= 0 && unkId < special.length) special[unkId] = true;
    return special;
  }

  /**
   * The junctions of a definition, possibly not derived yet: deriving them from a vocabulary's
   * splits ({@link #ofSplits}) reads every piece, about 0.3 s in a fresh JVM for Gemma's 262,144,
   * which a process that tokenizes only short texts never needs ({@link Bpe} cuts only long inputs
   * until they exist). Thread-safe; derived at most once.
   */
  static final class Lazy {
    private final Supplier<Junctions> derive;
    private volatile boolean known;
    private Junctions value;

    private Lazy(Junctions value, Supplier<Junctions> derive) {
      this.value = value;
      this.derive = derive;
      this.known = derive == null;
    }

    /** Junctions already at hand (null: never cut words). */
    static Lazy of(Junctions value) {
      return new Lazy(value, null);
    }

    /** Junctions that {@code derive} computes on the first {@link #get}. */
    static Lazy deferred(Supplier<Junctions> derive) {
      return new Lazy(null, derive);
    }

    /** Whether {@link #get} returns at once. */
    boolean known() {
      return known;
    }

    /** The junctions, derived now if need be; null: words must not be cut. */
    Junctions get() {
      if (!known) {
        synchronized (this) {
          if (!known) {
            value = derive.get();
            known = true;
          }
        }
      }
      return value;
    }
  }

  private static int smallIndex(int cp) {
    if (cp < SMALL - 1) return cp;
    return cp == META ? SMALL - 1 : -1;
  }

  void add(int a, int b) {
    int ia = smallIndex(a);
    int ib = smallIndex(b);
    if (ia >= 0 && ib >= 0) {
      int bit = ia * SMALL + ib;
      small[bit >>> 6] |= 1L << bit;
      return;
    }
    long k = ((long) a << 21) | b;
    if (count * 2 >= keys.length) rehash();
    int i = slot(k);
    while (true) {
      long s = keys[i];
      if (s == k) return;
      if (s == -1L) {
        keys[i] = k;
        count++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private void rehash() {
    long[] old = keys;
    int cap = old.length * 2;
    keys = new long[cap];
    Arrays.fill(keys, -1L);
    mask = cap - 1;
    shift = 64 - Integer.numberOfTrailingZeros(cap);
    for (long k : old) {
      if (k == -1L) continue;
      int i = slot(k);
      while (keys[i] != -1L) i = (i + 1) & mask;
      keys[i] = k;
    }
  }

  private int slot(long k) {
    return (int) ((k * 0x9E3779B97F4A7C15L) >>> shift);
  }

  /** Whether some merge joins a piece ending in {@code a} with a piece starting with {@code b}. */
  boolean canJoin(int a, int b) {
    int ia = smallIndex(a);
    int ib = smallIndex(b);
    if (ia >= 0 && ib >= 0) {
      int bit = ia * SMALL + ib;
      return (small[bit >>> 6] & (1L << bit)) != 0;
    }
    long k = ((long) a << 21) | b;
    long[] ks = keys;
    int i = slot(k);
    while (true) {
      long s = ks[i];
      if (s == k) return true;
      if (s == -1L) return false;
      i = (i + 1) & mask;
    }
  }
}
