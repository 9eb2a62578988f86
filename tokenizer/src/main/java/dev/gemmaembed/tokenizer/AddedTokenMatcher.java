package dev.gemmaembed.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Leftmost-longest matching of a set of literal strings (Hugging Face's Aho-Corasick {@code
 * MatchKind::LeftmostLongest} over the added-token contents), as a {@code char} trie: a scan tries
 * each position whose character can start a pattern and takes the longest pattern starting there.
 * Patterns are bounded in length, so a scan is linear in the text length times the longest pattern.
 *
 * <p>The trie is built at the first position that some pattern can start: Gemma's added tokens
 * start with {@code <}, {@code [}, a tab, a newline or U+2581, so most texts never need it, and a
 * short job does not pay for its 76k insertions (20-50 ms before the JIT has compiled them).
 */
final class AddedTokenMatcher {
  private final long[] first = new long[1024]; // bitset over char values
  private final List<String> contents;
  private final int patterns;
  private volatile Trie trie; // null until the first longestAt

  /**
   * @param contents the patterns; index i is reported for contents.get(i). Empty ones are ignored.
   */
  AddedTokenMatcher(List<String> contents) {
    this.contents = List.copyOf(contents);
    int count = 0;
    for (String s : this.contents) {
      if (s.isEmpty()) continue;
      count++;
      char c0 = s.charAt(0);
      first[c0 >>> 6] |= 1L << c0;
    }
    patterns = count;
  }

  boolean isEmpty() {
    return patterns == 0;
  }

  /** Whether some pattern starts with {@code c}. */
  boolean canStart(char c) {
    return (first[c >>> 6] & (1L << c)) != 0;
  }

  /**
   * Longest pattern starting exactly at {@code pos} within {@code text[pos, end)}: returns {@code
   * (patternIndex << 32) | matchEnd}, or -1.
   */
  long longestAt(char[] text, int pos, int end) {
    Trie t = trie;
    if (t == null) {
      synchronized (this) {
        t = trie;
        if (t == null) {
          t = new Trie(contents);
          trie = t; // published complete: its fields are not written after the constructor
        }
      }
    }
    return t.longestAt(text, pos, end);
  }

  /** The patterns' trie; not modified once built, so threads share it. */
  private static final class Trie {
    // edges in an open-addressing table kept at most half full, grown as nodes are added: Gemma's
    // 6,414 added tokens (76k characters) share most prefixes and need only 13k edges
    private long[] edgeKeys; // (node << 16) | char, -1 empty
    private int[] edgeChild;
    private int edgeMask;
    private int edgeShift;
    private int[] terminal; // pattern index per node or -1
    private int nodes = 1;

    Trie(List<String> contents) {
      allocateEdges(64);
      terminal = new int[32];
      Arrays.fill(terminal, -1);
      for (int p = 0; p < contents.size(); p++) {
        String s = contents.get(p);
        if (s.isEmpty()) continue;
        int node = 0;
        for (int i = 0; i < s.length(); i++) {
          node = childOrAdd(node, s.charAt(i));
        }
        terminal[node] = p; // a later duplicate wins, as in Hugging Face's content→id map
      }
      terminal = Arrays.copyOf(terminal, nodes);
    }

    private void allocateEdges(int cap) {
      edgeKeys = new long[cap];
      Arrays.fill(edgeKeys, -1L);
      edgeChild = new int[cap];
      edgeMask = cap - 1;
      edgeShift = 64 - Integer.numberOfTrailingZeros(cap);
    }

    private void growEdges() {
      long[] keys = edgeKeys;
      int[] child = edgeChild;
      allocateEdges(keys.length * 2);
      for (int j = 0; j < keys.length; j++) {
        if (keys[j] == -1L) continue;
        int i = slot(keys[j]);
        while (edgeKeys[i] != -1L) i = (i + 1) & edgeMask;
        edgeKeys[i] = keys[j];
        edgeChild[i] = child[j];
      }
    }

    private int slot(long k) {
      return (int) ((k * 0x9E3779B97F4A7C15L) >>> edgeShift);
    }

    private int childOrAdd(int node, char c) {
      long k = ((long) node << 16) | c;
      int i = slot(k);
      while (true) {
        long s = edgeKeys[i];
        if (s == k) return edgeChild[i];
        if (s == -1L) {
          if (2 * nodes >= edgeKeys.length) {
            growEdges();
            return childOrAdd(node, c);
          }
          edgeKeys[i] = k;
          int n = nodes++;
          if (n >= terminal.length) {
            int old = terminal.length;
            terminal = Arrays.copyOf(terminal, old * 2);
            Arrays.fill(terminal, old, terminal.length, -1);
          }
          edgeChild[i] = n;
          return n;
        }
        i = (i + 1) & edgeMask;
      }
    }

    private int child(int node, char c) {
      long k = ((long) node << 16) | c;
      int i = slot(k);
      while (true) {
        long s = edgeKeys[i];
        if (s == k) return edgeChild[i];
        if (s == -1L) return -1;
        i = (i + 1) & edgeMask;
      }
    }

    long longestAt(char[] text, int pos, int end) {
      int node = 0;
      long best = -1;
      for (int i = pos; i < end; i++) {
        node = child(node, text[i]);
        if (node < 0) break;
        int t = terminal[node];
        if (t >= 0) best = ((long) t << 32) | (i + 1);
      }
      return best;
    }
  }
}
