package dev.gemmaembed.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A binary index of document vectors with rescoring: search by Hamming distance between sign bits
 * first, then rescore the best {@code multiplier × k} candidates with the float query.
 *
 * <p>Each vector is kept as its {@link Precision#UBINARY} bits (the signs, {@code x > 0}, 8 to a
 * byte: 32× smaller than float32) for the Hamming pass, plus a rescoring copy: {@link Rescore#INT8}
 * (the {@link Precision#INT8} levels of a {@link QuantizationRange}, 4× smaller) or {@link
 * Rescore#FLOAT32} (the vectors themselves). A query's candidates are the rows nearest its own sign
 * bits, ties broken by row; their rescored similarity is the float query's dot product with the
 * rescoring copy ({@link #similarity} for float32, the centre of each int8 level's bin for int8),
 * and the best {@code k} of them, ties again by row, are the result.
 *
 * <p>How this differs from sentence-transformers' {@code semantic_search_faiss} / {@code
 * semantic_search_usearch}: those rescore the candidates against what the index holds (a binary
 * index's bits unpacked to 0/1, an int8 index's raw levels) with a default {@code
 * rescore_multiplier} of 2. Here the candidates are rescored against int8 vectors kept beside the
 * bits (4× the bits' size, each level dequantized to its bin's centre), or the float vectors where
 * they are kept, with a default multiplier of 4: more accurate scores for 9× the memory of the bits
 * alone.
 *
 * <p>Immutable; searches may run concurrently.
 */
public final class BinaryIndex {

  /** What the candidates are rescored against. */
  public enum Rescore {
    INT8,
    FLOAT32
  }

  /** A search result: a row of the index (the order vectors were given in) and its similarity. */
  public record Hit(int row, float score) {}

  /** Best first; equal scores by row. */
  public static final Comparator<Hit> BEST_FIRST =
      Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingInt(Hit::row);

  private final int size;
  private final int width;
  private final int words;
  private final long[] bits;
  private final Rescore rescore;
  private final byte[] levels;
  private final float[] vectors;
  private final QuantizationRange range;

  private BinaryIndex(
      int size,
      int width,
      long[] bits,
      Rescore rescore,
      byte[] levels,
      float[] vectors,
      QuantizationRange range) {
    this.size = size;
    this.width = width;
    this.words = wordsFor(width);
    this.bits = bits;
    this.rescore = rescore;
    this.levels = levels;
    this.vectors = vectors;
    this.range = range;
  }

  /**
   * An index of {@code vectors}, all of one width (a multiple of 8).
   *
   * @param range the int8 levels' range for {@link Rescore#INT8}: calibration embeddings' range, or
   *     null to take it from {@code vectors} themselves (as sentence-transformers does without
   *     calibration); ignored for float32
   * @throws InvalidOptionException for a width that is not a multiple of 8, or a range of another
   *     width
   * @throws InvalidInputException for an int8 range taken from fewer than 2 vectors or from a
   *     dimension equal in all of them
   */
  public static BinaryIndex build(List<float[]> vectors, Rescore rescore, QuantizationRange range) {
    int size = vectors.size();
    int width = size == 0 ? 8 : vectors.getFirst().length;
    Precision.UBINARY.checkWidth(width);
    int words = wordsFor(width);
    long[] bits = new long[size * words];
    for (int r = 0; r < size; r++) {
      float[] v = vectors.get(r);
      if (v.length != width) {
        throw new InvalidInputException(
            "vector " + r + " has " + v.length + " dimensions, vector 0 has " + width);
      }
      pack(Precision.UBINARY.quantize(v, null), bits, r * words);
    }
    byte[] levels = null;
    float[] floats = null;
    if (rescore == Rescore.INT8) {
      if (range == null) {
        range = QuantizationRange.of(vectors, "the indexed vectors");
      }
      range.requireWidth(width);
      levels = new byte[size * width];
      for (int r = 0; r < size; r++) {
        System.arraycopy(
            Precision.INT8.quantize(vectors.get(r), range), 0, levels, r * width, width);
      }
    } else {
      range = null;
      floats = new float[size * width];
      for (int r = 0; r < size; r++) {
        System.arraycopy(vectors.get(r), 0, floats, r * width, width);
      }
    }
    return new BinaryIndex(size, width, bits, rescore, levels, floats, range);
  }

  private static int wordsFor(int width) {
    return (width + 63) / 64;
  }

  /** Packs ubinary bytes (most significant bit first) into longs, big-endian, zero-padded. */
  private static void pack(byte[] packed, long[] into, int at) {
    for (int i = 0; i < packed.length; i++) {
      into[at + i / 8] |= (packed[i] & 0xFFL) << (56 - 8 * (i % 8));
    }
  }

  /**
   * The similarity of exact float search: the dot product (the cosine of unit vectors), accumulated
   * in double.
   */
  public static float similarity(float[] query, float[] document) {
    return similarity(query, document, 0);
  }

  private static float similarity(float[] query, float[] documents, int at) {
    double dot = 0;
    for (int d = 0; d < query.length; d++) {
      dot += (double) query[d] * documents[at + d];
    }
    return (float) dot;
  }

  /**
   * The best {@code k} rows of the float search over all of {@code vectors}: by {@link
   * #similarity}, ties by row. What {@link #search} equals once {@code multiplier × k} reaches the
   * index's size with {@link Rescore#FLOAT32}.
   */
  public static List<Hit> exactSearch(List<float[]> vectors, float[] query, int k) {
    List<Hit> all = new ArrayList<>(vectors.size());
    for (int r = 0; r < vectors.size(); r++) {
      all.add(new Hit(r, similarity(query, vectors.get(r))));
    }
    all.sort(BEST_FIRST);
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /**
   * The {@code k} best rows for {@code query}: the {@code multiplier × k} rows nearest its sign
   * bits by Hamming distance, rescored, best first.
   *
   * @throws IllegalArgumentException for a query of another width, or k or multiplier below 1
   */
  public List<Hit> search(float[] query, int k, int multiplier) {
    if (k < 1 || multiplier < 1) {
      throw new IllegalArgumentException(
          "k and the multiplier must be at least 1, got " + k + " and " + multiplier);
    }
    List<Hit> hits = rescore(query, candidates(query, (int) Math.min(size, (long) k * multiplier)));
    return hits.subList(0, Math.min(k, hits.size()));
  }

  /**
   * The {@code count} rows whose bits are nearest {@code query}'s signs by Hamming distance,
   * nearest first, equal distances by row.
   */
  public int[] candidates(float[] query, int count) {
    long[] q = queryBits(query);
    count = Math.min(count, size);
    // Distances lie in 0..width: a counting sort by distance, stable in row, selects exactly.
    int[] distance = new int[size];
    int[] histogram = new int[width + 1];
    for (int r = 0; r < size; r++) {
      int d = 0;
      int at = r * words;
      for (int w = 0; w < words; w++) {
        d += Long.bitCount(bits[at + w] ^ q[w]);
      }
      distance[r] = d;
      histogram[d]++;
    }
    // each distance's bucket starts where the nearer ones end; buckets at or past count stay shut
    int[] cursor = new int[width + 1];
    for (int d = 0, placed = 0; d <= width; d++) {
      cursor[d] = placed;
      placed += histogram[d];
    }
    int[] out = new int[count];
    for (int r = 0; r < size; r++) {
      int d = distance[r];
      if (cursor[d] < count) {
        out[cursor[d]++] = r;
      }
    }
    return out;
  }

  /** {@code candidates} with their rescored similarity, best first, ties by row. */
  public List<Hit> rescore(float[] query, int[] candidates) {
    requireWidth(query);
    List<Hit> hits = new ArrayList<>(candidates.length);
    if (rescore == Rescore.FLOAT32) {
      for (int r : candidates) {
        hits.add(new Hit(r, similarity(query, vectors, r * width)));
      }
    } else {
      // q · dequantized(v) = Σ q_d min_d + Σ (q_d step_d) centre(v_d): one weight per dimension.
      double base = 0;
      float[] weight = new float[width];
      for (int d = 0; d < width; d++) {
        base += (double) query[d] * range.min(d);
        weight[d] = query[d] * range.step(d);
      }
      for (int r : candidates) {
        double dot = base;
        int at = r * width;
        for (int d = 0; d < width; d++) {
          dot += (double) weight[d] * CENTRE[levels[at + d] + 128];
        }
        hits.add(new Hit(r, (float) dot));
      }
    }
    hits.sort(BEST_FIRST);
    return hits;
  }

  /**
   * The centre of each int8 level's bin, in steps above the range's minimum. {@link Precision}
   * truncates {@code (x − min) / step − 128} toward zero, so level v < 0 holds {@code (v + 127, v +
   * 128]} steps, level 0 holds {@code (127, 129)} and level v > 0 holds {@code [v + 128, v + 129)};
   * but within the range (0 to 255 steps) the end levels hold one point each: −128 the minimum
   * itself, 127 the maximum (and the values clamped there).
   */
  private static final float[] CENTRE = new float[256];

  static {
    for (int v = -128; v <= 127; v++) {
      CENTRE[v + 128] =
          v == -128 ? 0f : v == 127 ? 255f : v < 0 ? v + 127.5f : v == 0 ? 128f : v + 128.5f;
    }
  }

  private long[] queryBits(float[] query) {
    requireWidth(query);
    long[] q = new long[words];
    pack(Precision.UBINARY.quantize(query, null), q, 0);
    return q;
  }

  private void requireWidth(float[] query) {
    if (query.length != width) {
      throw new IllegalArgumentException(
          "a query of " + query.length + " dimensions for an index of " + width);
    }
  }

  /** Row {@code row}'s bits as {@link Precision#UBINARY} bytes (what the Hamming pass compares). */
  public byte[] bits(int row) {
    byte[] out = new byte[width / 8];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (bits[row * words + i / 8] >>> (56 - 8 * (i % 8)));
    }
    return out;
  }

  /** Row {@code row}'s {@link Precision#INT8} levels; null when rescoring with float32. */
  public byte[] levels(int row) {
    return levels == null ? null : Arrays.copyOfRange(levels, row * width, (row + 1) * width);
  }

  public int size() {
    return size;
  }

  public int width() {
    return width;
  }

  public Rescore rescoring() {
    return rescore;
  }

  /** Bytes of the Hamming pass's bits: {@code width / 8} per vector. */
  public long indexBytes() {
    return (long) size * (width / 8);
  }

  /**
   * Bytes of the rescoring copy: {@code width} per vector for int8, {@code 4 × width} for float32.
   */
  public long rescoreBytes() {
    return (long) size * width * (rescore == Rescore.INT8 ? 1 : Float.BYTES);
  }
}
