package dev.gemmaembed.tokenizer;

import java.util.Arrays;

/**
 * The BPE merge map {@code (left id, right id) → rank} of a merge list, open addressing on a packed
 * long key; {@link #result(int)} gives the id a merge produces. Ranks are merge-list positions and
 * serve as the {@link Merges} priority: lower merges first. A pair listed twice keeps its last
 * rank, as Hugging Face's map does.
 */
final class MergeTable implements Merges {
  private final long[] keys; // -1 = empty
  private final int[] ranks;
  private final int[] results; // by rank
  private final int[] lefts; // by rank
  private final int[] rights; // by rank
  private final int shift;
  private final int mask;
  private final int count;

  /**
   * @param lefts, rights, results one entry per merge, in rank order
   */
  MergeTable(int[] lefts, int[] rights, int[] results, int count) {
    this.count = count;
    this.lefts = Arrays.copyOf(lefts, count);
    this.rights = Arrays.copyOf(rights, count);
    this.results = Arrays.copyOf(results, count);
    int cap = Integer.highestOneBit(Math.max(4, count) * 2 - 1) << 1;
    this.keys = new long[cap];
    Arrays.fill(keys, -1L);
    this.ranks = new int[cap];
    this.mask = cap - 1;
    this.shift = 64 - Integer.numberOfTrailingZeros(cap);
    for (int r = 0; r < count; r++) {
      long k = key(lefts[r], rights[r]);
      int i = slot(k);
      while (true) {
        long s = keys[i];
        if (s == -1L) {
          keys[i] = k;
          ranks[i] = r;
          break;
        }
        if (s == k) {
          ranks[i] = r; // later duplicate wins
          break;
        }
        i = (i + 1) & mask;
      }
    }
  }

  /** Restores a table from its rank-ordered arrays and {@link #keys()}/{@link #slotRanks()}. */
  MergeTable(int[] lefts, int[] rights, int[] results, long[] keys, int[] ranks) {
    if (keys.length != ranks.length
        || Integer.bitCount(keys.length) != 1
        || lefts.length != rights.length
        || lefts.length != results.length) {
      throw new IllegalArgumentException("bad merge tables");
    }
    this.count = lefts.length;
    this.lefts = lefts;
    this.rights = rights;
    this.results = results;
    this.keys = keys;
    this.ranks = ranks;
    this.mask = keys.length - 1;
    this.shift = 64 - Integer.numberOfTrailingZeros(keys.length);
  }

  long[] keys() {
    return keys;
  }

  int[] slotRanks() {
    return ranks;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private int slot(long k) {
    return (int) ((k * 0x9E3779B97F4A7C15L) >>> shift);
  }

  /** Rank of the merge of {@code left} and {@code right}, or -1. */
  int rank(int left, int right) {
    long k = key(left, right);
    int i = slot(k);
    long[] ks = keys;
    while (true) {
      long s = ks[i];
      if (s == k) return ranks[i];
      if (s == -1L) return -1;
      i = (i + 1) & mask;
    }
  }

  @Override
  public long priority(int left, int right) {
    return rank(left, right);
  }

  @Override
  public int result(long priority) {
    return results[(int) priority];
  }

  int result(int rank) {
    return results[rank];
  }

  int left(int rank) {
    return lefts[rank];
  }

  int right(int rank) {
    return rights[rank];
  }

  int size() {
    return count;
  }
}
