package dev.gemmaembed.tokenizer;

import java.util.Arrays;

/**
 * Per-call output buffer (ids and optional UTF-16 spans) plus the BPE scratch arrays. Not shared
 * between threads.
 */
final class Sink {
  int[] ids;
  int size;
  int[] starts; // null unless offsets are wanted
  int[] ends;
  int limit = Integer.MAX_VALUE;
  boolean truncated; // content tokens past the limit were dropped

  // BPE workspace
  int[] symId = new int[64];
  int[] symStart = new int[64];
  int[] symEnd = new int[64];
  int[] symPrev = new int[64];
  int[] symNext = new int[64];
  boolean[] symText =
      new boolean[64]; // the symbol's piece is the text it covers (not bytes or unk)
  int[] symVersion = new int[64];
  long[] heapKey = new long[64]; // merge heap: priority, position << 32 | version
  long[] heapAux = new long[64];
  final byte[] utf8 = new byte[4];

  Sink(int expected, boolean offsets) {
    int cap = Math.max(16, expected);
    ids = new int[cap];
    if (offsets) {
      starts = new int[cap];
      ends = new int[cap];
    }
  }

  boolean full() {
    return size >= limit;
  }

  private void grow(int need) {
    int cap = Math.max(need, ids.length + (ids.length >> 1) + 16);
    ids = Arrays.copyOf(ids, cap);
    if (starts != null) {
      starts = Arrays.copyOf(starts, cap);
      ends = Arrays.copyOf(ends, cap);
    }
  }

  void add(int id, int start, int end) {
    int n = size;
    if (n == ids.length) grow(n + 1);
    ids[n] = id;
    if (starts != null) {
      starts[n] = start;
      ends[n] = end;
    }
    size = n + 1;
  }

  /**
   * Appends the tokens of a word-cache entry: {@code entry[0]} tokens from {@code entry[at]} on,
   * each {@code (id >>> 16, id & 0xFFFF, relStart << 8 | relEnd)} with spans from {@code base}.
   */
  void addCached(char[] entry, int at, int base) {
    int n = size;
    int k = entry[0];
    if (n + k > ids.length) grow(n + k);
    int[] out = ids;
    for (int i = 0, j = at; i < k; i++, j += 3) out[n + i] = (entry[j] << 16) | entry[j + 1];
    if (starts != null) {
      for (int i = 0, j = at + 2; i < k; i++, j += 3) {
        int sp = entry[j];
        starts[n + i] = base + (sp >>> 8);
        ends[n + i] = base + (sp & 0xFF);
      }
    }
    size = n + k;
  }

  void ensureHeap(int n) {
    if (n > heapKey.length) {
      heapKey = Arrays.copyOf(heapKey, n);
      heapAux = Arrays.copyOf(heapAux, n);
    }
  }

  void ensureSymbols(int n) {
    if (n > symId.length) {
      int cap = Math.max(n, symId.length * 2);
      symId = Arrays.copyOf(symId, cap);
      symStart = Arrays.copyOf(symStart, cap);
      symEnd = Arrays.copyOf(symEnd, cap);
      symPrev = Arrays.copyOf(symPrev, cap);
      symNext = Arrays.copyOf(symNext, cap);
      symText = Arrays.copyOf(symText, cap);
      symVersion = Arrays.copyOf(symVersion, cap);
    }
  }
}
