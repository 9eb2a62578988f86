package dev.gemmaembed.bench;

import dev.gemmaembed.core.BinaryIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The report of {@link BinaryIndex}: recall@10 of binary search with rescoring against exact float
 * top-10 for multipliers 1–16, index bytes and search time per query, on real embeddings (two
 * float32 {@code .npy} files from {@code gemma-embed embed}) and on 1,000,000 random unit vectors.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.gemmaembed.bench.RecallReport DOCS.npy QUERIES.npy [VECTORS]
 * </pre>
 *
 * {@code cli/scripts/recall-report.sh} makes the two files and runs it.
 */
public final class RecallReport {

  private static final int K = 10;
  private static final int[] MULTIPLIERS = {1, 2, 4, 8, 16};

  private RecallReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: RecallReport DOCS.npy QUERIES.npy [SYNTHETIC_VECTORS]");
      System.exit(2);
    }
    List<float[]> docs = readNpy(Path.of(args[0]));
    List<float[]> queries = readNpy(Path.of(args[1]));
    int synthetic = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
    System.out.printf(
        Locale.ROOT,
        "documents %d, queries %d, width %d%n",
        docs.size(),
        queries.size(),
        docs.getFirst().length);
    recall(docs, queries);
    timing("corpus", docs, queries);
    List<float[]> random = randomUnitVectors(synthetic, docs.getFirst().length, 42);
    timing("random", random, randomUnitVectors(20, docs.getFirst().length, 7));
  }

  /** recall@10 against the exact float top-10, mean over queries, per rescoring and multiplier. */
  private static void recall(List<float[]> docs, List<float[]> queries) {
    List<Set<Integer>> truth = new ArrayList<>();
    for (float[] q : queries) {
      truth.add(rows(BinaryIndex.exactSearch(docs, q, K)));
    }
    System.out.println("recall@10 vs exact float top-10 (mean over queries; min in brackets)");
    System.out.print("rescore   ");
    for (int m : MULTIPLIERS) {
      System.out.printf(Locale.ROOT, "   M=%-2d        ", m);
    }
    System.out.println();
    for (BinaryIndex.Rescore rescore : BinaryIndex.Rescore.values()) {
      BinaryIndex index = BinaryIndex.build(docs, rescore, null);
      System.out.printf(Locale.ROOT, "%-9s ", rescore.name().toLowerCase(Locale.ROOT));
      for (int m : MULTIPLIERS) {
        double sum = 0;
        int min = K;
        for (int i = 0; i < queries.size(); i++) {
          Set<Integer> found = rows(index.search(queries.get(i), K, m));
          found.retainAll(truth.get(i));
          sum += found.size();
          min = Math.min(min, found.size());
        }
        System.out.printf(
            Locale.ROOT, "  %.3f (%.1f)  ", sum / queries.size() / K, min / (double) K);
      }
      System.out.println();
    }
    // the Hamming pass alone: how many of the true top-10 are among the M x 10 candidates
    BinaryIndex index = BinaryIndex.build(docs, BinaryIndex.Rescore.FLOAT32, null);
    System.out.print("candidates");
    for (int m : MULTIPLIERS) {
      double sum = 0;
      for (int i = 0; i < queries.size(); i++) {
        Set<Integer> found = new HashSet<>();
        for (int r : index.candidates(queries.get(i), K * m)) {
          found.add(r);
        }
        found.retainAll(truth.get(i));
        sum += found.size();
      }
      System.out.printf(Locale.ROOT, "  %.3f        ", sum / queries.size() / K);
    }
    System.out.println("  (true top-10 among the M x 10 Hamming candidates)");
  }

  /**
   * Bytes and time per query of exact float search (a flat scan) and of binary search with int8
   * rescoring at M = 4.
   */
  private static void timing(String name, List<float[]> docs, List<float[]> queries) {
    int n = docs.size();
    int width = docs.getFirst().length;
    long start = System.nanoTime();
    BinaryIndex index = BinaryIndex.build(docs, BinaryIndex.Rescore.INT8, null);
    double buildSeconds = (System.nanoTime() - start) / 1e9;
    float[] flat = new float[Math.multiplyExact(n, width)];
    for (int r = 0; r < n; r++) {
      System.arraycopy(docs.get(r), 0, flat, r * width, width);
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %,d vectors x %d: float32 %,d bytes; binary index %,d bytes + int8 rescoring copy %,d"
            + " bytes (built in %.1f s)%n",
        name,
        n,
        width,
        (long) n * width * Float.BYTES,
        index.indexBytes(),
        index.rescoreBytes(),
        buildSeconds);
    int rounds = 3;
    double[] exact = new double[rounds];
    double[] binary = new double[rounds];
    long sink = 0;
    // alternating rounds; the first warms the JIT up and is dropped from the median
    for (int round = 0; round <= rounds; round++) {
      long t0 = System.nanoTime();
      for (float[] q : queries) {
        sink += exactTop(flat, width, q, K)[0];
      }
      long t1 = System.nanoTime();
      for (float[] q : queries) {
        sink += index.search(q, K, 4).getFirst().row();
      }
      long t2 = System.nanoTime();
      if (round > 0) {
        exact[round - 1] = (t1 - t0) / 1e6 / queries.size();
        binary[round - 1] = (t2 - t1) / 1e6 / queries.size();
      }
    }
    Arrays.sort(exact);
    Arrays.sort(binary);
    System.out.printf(
        Locale.ROOT,
        "%s: ms per query (median of %d rounds of %d queries, one thread): exact float %.3f,"
            + " binary + int8 rescoring M=4 %.3f (%s)%n",
        name,
        rounds,
        queries.size(),
        exact[rounds / 2],
        binary[rounds / 2],
        sink == 42 ? "!" : "ok");
  }

  /**
   * The rows of the k best dot products over a flat row-major matrix: a scan with the Vector API's
   * fused multiply-adds (width a multiple of the vector length), the baseline binary search must
   * beat.
   */
  private static int[] exactTop(float[] flat, int width, float[] q, int k) {
    int n = flat.length / width;
    int[] best = new int[k];
    float[] score = new float[k];
    Arrays.fill(score, Float.NEGATIVE_INFINITY);
    VectorSpecies<Float> species = FloatVector.SPECIES_PREFERRED;
    for (int r = 0; r < n; r++) {
      int at = r * width;
      FloatVector acc = FloatVector.zero(species);
      for (int d = 0; d < width; d += species.length()) {
        acc =
            FloatVector.fromArray(species, q, d)
                .fma(FloatVector.fromArray(species, flat, at + d), acc);
      }
      float dot = acc.reduceLanes(VectorOperators.ADD);
      if (dot > score[k - 1]) {
        int i = k - 1;
        while (i > 0 && score[i - 1] < dot) {
          score[i] = score[i - 1];
          best[i] = best[i - 1];
          i--;
        }
        score[i] = dot;
        best[i] = r;
      }
    }
    return best;
  }

  /** n pseudo-random unit vectors, each made from its index when asked for (none held). */
  private static List<float[]> randomUnitVectors(int n, int width, long seed) {
    return new AbstractList<>() {
      @Override
      public float[] get(int i) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
        float[] v = new float[width];
        double norm = 0;
        for (int d = 0; d < width; d++) {
          v[d] = (float) (random.nextDouble() * 2 - 1);
          norm += (double) v[d] * v[d];
        }
        float s = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < width; d++) {
          v[d] *= s;
        }
        return v;
      }

      @Override
      public int size() {
        return n;
      }
    };
  }

  private static Set<Integer> rows(List<BinaryIndex.Hit> hits) {
    Set<Integer> out = new HashSet<>();
    hits.forEach(h -> out.add(h.row()));
    return out;
  }

  /** A 2-D little-endian float32 {@code .npy} file, row by row. */
  static List<float[]> readNpy(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.get(6) != 1) {
      throw new IOException(file + ": npy format version " + b.get(6) + "; version 1 expected");
    }
    int headerLength = b.getShort(8) & 0xFFFF;
    String header =
        new String(b.array(), 10, headerLength, StandardCharsets.ISO_8859_1).replace(" ", "");
    Matcher shape = Pattern.compile("'shape':\\((\\d+),(\\d+)\\)").matcher(header);
    if (!header.contains("'descr':'<f4'")
        || header.contains("'fortran_order':True")
        || !shape.find()) {
      throw new IOException(file + ": not a 2-D little-endian float32 array in C order: " + header);
    }
    int rows = Integer.parseInt(shape.group(1));
    int cols = Integer.parseInt(shape.group(2));
    b.position(10 + headerLength);
    List<float[]> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      float[] v = new float[cols];
      b.asFloatBuffer().get(v);
      b.position(b.position() + cols * Float.BYTES);
      out.add(v);
    }
    return out;
  }
}
