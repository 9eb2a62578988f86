package dev.gemmaembed.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Hugging Face {@code tokenizers}' BPE model ({@code models::bpe}) for SentencePiece-converted
 * vocabularies: a word starts as its characters (code points); a character missing from the
 * vocabulary becomes one {@code <0xNN>} token per UTF-8 byte ({@code byte_fallback}) or, failing
 * that, the unknown token (consecutive unknowns fused with {@code fuse_unk}); then the adjacent
 * pair with the lowest merge priority ({@link Merges}) is merged, leftmost first on ties, until no
 * pair has a merge. This runs in O(n log n) per word with a binary heap of {@code (priority,
 * position)} over a linked list of symbols; stale heap entries are skipped exactly as Hugging
 * Face's {@code Word::merge_all} does.
 *
 * <p>Words are first cut where no merge can ever join the two neighbouring characters (see {@link
 * Junctions}), and results for short words are kept in a lock-free 2-way set-associative cache
 * (racy but safe: entries are immutable, published with release/acquire and checked against the
 * word).
 */
final class Bpe {
  static final int CACHE_MAX_LEN = 48; // < 256: cache entries keep spans in 8 bits
  private static final int CACHE_BITS = 16;

  final PieceTable pieces;
  final PieceIndex index;
  final Merges merges;
  private final boolean mergesByText;

  /**
   * Per BMP character, the canonical id of its one-character piece plus 2 (1: no such piece, 0: not
   * looked up yet), filled as characters are met. Built whole at load, this walked the 262,144
   * pieces before the JIT had compiled anything: about 100 ms of a one-text job. Racy but safe: an
   * entry is one int, and every thread computes the same value for it.
   */
  private final int[] bmpIds = new int[65536];

  private final int[] byteIds = new int[256];
  private final boolean byteFallback;
  private final boolean allBytes;
  private final boolean fuseUnk;
  private final boolean ignoreMerges;
  private final boolean
      unkFuses; // unknown characters can become fused <unk>: never cut next to one
  final int unkId;
  private final Junctions.Lazy junctions; // holding null: no word cutting
  private final int splitChar; // pre-tokenizer Split(String c, MergedWithPrevious), or -1

  /** System property that turns the word cache off ({@code false}), for benchmarks. */
  static final String CACHE_PROPERTY = "gemmaembed.tokenizer.wordCache";

  /**
   * One {@code char[]} per cached word, {@code [n, word…, (id >>> 16, id & 0xFFFF, start << 8 |
   * end) × n]} with spans relative to the word: about 50 bytes for a typical word where an object
   * with three arrays took over 100, so a full cache stays near 3 MB.
   */
  private final char[][] cache =
      "false".equalsIgnoreCase(System.getProperty(CACHE_PROPERTY))
          ? null
          : new char[1 << CACHE_BITS][];

  private static final VarHandle CACHE_SLOT = MethodHandles.arrayElementVarHandle(char[][].class);

  Bpe(
      PieceTable pieces,
      PieceIndex index,
      Merges merges,
      Junctions.Lazy junctions,
      int unkId,
      boolean byteFallback,
      boolean fuseUnk,
      boolean ignoreMerges,
      int splitChar) {
    this.pieces = pieces;
    this.index = index;
    this.merges = merges;
    this.mergesByText = merges.looksUpText();
    this.unkId = unkId;
    this.byteFallback = byteFallback;
    this.fuseUnk = fuseUnk;
    this.ignoreMerges = ignoreMerges;
    this.splitChar = splitChar;
    boolean all = true;
    for (int b = 0; b < 256; b++) {
      byteIds[b] = index.get(bytePiece(b));
      if (byteIds[b] < 0) all = false;
    }
    this.allBytes = all;
    this.unkFuses = unkId >= 0 && fuseUnk && !(byteFallback && all);
    this.junctions = junctions;
  }

  /** {@code <0xNN>} with upper-case hex digits, as Hugging Face's {@code format!("<{b:#04X}>")}. */
  static String bytePiece(int b) {
    final String hex = "0123456789ABCDEF";
    return "<0x" + hex.charAt(b >>> 4) + hex.charAt(b & 15) + ">";
  }

  /** The canonical id of the piece that is code point {@code cp} alone, or -1. */
  int charId(int cp) {
    if (cp >= 65536) {
      return index.get(Character.toChars(cp), 0, 2);
    }
    int v = bmpIds[cp];
    if (v == 0) {
      v = index.get(new char[] {(char) cp}, 0, 1) + 2;
      bmpIds[cp] = v;
    }
    return v - 2;
  }

