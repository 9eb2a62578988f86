package dev.gemmaembed.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Hugging Face {@code tokenizers}' BPE model ({@code models::bpe}) for SentencePiece-converted
 * vocabularies: a word starts as its characters (code points); a character missing from the
 * vocabulary becomes one {@code <0xNN>} token per UTF-8 byte ({@code byte_fallback}) or, failing
 * that, the unknown token (consecutive unknowns fused with {@code fuse_unk}); then the adjacent pair
 * with the lowest merge priority ({@link Merges}) is merged, leftmost first on ties, until no pair
 * has a merge. This runs in O(n log n) per word with a binary heap of {@code (priority, position)}
 * over a linked list of symbols; stale heap entries are skipped exactly as Hugging Face's {@code
 * Word::merge_all} does.
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
  private final int[] bmpIds = new int[65536];
  private final PieceIndexInt suppIds;
  private final int[] byteIds = new int[256];
  private final boolean byteFallback;
  private final boolean allBytes;
  private final boolean fuseUnk;
  private final boolean ignoreMerges;
  private final boolean unkFuses; // unknown characters can become fused <unk>: never cut next to one
  final int unkId;
  private final Junctions junctions; // null: no word cutting
  private final int splitChar; // pre-tokenizer Split(String c, MergedWithPrevious), or -1
  /** System property that turns the word cache off ({@code false}), for benchmarks. */
  static final String CACHE_PROPERTY = "gemmaembed.tokenizer.wordCache";

  /**
   * One {@code char[]} per cached word, {@code [n, word…, (id >>> 16, id & 0xFFFF, start << 8 | end)
   * × n]} with spans relative to the word: about 50 bytes for a typical word where an object with
   * three arrays took over 100, so a full cache stays near 3 MB.
   */
  private final char[][] cache =
      "false".equalsIgnoreCase(System.getProperty(CACHE_PROPERTY)) ? null : new char[1 << CACHE_BITS][];

  private static final VarHandle CACHE_SLOT = MethodHandles.arrayElementVarHandle(char[][].class);

  Bpe(
      PieceTable pieces,
      PieceIndex index,
      Merges merges,
      Junctions junctions,
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
    Arrays.fill(bmpIds, -1);
    PieceIndexInt supp = new PieceIndexInt();
    char[] chars = pieces.chars();
    for (int id = 0; id < pieces.size(); id++) {
      int len = pieces.length(id);
      if (len == 0 || len > 2 || !pieces.has(id)) continue;
      int cp = pieces.firstCodePoint(id);
      if (Character.charCount(cp) != len) continue;
      if (index.get(chars, pieces.start(id), len) != id) continue; // duplicate string: lowest id wins
      if (cp < 65536) bmpIds[cp] = id;
      else supp.put(cp, id);
    }
    this.suppIds = supp;
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

  int charId(int cp) {
    return cp < 65536 ? bmpIds[cp] : suppIds.get(cp);
  }

  /**
   * Tokenizes one pre-tokenizer input span {@code w[s, e)} of normalized text (non-empty),
   * appending to {@code sink}.
   */
  void encodeSegment(char[] w, int s, int e, Sink sink) {
    if (splitChar >= 0) {
      int from = s;
      for (int i = s; i < e; i++) {
        if (w[i] == splitChar) {
          encodePreToken(w, from, i + 1, sink);
          if (sink.full()) return;
          from = i + 1;
        }
      }
      if (from < e) encodePreToken(w, from, e, sink);
    } else {
      encodePreToken(w, s, e, sink);
    }
  }

  private void encodePreToken(char[] w, int s, int e, Sink sink) {
    if (ignoreMerges) {
      int id = index.get(w, s, e - s);
      if (id >= 0) {
        sink.add(id, s, e);
        return;
      }
    }
    Junctions jn = junctions;
    if (jn == null) {
      encodeWord(w, s, e, PieceIndex.hash(w, s, e - s), sink);
      return;
    }
    int ws = s;
    int h = 0;
    int prev = -1;
    int i = s;
    while (i < e) {
      char c = w[i];
      int cp = c;
      int len = 1;
      if (Character.isHighSurrogate(c) && i + 1 < e && Character.isLowSurrogate(w[i + 1])) {
        cp = Character.toCodePoint(c, w[i + 1]);
        len = 2;
      }
      if (i > ws
          && !jn.canJoin(prev, cp)
          && !(unkFuses && (charId(prev) < 0 || charId(cp) < 0))) {
        encodeWord(w, ws, i, h, sink);
        if (sink.full()) return;
        ws = i;
        h = 0;
      }
      h = 31 * h + c;
      if (len == 2) h = 31 * h + w[i + 1];
      prev = cp;
      i += len;
    }
    encodeWord(w, ws, e, h, sink);
  }

  /** First of the two cache slots (a 2-way set) where a word of hash {@code h} may be. */
  private static int cacheSet(int h) {
    return ((h * 0x9E3779B9) >>> (32 - CACHE_BITS)) & ~1;
  }

  private static boolean isEntryFor(char[] ce, char[] w, int s, int len) {
    return ce != null && ce.length == 1 + len + 3 * ce[0] && Arrays.equals(ce, 1, 1 + len, w, s, s + len);
  }

  private void encodeWord(char[] w, int s, int e, int h, Sink sink) {
    int len = e - s;
    if (len == 1) {
      int id = bmpIds[w[s]];
      if (id >= 0) {
        sink.add(id, s, e);
        return;
      }
    }
    char[][] cache = this.cache;
    boolean cacheable = len <= CACHE_MAX_LEN && cache != null;
    int set = 0;
    if (cacheable) {
      set = cacheSet(h);
      char[] ce = (char[]) CACHE_SLOT.getAcquire(cache, set);
      if (!isEntryFor(ce, w, s, len)) ce = (char[]) CACHE_SLOT.getAcquire(cache, set + 1);
      if (isEntryFor(ce, w, s, len)) {
        sink.addCached(ce, 1 + len, s);
        return;
      }
    }
    int n = initialSymbols(w, s, e, sink);
    if (n > 1) mergeAll(w, n, sink);
    // emit (symbol 0 is always alive: merges keep the left symbol)
    int[] id = sink.symId;
    int[] st = sink.symStart;
    int[] en = sink.symEnd;
    int[] nx = sink.symNext;
    if (!cacheable) {
      if (n > 0) {
        for (int k = 0; k >= 0; k = nx[k]) sink.add(id[k], st[k], en[k]);
      }
      return;
    }
    int count = 0;
    if (n > 0) {
      for (int k = 0; k >= 0; k = nx[k]) count++;
    }
    char[] entry = new char[1 + len + 3 * count];
    entry[0] = (char) count;
    System.arraycopy(w, s, entry, 1, len);
    int t = 1 + len;
    if (n > 0) {
      for (int k = 0; k >= 0; k = nx[k]) {
        entry[t] = (char) (id[k] >>> 16);
        entry[t + 1] = (char) id[k];
        entry[t + 2] = (char) (((st[k] - s) << 8) | (en[k] - s));
        t += 3;
      }
    }
    // the newest word goes first, the previous first moves second (racing writers may lose an
    // entry or store one twice: both harmless, as every entry is checked against its word)
    CACHE_SLOT.setRelease(cache, set + 1, CACHE_SLOT.getAcquire(cache, set));
    CACHE_SLOT.setRelease(cache, set, entry);
    sink.addCached(entry, 1 + len, s);
  }

  /** Builds the initial symbol list in the sink's workspace; returns the symbol count. */
  private int initialSymbols(char[] w, int s, int e, Sink sink) {
    sink.ensureSymbols(e - s + 8);
    int[] id = sink.symId;
    int[] st = sink.symStart;
    int[] en = sink.symEnd;
    boolean[] tx = sink.symText;
    int n = 0;
    int unkStart = -1;
    int unkEnd = -1;
    int i = s;
    while (i < e) {
      char c = w[i];
      int cp = c;
      int len = 1;
      if (Character.isHighSurrogate(c) && i + 1 < e && Character.isLowSurrogate(w[i + 1])) {
        cp = Character.toCodePoint(c, w[i + 1]);
        len = 2;
      }
      int tid = cp < 65536 ? bmpIds[cp] : suppIds.get(cp);
      if (n + 6 > id.length) { // byte fallback can add 4 symbols per character
        sink.ensureSymbols(n + 6 + (e - i));
        id = sink.symId;
        st = sink.symStart;
        en = sink.symEnd;
        tx = sink.symText;
      }
      if (tid >= 0) {
        if (unkStart >= 0) {
          id[n] = unkId;
          st[n] = unkStart;
          en[n] = unkEnd;
          tx[n] = false;
          n++;
          unkStart = -1;
        }
        id[n] = tid;
        st[n] = i;
        en[n] = i + len;
        tx[n] = true;
        n++;
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
              id[n] = byteIds[sink.utf8[b] & 0xFF];
              st[n] = i;
              en[n] = i + len;
              tx[n] = false;
              n++;
            }
            done = true;
          }
        }
        if (!done && unkId >= 0) {
          if (unkStart >= 0 && fuseUnk) {
            unkEnd = i + len;
          } else {
            if (unkStart >= 0) {
              id[n] = unkId;
              st[n] = unkStart;
              en[n] = unkEnd;
              tx[n] = false;
              n++;
            }
            unkStart = i;
            unkEnd = i + len;
          }
        }
        // no unk token and no byte fallback: the character is dropped, as in Hugging Face
      }
      i += len;
    }
    if (unkStart >= 0) {
      id[n] = unkId;
      st[n] = unkStart;
      en[n] = unkEnd;
      tx[n] = false;
      n++;
    }
    int[] pv = sink.symPrev;
    int[] nx = sink.symNext;
    for (int k = 0; k < n; k++) {
      pv[k] = k - 1;
      nx[k] = k + 1;
    }
    if (n > 0) nx[n - 1] = -1;
    return n;
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
   * its position's version moved on (or the symbol is gone). Hugging Face instead looks the
   * current pair's merge up again and compares; as a priority belongs to one pair only, that is
   * the same test without a lookup.
   */
  private void mergeAll(char[] w, int n, Sink sink) {
    Merges mg = merges;
    int[] id = sink.symId;
    int[] st = sink.symStart;
    int[] en = sink.symEnd;
    boolean[] tx = sink.symText;
    int[] pv = sink.symPrev;
    int[] nx = sink.symNext;
    int[] ver = sink.symVersion;
    sink.ensureHeap(2 * n + 8);
    long[] hk = sink.heapKey;
    long[] ha = sink.heapAux;
    Arrays.fill(ver, 0, n, 0);
    int hs = 0;
    for (int k = 0; k + 1 < n; k++) {
      long pr = priority(w, id, st, en, tx, k, k + 1);
      // O(n) heapify would also do; push keeps it simple
      if (pr >= 0) hs = push(hk, ha, hs, pr, (long) k << 32);
    }
    while (hs > 0) {
      long top = hk[0];
      long aux = ha[0];
      hs = pop(hk, ha, hs);
      int pos = (int) (aux >>> 32);
      int right = nx[pos];
      if (right < 0 || id[pos] < 0 || ver[pos] != (int) aux) continue; // removed or stale
      id[pos] = mg.result(top);
      en[pos] = en[right];
      tx[pos] &= tx[right];
      id[right] = -1;
      int rr = nx[right];
      nx[pos] = rr;
      if (rr >= 0) pv[rr] = pos;
      int p = pv[pos];
      if (hs + 2 > hk.length) {
        sink.ensureHeap(hk.length * 2);
        hk = sink.heapKey;
        ha = sink.heapAux;
      }
      if (p >= 0) {
        ver[p]++;
        long pr = priority(w, id, st, en, tx, p, pos);
        if (pr >= 0) hs = push(hk, ha, hs, pr, ((long) p << 32) | (ver[p] & 0xFFFFFFFFL));
      }
      ver[pos]++;
      if (rr >= 0) {
        long pr = priority(w, id, st, en, tx, pos, rr);
        if (pr >= 0) hs = push(hk, ha, hs, pr, ((long) pos << 32) | (ver[pos] & 0xFFFFFFFFL));
      }
    }
  }

  /** The merge priority of adjacent symbols {@code a b}, by their text when both are text. */
  private long priority(char[] w, int[] id, int[] st, int[] en, boolean[] tx, int a, int b) {
    if (mergesByText && tx[a] && tx[b]) return merges.priority(id[a], id[b], w, st[a], st[b], en[b]);
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

  /** Small int → int open-addressing map for supplementary-plane single-character pieces. */
  static final class PieceIndexInt {
    private int[] keys = new int[16];
    private int[] vals = new int[16];
    private int count;

    PieceIndexInt() {
      Arrays.fill(keys, -1);
    }

    void put(int k, int v) {
      if (count * 2 >= keys.length) {
        int[] ok = keys;
        int[] ov = vals;
        keys = new int[ok.length * 2];
        vals = new int[ok.length * 2];
        Arrays.fill(keys, -1);
        count = 0;
        for (int i = 0; i < ok.length; i++) if (ok[i] != -1) put(ok[i], ov[i]);
      }
      int m = keys.length - 1;
      int i = (k * 0x9E3779B9) & m;
      while (keys[i] != -1 && keys[i] != k) i = (i + 1) & m;
      if (keys[i] == -1) count++;
      keys[i] = k;
      vals[i] = v;
    }

    int get(int k) {
      int m = keys.length - 1;
      int i = (k * 0x9E3779B9) & m;
      while (true) {
        int s = keys[i];
        if (s == k) return vals[i];
        if (s == -1) return -1;
        i = (i + 1) & m;
      }
    }
  }
}
