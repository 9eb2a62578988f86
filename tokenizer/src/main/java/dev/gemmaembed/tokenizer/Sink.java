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

  // BPE workspace
  int[] symId = new int[64];
  int[] symStart = new int[64];
  int[] symEnd = new int[64];
  int[] symPrev = new int[64];
  int[] symNext = new int[64];
  long[] heap = new long[64];
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

  /** Appends cached word tokens; spans are {@code (relStart << 16) | relEnd} from {@code base}. */
  void addAll(int[] wordIds, int[] spans, int base) {
    int n = size;
    int k = wordIds.length;
    if (n + k > ids.length) grow(n + k);
    System.arraycopy(wordIds, 0, ids, n, k);
    if (starts != null) {
      for (int i = 0; i < k; i++) {
        int sp = spans[i];
        starts[n + i] = base + (sp >>> 16);
        ends[n + i] = base + (sp & 0xFFFF);
      }
    }
    size = n + k;
  }

  void ensureSymbols(int n) {
    if (n > symId.length) {
      int cap = Math.max(n, symId.length * 2);
      symId = Arrays.copyOf(symId, cap);
      symStart = Arrays.copyOf(symStart, cap);
      symEnd = Arrays.copyOf(symEnd, cap);
      symPrev = Arrays.copyOf(symPrev, cap);
      symNext = Arrays.copyOf(symNext, cap);
    }
  }
}
