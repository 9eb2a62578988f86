package dev.gemmaembed.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hamming candidates, rescoring, and what search promises as the multiplier grows. */
class BinaryIndexTest {

  /** Unit vectors, some sharing their sign pattern (equal Hamming distances to break by row). */
  private static List<float[]> vectors(int n, int width, long seed) {
    Random random = new Random(seed);
    List<float[]> out = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      float[] v = new float[width];
      if (r % 7 == 3) {
        // same signs as an earlier row, other magnitudes: equal distances to every query
        float[] earlier = out.get(r - 3);
        for (int d = 0; d < width; d++) {
          v[d] = Math.copySign(0.01f + random.nextFloat(), earlier[d]);
        }
      } else {
        for (int d = 0; d < width; d++) {
          v[d] = (float) random.nextGaussian();
        }
      }
      out.add(unit(v));
    }
    return out;
  }

  private static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float s = (float) (1 / Math.sqrt(norm));
    for (int d = 0; d < v.length; d++) {
      v[d] *= s;
    }
    return v;
  }

  /** The fixture's ubinary bits and int8 levels (numpy's bytes) are what the index stores. */
  @Test
  void storesTheFixtureBytesExactly() throws IOException {
    JsonNode root;
    try (InputStream in =
        new GZIPInputStream(
            BinaryIndexTest.class.getResourceAsStream("/precision/quantize.json.gz"))) {
      root = new ObjectMapper().readTree(in);
    }
    List<float[]> vectors = floats(root.get("vectors"));
    QuantizationRange range = QuantizationRange.of(floats(root.get("calibration")), "calibration");
    BinaryIndex index = BinaryIndex.build(vectors, BinaryIndex.Rescore.INT8, range);
    for (int r = 0; r < vectors.size(); r++) {
      byte[] bits = index.bits(r);
      byte[] levels = index.levels(r);
      for (int i = 0; i < bits.length; i++) {
        assertEquals(root.get("ubinary").get(r).get(i).intValue(), bits[i] & 0xFF, r + ":" + i);
      }
      for (int d = 0; d < levels.length; d++) {
        assertEquals(root.get("int8").get(r).get(d).intValue(), levels[d], r + ":" + d);
      }
    }
    assertEquals(vectors.size() * 4L, index.indexBytes());
    assertEquals(vectors.size() * 32L, index.rescoreBytes());
  }

  /** Widths around the 64-bit words: 8, 56, 64, 72, 768. */
  @ParameterizedTest
  @ValueSource(ints = {8, 56, 64, 72, 768})
  void candidatesEqualABruteForceRankingTiesByRow(int width) {
    List<float[]> docs = vectors(301, width, width);
    BinaryIndex index = BinaryIndex.build(docs, BinaryIndex.Rescore.FLOAT32, null);
    Random random = new Random(7);
    for (int q = 0; q < 20; q++) {
      float[] query = q < 3 ? docs.get(q * 10) : unit(gaussian(random, width));
      int[] distance = new int[docs.size()];
      for (int r = 0; r < docs.size(); r++) {
        for (int d = 0; d < width; d++) {
          distance[r] += (docs.get(r)[d] > 0) != (query[d] > 0) ? 1 : 0;
        }
      }
      int[] expected =
          IntStream.range(0, docs.size())
              .boxed()
              .sorted(Comparator.comparingInt((Integer r) -> distance[r]).thenComparing(r -> r))
              .mapToInt(Integer::intValue)
              .toArray();
      for (int count : new int[] {1, 10, 40, 300, 301, 500}) {
        int[] got = index.candidates(query, count);
        int[] want = java.util.Arrays.copyOf(expected, Math.min(count, docs.size()));
        assertArrayEquals(want, got, "width " + width + " query " + q + " count " + count);
      }
    }
  }

  @Test
  void zeroCountsAsNotPositiveInTheQueryToo() {
    List<float[]> docs =
        List.of(new float[] {0, 0, 0, 0, 0, 0, 0, 0}, unit(new float[] {1, 1, 1, 1, 1, 1, 1, 1}));
    BinaryIndex index = BinaryIndex.build(docs, BinaryIndex.Rescore.FLOAT32, null);
    assertArrayEquals(new int[] {0, 1}, index.candidates(new float[8], 2));
    assertArrayEquals(new int[] {1, 0}, index.candidates(docs.get(1), 2));
  }

  /** Once multiplier × k covers the index, every row is rescored: exact float search. */
  @Test
  void coveringTheIndexEqualsExactFloatSearch() {
    List<float[]> docs = vectors(200, 64, 3);
    BinaryIndex index = BinaryIndex.build(docs, BinaryIndex.Rescore.FLOAT32, null);
    Random random = new Random(11);
    for (int q = 0; q < 20; q++) {
      float[] query = unit(gaussian(random, 64));
      for (int k : new int[] {1, 10, 50}) {
        int multiplier = (docs.size() + k - 1) / k;
        assertEquals(
            BinaryIndex.exactSearch(docs, query, k), index.search(query, k, multiplier), "k " + k);
        assertEquals(
            BinaryIndex.exactSearch(docs, query, k), index.search(query, k, multiplier + 3));
      }
    }
    // more results asked for than the index holds: all of them
    assertEquals(
        BinaryIndex.exactSearch(docs, docs.get(0), 500), index.search(docs.get(0), 500, 1));
  }

  /**
   * Recall against the rescoring's own exhaustive ranking never falls as the multiplier rises (the
   * candidates only grow): for float32 that ranking is exact float search.
   */
  @ParameterizedTest
  @ValueSource(strings = {"FLOAT32", "INT8"})
  void recallNeverFallsAsTheMultiplierRises(BinaryIndex.Rescore rescore) {
    List<float[]> docs = vectors(500, 128, 5);
    BinaryIndex index = BinaryIndex.build(docs, rescore, null);
    Random random = new Random(13);
    int k = 10;
    for (int q = 0; q < 30; q++) {
      float[] query = unit(gaussian(random, 128));
      List<BinaryIndex.Hit> reference =
          rescore == BinaryIndex.Rescore.FLOAT32
              ? BinaryIndex.exactSearch(docs, query, k)
              : index.search(query, k, docs.size());
      Set<Integer> truth = rows(reference);
      int previous = -1;
      for (int m = 1; m <= 64; m++) {
        Set<Integer> found = rows(index.search(query, k, m));
        found.retainAll(truth);
        assertTrue(found.size() >= previous, "query " + q + " multiplier " + m);
        previous = found.size();
      }
      assertEquals(k, previous, "multiplier 64 covers all 500 rows");
    }
  }

  /** int8 rescoring dequantizes each level to its bin's centre: close to the float dot product. */
  @Test
  void int8RescoringApproximatesTheFloatScore() {
    List<float[]> docs = vectors(300, 256, 17);
    BinaryIndex int8 = BinaryIndex.build(docs, BinaryIndex.Rescore.INT8, null);
    float[] query = docs.get(5);
    int[] all = IntStream.range(0, docs.size()).toArray();
    for (BinaryIndex.Hit hit : int8.rescore(query, all)) {
      float exact = BinaryIndex.similarity(query, docs.get(hit.row()));
      assertEquals(exact, hit.score(), 0.01, "row " + hit.row());
    }
    assertEquals(5, int8.search(query, 1, 300).getFirst().row());
  }

  /**
   * int8 rescoring, worked out directly: the query's dot product with each level read back as its
   * bin's centre ({@code min + step × c}), the end levels as the range's ends; candidates covering
   * the index rank every row by it, ties by row.
   */
  @Test
  void int8RescoringIsTheDotProductWithEachLevelsCentre() {
    List<float[]> docs = vectors(120, 64, 19);
    QuantizationRange range = QuantizationRange.of(docs.subList(0, 60), "half the rows");
    BinaryIndex index = BinaryIndex.build(docs, BinaryIndex.Rescore.INT8, range);
    float[] query = unit(gaussian(new Random(23), 64));
    List<BinaryIndex.Hit> expected = new ArrayList<>();
    int ends = 0;
    for (int r = 0; r < docs.size(); r++) {
      byte[] levels = Precision.INT8.quantize(docs.get(r), range);
      double dot = 0;
      for (int d = 0; d < 64; d++) {
        int v = levels[d];
        // (x − min) / step − 128 truncated: v < 0 holds (v + 127, v + 128], 0 holds (127, 129),
        // v > 0 holds [v + 128, v + 129); −128 is the minimum (or below), 127 the maximum (or
        // above)
        double c = v == -128 ? 0 : v == 127 ? 255 : v < 0 ? v + 127.5 : v == 0 ? 128 : v + 128.5;
        ends += v == -128 || v == 127 ? 1 : 0;
        dot += query[d] * (range.min(d) + (double) range.step(d) * c);
      }
      expected.add(new BinaryIndex.Hit(r, (float) dot));
    }
    assertTrue(ends > 60, "the range's ends and values clamped to them are tested: " + ends);
    List<BinaryIndex.Hit> got = index.search(query, docs.size(), 1);
    expected.sort(BinaryIndex.BEST_FIRST);
    assertEquals(expected.size(), got.size());
    for (int i = 0; i < got.size(); i++) {
      assertEquals(expected.get(i).score(), got.get(i).score(), 1e-6, "rank " + i);
      assertEquals(expected.get(i).row(), got.get(i).row(), "rank " + i);
    }
  }

  @Test
  void refusesWhatItCannotIndex() {
    assertThrows(
        InvalidOptionException.class,
        () -> BinaryIndex.build(List.of(new float[12]), BinaryIndex.Rescore.FLOAT32, null));
    assertThrows(
        InvalidInputException.class,
        () ->
            BinaryIndex.build(
                List.of(new float[8], new float[16]), BinaryIndex.Rescore.FLOAT32, null));
    // an int8 range from one vector divides by zero
    assertThrows(
        InvalidInputException.class,
        () -> BinaryIndex.build(List.of(new float[8]), BinaryIndex.Rescore.INT8, null));
    BinaryIndex index = BinaryIndex.build(vectors(10, 8, 1), BinaryIndex.Rescore.FLOAT32, null);
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[16], 1, 1));
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[8], 0, 1));
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[8], 1, 0));
  }

  private static Set<Integer> rows(List<BinaryIndex.Hit> hits) {
    Set<Integer> out = new HashSet<>();
    hits.forEach(h -> out.add(h.row()));
    return out;
  }

  private static float[] gaussian(Random random, int width) {
    float[] v = new float[width];
    for (int d = 0; d < width; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
  }

  private static List<float[]> floats(JsonNode rows) {
    List<float[]> out = new ArrayList<>();
    for (JsonNode row : rows) {
      float[] v = new float[row.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) row.get(i).doubleValue();
      }
      out.add(v);
    }
    return out;
  }
}
