package dev.gemmaembed.server;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code serve --cache-mb N}: full float vectors of recently embedded sequences, keyed by the token
 * ids the encoder ran. Those ids already fold in the prompt, the truncation and the text (and the
 * server serves one model), so equal ids mean an equal forward pass; the Matryoshka cut and the
 * precision are applied to a hit as to a computed vector. A hit returns the very floats computed
 * before, and the forward pass is bitwise the same across batches, so it equals a recomputation.
 *
 * <p>Bounded in bytes (vector, ids and an estimate of the map's overhead per entry); the least
 * recently used entries are evicted first. One lock guards the map: lookups are a hash and an array
 * comparison, far below a forward pass.
 */
final class EmbeddingCache {

  /** Map entry, key object and array headers: a rough per-entry cost beside the two arrays. */
  private static final long ENTRY_OVERHEAD = 96;

  private record Key(int[] ids, int hash) {
    Key(int[] ids) {
      this(ids, Arrays.hashCode(ids));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.ids, ids);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final long maxBytes;
  private final LinkedHashMap<Key, float[]> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  EmbeddingCache(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  private static long cost(int[] ids, float[] vector) {
    return ENTRY_OVERHEAD + (long) ids.length * Integer.BYTES + (long) vector.length * Float.BYTES;
  }

  /** The vector of {@code ids}, or null; a hit becomes the most recently used entry. */
  synchronized float[] get(int[] ids) {
    return entries.get(new Key(ids));
  }

  /**
   * Keeps {@code vector} for {@code ids} (the caller never changes either), evicting the least
   * recently used.
   */
  synchronized void put(int[] ids, float[] vector) {
    long cost = cost(ids, vector);
    if (cost > maxBytes) {
      return;
    }
    float[] old = entries.put(new Key(ids), vector);
    bytes += cost - (old == null ? 0 : cost(ids, old));
    Iterator<Map.Entry<Key, float[]>> eldest = entries.entrySet().iterator();
    while (bytes > maxBytes) {
      Map.Entry<Key, float[]> e = eldest.next();
      bytes -= cost(e.getKey().ids(), e.getValue());
      eldest.remove();
    }
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return entries.size();
  }
}