  /**
   * Tokenizes one pre-tokenizer input span {@code text[start, end)} of normalized text (non-empty),
   * appending to {@code sink}.
   */
  void encodeSegment(char[] text, int start, int end, Sink sink) {
    if (splitChar >= 0) {
      int from = start;
      for (int i = start; i < end; i++) {
        if (text[i] == splitChar) {
          encodePreToken(text, from, i + 1, sink);
          if (sink.full()) return;
          from = i + 1;
        }
      }
      if (from < end) {
        encodePreToken(text, from, end, sink);
      }
    } else {
      encodePreToken(text, start, end, sink);
    }
  }

  private void encodePreToken(char[] text, int start, int end, Sink sink) {
    if (ignoreMerges) {
      int id = index.get(text, start, end - start);
      if (id >= 0) {
        sink.add(id, start, end);
        return;
      }
    }
    // Words of up to CACHE_MAX_LEN characters are cached whole, so cutting them is no gain worth
    // deriving the junctions for; longer ones need cutting to be cached at all.
    Junctions jn = end - start > CACHE_MAX_LEN || junctions.known() ? junctions.get() : null;
    if (jn == null) {
      encodeWord(text, start, end, PieceIndex.hash(text, start, end - start), sink);
      return;
    }
    int wordStart = start;
    int hash = 0;
    int prev = -1;
    int i = start;
    while (i < end) {
      char c = text[i];
      int cp = c;
      int len = 1;
      if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text[i + 1])) {
        cp = Character.toCodePoint(c, text[i + 1]);
        len = 2;
      }
      if (i > wordStart
          && !jn.canJoin(prev, cp)
          && !(unkFuses && (charId(prev) < 0 || charId(cp) < 0))) {
        encodeWord(text, wordStart, i, hash, sink);
        if (sink.full()) return;
        wordStart = i;
        hash = 0;
      }
      hash = 31 * hash + c;
      if (len == 2) {
        hash = 31 * hash + text[i + 1];
      }
      prev = cp;
      i += len;
    }
    encodeWord(text, wordStart, end, hash, sink);
  }

  /** First of the two cache slots (a 2-way set) where a word of hash {@code hash} may be. */
  private static int cacheSet(int hash) {
    return ((hash * 0x9E3779B9) >>> (32 - CACHE_BITS)) & ~1;
  }

  private static boolean isEntryFor(char[] ce, char[] text, int start, int len) {
    return ce != null
        && ce.length == 1 + len + 3 * ce[0]
        && Arrays.equals(ce, 1, 1 + len, text, start, start + len);
  }

  private void encodeWord(char[] text, int start, int end, int hash, Sink sink) {
    int len = end - start;
    if (len == 1) {
      int id = charId(text[start]);
      if (id >= 0) {
        sink.add(id, start, end);
        return;
      }
    }
    char[][] cache = this.cache;
    boolean cacheable = len <= CACHE_MAX_LEN && cache != null;
    int set = 0;
    if (cacheable) {
      set = cacheSet(hash);
      char[] ce = (char[]) CACHE_SLOT.getAcquire(cache, set);
      if (!isEntryFor(ce, text, start, len)) {
        ce = (char[]) CACHE_SLOT.getAcquire(cache, set + 1);
      }
      if (isEntryFor(ce, text, start, len)) {
        sink.addCached(ce, 1 + len, start);
        return;
      }
    }
    int n = initialSymbols(text, start, end, sink);
    if (n > 1) {
      mergeAll(text, n, sink);
    }
    // emit (symbol 0 is always alive: merges keep the left symbol)
    int[] id = sink.symId;
    int[] st = sink.symStart;
    int[] en = sink.symEnd;
    int[] next = sink.symNext;
    if (!cacheable) {
      if (n > 0) {
        for (int k = 0; k >= 0; k = next[k]) {
          sink.add(id[k], st[k], en[k]);
        }
      }
      return;
    }
    int count = 0;
    if (n > 0) {
      for (int k = 0; k >= 0; k = next[k]) {
        count++;
      }
    }
    char[] entry = new char[1 + len + 3 * count];
    entry[0] = (char) count;
    System.arraycopy(text, start, entry, 1, len);
    int t = 1 + len;
    if (n > 0) {
      for (int k = 0; k >= 0; k = next[k]) {
        entry[t] = (char) (id[k] >>> 16);
        entry[t + 1] = (char) id[k];
        entry[t + 2] = (char) (((st[k] - start) << 8) | (en[k] - start));
        t += 3;
      }
    }
    // the newest word goes first, the previous first moves second (racing writers may lose an
    // entry or store one twice: both harmless, as every entry is checked against its word)
    CACHE_SLOT.setRelease(cache, set + 1, CACHE_SLOT.getAcquire(cache, set));
    CACHE_SLOT.setRelease(cache, set, entry);
    sink.addCached(entry, 1 + len, start);
  }

  /** Builds the initial symbol list in the sink's workspace; returns the symbol count. */
  private int initialSymbols(char[] text, int start, int end, Sink sink) {
    sink.ensureSymbols(end - start + 8);
    int n = 0;
    int unkStart =
        -1; // a pending unknown symbol over [unkStart, unkEnd), grown while fuse_unk fuses
    int unkEnd = -1;
    int i = start;
    while (i < end) {
      char c = text[i];
      int cp = c;
      int len = 1;
      if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text[i + 1])) {
        cp = Character.toCodePoint(c, text[i + 1]);
        len = 2;
      }
      int tid = charId(cp);
      if (n + 6 > sink.symId.length) { // byte fallback can add 4 symbols per character
        sink.ensureSymbols(n + 6 + (end - i));
      }
      if (tid >= 0) {
        n = addPendingUnknown(sink, n, unkStart, unkEnd);
        unkStart = -1;
        setSymbol(sink, n++, tid, i, i + len, true);
      } else {
        boolean done = false;
        if (byteFallback) {
          int nb = utf8(cp, sink.utf8);
          boolean ok = allBytes;
          if (!ok) {
            ok = true;
            for (int b = 0; b < nb; b++) if (byteIds[sink.utf8[b] & 0xFF] < 0) ok = false;
          }
          if (ok) {
            // as Hugging Face: byte tokens are added even while a fused unk is pending
            for (int b = 0; b < nb; b++) {
              setSymbol(sink, n++, byteIds[sink.utf8[b] & 0xFF], i, i + len, false);
            }
            done = true;
          }
        }
        if (!done && unkId >= 0) {
          if (unkStart >= 0 && fuseUnk) {
            unkEnd = i + len;
          } else {
            n = addPendingUnknown(sink, n, unkStart, unkEnd);
            unkStart = i;
            unkEnd = i + len;
          }
        }
        // no unk token and no byte fallback: the character is dropped, as in Hugging Face
      }
      i += len;
    }
    n = addPendingUnknown(sink, n, unkStart, unkEnd);
    int[] prev = sink.symPrev;
    int[] next = sink.symNext;
    for (int k = 0; k < n; k++) {
      prev[k] = k - 1;
      next[k] = k + 1;
    }
    if (n > 0) {
      next[n - 1] = -1;
    }
    return n;
  }

  /**
   * Appends the pending unknown symbol over {@code [unkStart, unkEnd)}, if any; returns the new
   * count.
   */
  private int addPendingUnknown(Sink sink, int n, int unkStart, int unkEnd) {
    if (unkStart < 0) {
      return n;
    }
    setSymbol(sink, n, unkId, unkStart, unkEnd, false);
    return n + 1;
  }

  /** Symbol {@code k} of the sink's workspace: a piece id over {@code [start, end)} of the text. */
  private static void setSymbol(Sink sink, int k, int id, int start, int end, boolean isText) {
    sink.symId[k] = id;
    sink.symStart[k] = start;
    sink.symEnd[k] = end;
    sink.symText[k] = isText;
  }

  private static int utf8(int cp, byte[] out) {
    if (cp < 0x80) {
      out[0] = (byte) cp;
      return 1;
    } else if (cp < 0x800) {
      out[0] = (byte) (0xC0 | (cp >>> 6));
      out[1] = (byte) (0x80 | (cp & 0x3F));
      return 2;
    } else if (cp < 0x10000) {
      out[0] = (byte) (0xE0 | (cp >>> 12));
      out[1] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
      out[2] = (byte) (0x80 | (cp & 0x3F));
      return 3;
    } else {
      out[0] = (byte) (0xF0 | (cp >>> 18));
      out[1] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
      out[2] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
      out[3] = (byte) (0x80 | (cp & 0x3F));
      return 4;
    }
  }

  /**
   * Hugging Face's {@code Word::merge_all} without dropout. Heap entries are {@code (priority,
   * position, version)}: every merge bumps the version of the merged symbol and of its left
   * neighbour, the two symbols whose right-hand pair it changed, so an entry is stale exactly when
   * its position's version moved on (or the symbol is gone). Hugging Face instead looks the current
   * pair's merge up again and compares; as a priority belongs to one pair only, that is the same
   * test without a lookup.
   */
  private void mergeAll(char[] text, int n, Sink sink) {
    int[] id = sink.symId;
    int[] st = sink.symStart;
    int[] en = sink.symEnd;
    boolean[] isText = sink.symText;
    int[] prev = sink.symPrev;
    int[] next = sink.symNext;
    int[] ver = sink.symVersion;
    sink.ensureHeap(2 * n + 8);
    long[] heapKeys = sink.heapKey;
    long[] heapAux = sink.heapAux;
    Arrays.fill(ver, 0, n, 0);
    int heapSize = 0;
    for (int k = 0; k + 1 < n; k++) {
      long mergePriority = priority(text, id, st, en, isText, k, k + 1);
      // O(n) heapify would also do; push keeps it simple
      if (mergePriority >= 0) {
        heapSize = push(heapKeys, heapAux, heapSize, mergePriority, (long) k << 32);
      }
    }
    while (heapSize > 0) {
      long top = heapKeys[0];
      long aux = heapAux[0];
      heapSize = pop(heapKeys, heapAux, heapSize);
      int pos = (int) (aux >>> 32);
      int right = next[pos];
      if (right < 0 || id[pos] < 0 || ver[pos] != (int) aux) continue; // removed or stale
      id[pos] = merges.result(top);
      en[pos] = en[right];
      isText[pos] &= isText[right];
      id[right] = -1;
      int afterRight = next[right];
      next[pos] = afterRight;
      if (afterRight >= 0) {
        prev[afterRight] = pos;
      }
      int p = prev[pos];
      if (heapSize + 2 > heapKeys.length) {
        sink.ensureHeap(heapKeys.length * 2);
        heapKeys = sink.heapKey;
        heapAux = sink.heapAux;
      }
      if (p >= 0) {
        ver[p]++;
        long mergePriority = priority(text, id, st, en, isText, p, pos);
        if (mergePriority >= 0) {
          heapSize =
              push(
                  heapKeys,
                  heapAux,
                  heapSize,
                  mergePriority,
                  ((long) p << 32) | (ver[p] & 0xFFFFFFFFL));
        }
      }
      ver[pos]++;
      if (afterRight >= 0) {
        long mergePriority = priority(text, id, st, en, isText, pos, afterRight);
        if (mergePriority >= 0) {
          heapSize =
              push(
                  heapKeys,
                  heapAux,
                  heapSize,
                  mergePriority,
                  ((long) pos << 32) | (ver[pos] & 0xFFFFFFFFL));
        }
      }
    }
  }

  /** The merge priority of adjacent symbols {@code a b}, by their text when both are text. */
  private long priority(char[] text, int[] id, int[] st, int[] en, boolean[] isText, int a, int b) {
    if (mergesByText && isText[a] && isText[b]) {
      return merges.priority(id[a], id[b], text, st[a], st[b], en[b]);
    }
    return merges.priority(id[a], id[b]);
  }

  /**
   * Binary min-heap on {@code (key, aux)} in two parallel arrays; {@code aux} is {@code position <<
   * 32 | version}, so equal priorities pop leftmost first.
   */
  private static int push(long[] keys, long[] aux, int size, long k, long a) {
    int i = size;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      long pk = keys[parent];
      if (pk < k || (pk == k && aux[parent] <= a)) break;
      keys[i] = pk;
      aux[i] = aux[parent];
      i = parent;
    }
    keys[i] = k;
    aux[i] = a;
    return size + 1;
  }

  private static int pop(long[] keys, long[] aux, int size) {
    int n = size - 1;
    if (n == 0) return 0;
    long k = keys[n];
    long a = aux[n];
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= n) break;
      long ck = keys[c];
      long ca = aux[c];
      if (c + 1 < n) {
        long rk = keys[c + 1];
        if (rk < ck || (rk == ck && aux[c + 1] < ca)) {
          c++;
          ck = rk;
          ca = aux[c];
        }
      }
      if (k < ck || (k == ck && a <= ca)) break;
      keys[i] = ck;
      aux[i] = ca;
      i = c;
    }
    keys[i] = k;
    aux[i] = a;
    return n;
  }
}
