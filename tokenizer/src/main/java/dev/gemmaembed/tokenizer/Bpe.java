package dev.gemmaembed.tokenizer;

import java.util.Arrays;

/**
 * Hugging Face {@code tokenizers}' BPE model ({@code models::bpe}) for SentencePiece-converted
 * vocabularies: a word starts as its characters (code points); a character missing from the
 * vocabulary becomes one {@code <0xNN>} token per UTF-8 byte ({@code byte_fallback}) or, failing
 * that, the unknown token (consecutive unknowns fused with {@code fuse_unk}); then the adjacent pair
 * with the lowest merge rank is merged, leftmost first on ties, until no pair has a merge. This runs
 * in O(n log n) per word with a binary heap of {@code (rank, position)} over a linked list of
 * symbols; stale heap entries are skipped exactly as Hugging Face's {@code Word::merge_all} does.
 *
 * <p>Words are first cut where no merge can ever join the two neighbouring characters (see {@link
 * Junctions}), and results for short words are kept in a lock-free direct-mapped cache (racy but
 * safe: entries are immutable).
 */
final class Bpe {
  static final int CACHE_MAX_LEN = 48;
  private static final int CACHE_BITS = 16;

  final String[] pieces;
  final PieceIndex index;
  final MergeTable merges;
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

  private final CacheEntry[] cache =
      "false".equalsIgnoreCase(System.getProperty(CACHE_PROPERTY)) ? null : new CacheEntry[1 << CACHE_BITS];

  private record CacheEntry(char[] key, int hash, int[] ids, int[] spans) {}

  Bpe(
      String[] pieces,
      PieceIndex index,
      MergeTable merges,
      Junctions junctions,
      int unkId,
      boolean byteFallback,
      boolean fuseUnk,
      boolean ignoreMerges,
      int splitChar) {
    this.pieces = pieces;
    this.index = index;
    this.merges = merges;
    this.unkId = unkId;
    this.byteFallback = byteFallback;
    this.fuseUnk = fuseUnk;
    this.ignoreMerges = ignoreMerges;
    this.splitChar = splitChar;
    Arrays.fill(bmpIds, -1);
    PieceIndexInt supp = new PieceIndexInt();
    for (int id = 0; id < pieces.length; id++) {
      String p = pieces[id];
      if (p == null || p.isEmpty()) continue;
      int cp = p.codePointAt(0);
      if (Character.charCount(cp) != p.length()) continue;
      if (index.get(p) != id) continue; // duplicate string: lowest id wins
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

  private static int cacheSlot(int h) {
    return (h * 0x9E3779B9) >>> (32 - CACHE_BITS);
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
    CacheEntry[] cache = this.cache;
    boolean cacheable = len <= CACHE_MAX_LEN && cache != null;
    int slot = 0;
    if (cacheable) {
      slot = cacheSlot(h);
      CacheEntry ce = cache[slot];
      if (ce != null && ce.hash == h && keyEquals(ce.key, w, s, len)) {
        sink.addAll(ce.ids, ce.spans, s);
        return;
      }
    }
    int n = initialSymbols(w, s, e, sink);
    if (n > 1) mergeAll(n, sink);
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
    int[] ids = new int[count];
    int[] spans = new int[count];
    int t = 0;
    if (n > 0) {
      for (int k = 0; k >= 0; k = nx[k]) {
        ids[t] = id[k];
        spans[t] = ((st[k] - s) << 16) | (en[k] - s);
        t++;
      }
    }
    cache[slot] = new CacheEntry(Arrays.copyOfRange(w, s, e), h, ids, spans);
    sink.addAll(ids, spans, s);
  }

  private static boolean keyEquals(char[] key, char[] w, int s, int len) {
    if (key.length != len) return false;
    return Arrays.equals(key, 0, len, w, s, s + len);
  }

  /** Builds the initial symbol list in the sink's workspace; returns the symbol count. */
  private int initialSymbols(char[] w, int s, int e, Sink sink) {
    sink.ensureSymbols(e - s + 8);
    int[] id = sink.symId;
    int[] st = sink.symStart;
    int[] en = sink.symEnd;
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
      }
      if (tid >= 0) {
        if (unkStart >= 0) {
          id[n] = unkId;
          st[n] = unkStart;
          en[n] = unkEnd;
          n++;
          unkStart = -1;
        }
        id[n] = tid;
        st[n] = i;
        en[n] = i + len;
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

  /** Hugging Face's {@code Word::merge_all} without dropout. */
  private void mergeAll(int n, Sink sink) {
    MergeTable mt = merges;
    int[] id = sink.symId;
    int[] en = sink.symEnd;
    int[] pv = sink.symPrev;
    int[] nx = sink.symNext;
    if (sink.heap.length < 2 * n + 8) sink.heap = new long[2 * n + 8];
    long[] heap = sink.heap;
    int hs = 0;
    for (int k = 0; k + 1 < n; k++) {
      int r = mt.rank(id[k], id[k + 1]);
      if (r >= 0) {
        // O(n) heapify would also do; push keeps it simple
        hs = push(heap, hs, ((long) r << 32) | k);
      }
    }
    while (hs > 0) {
      long top = heap[0];
      hs = pop(heap, hs);
      int pos = (int) top;
      int rank = (int) (top >>> 32);
      if (id[pos] < 0) continue; // removed
      int right = nx[pos];
      if (right < 0) continue;
      if (mt.rank(id[pos], id[right]) != rank) continue; // stale
      id[pos] = mt.result(rank);
      en[pos] = en[right];
      id[right] = -1;
      int rr = nx[right];
      nx[pos] = rr;
      if (rr >= 0) pv[rr] = pos;
      int p = pv[pos];
      if (hs + 2 > heap.length) {
        heap = java.util.Arrays.copyOf(heap, heap.length * 2);
        sink.heap = heap;
      }
      if (p >= 0) {
        int r = mt.rank(id[p], id[pos]);
        if (r >= 0) hs = push(heap, hs, ((long) r << 32) | p);
      }
      if (rr >= 0) {
        int r = mt.rank(id[pos], id[rr]);
        if (r >= 0) hs = push(heap, hs, ((long) r << 32) | pos);
      }
    }
  }

  private static int push(long[] heap, int size, long v) {
    int i = size;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      long pvv = heap[parent];
      if (pvv <= v) break;
      heap[i] = pvv;
      i = parent;
    }
    heap[i] = v;
    return size + 1;
  }

  private static int pop(long[] heap, int size) {
    int n = size - 1;
    if (n == 0) return 0;
    long v = heap[n];
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= n) break;
      long cv = heap[c];
      if (c + 1 < n && heap[c + 1] < cv) {
        c++;
        cv = heap[c];
      }
      if (v <= cv) break;
      heap[i] = cv;
      i = c;
    }
    heap[i] = v;
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
