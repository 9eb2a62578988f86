import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multiply-adds per second of the integer forms Java can produce against float32 FMA, on this CPU:
 * the question behind issue 18's int8-activation route (llama.cpp's AVX2 path multiplies int8 pairs
 * with vpmaddubsw, which neither the Vector API nor C2's auto-vectorizer emits).
 *
 * <ul>
 *   <li>{@code fma}: FloatVector FMA, 8 accumulators (one 256-bit weight vector times 8 broadcast
 *       token values, as a product tile runs), no loads but the weights;
 *   <li>{@code short mul+add}: the same tile over ShortVector lanes (vpmullw + vpaddw: 16 lanes,
 *       exact only while a lane's sum fits 16 bits, e.g. int4 × int8 over one 32-wide block);
 *   <li>{@code maddwd}: C2's auto-vectorized {@code out[i] += a[2i]*b[2i] + a[2i+1]*b[2i+1]} over
 *       short arrays (vpmaddwd; the only widening integer multiply-add C2 emits on AVX2);
 * </ul>
 *
 * The machine's FMA peak, for scale, is JMH's {@code FmaPeakBenchmark}. Each runs on THREADS
 * threads at once; ROUNDS rounds, the last one printed (the earlier ones are the JIT's warm-up).
 * Usage:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector bench/scripts/IntMacVsFma.java 2 5
 * </pre>
 */
public class IntMacVsFma {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
  static final int N = 2048; // weights per sweep: L1-resident
  static final int REPS = 100_000;
  static final float[] TOKENS_F = {3, -5, 7, 11, -13, 17, 19, -23};
  static final short[] TOKENS_S = {3, -5, 7, 11, -13, 17, 19, -23};

  public static void main(String[] a) throws InterruptedException {
    int threads = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    short[] w = new short[N];
    float[] fw = new float[N];
    short[] pairsA = new short[2 * N];
    short[] pairsB = new short[2 * N];
    for (int i = 0; i < N; i++) {
      w[i] = (short) (i % 15 - 7);
      fw[i] = w[i];
    }
    for (int i = 0; i < 2 * N; i++) {
      pairsA[i] = (short) (i % 17 - 8);
      pairsB[i] = (short) (i % 251 - 125);
    }
    for (int r = 1; r <= rounds; r++) {
      double fma = rate(threads, () -> floatTile(fw, TOKENS_F, REPS)) * N * 8 * REPS;
      double shorts = rate(threads, () -> shortTile(w, TOKENS_S, REPS)) * N * 8 * REPS;
      double maddwd = rate(threads, () -> maddwd(pairsA, pairsB, REPS)) * 2 * N * REPS;
      if (r == rounds) {
        System.out.printf(
            "threads %d: fma %.1f GMAC/s, short mul+add %.1f GMAC/s, maddwd %.1f GMAC/s%n",
            threads, fma / 1e9, shorts / 1e9, maddwd / 1e9);
      }
    }
  }

  /** Calls per second of {@code job} summed over {@code threads} threads running it once each. */
  static double rate(int threads, LongSupplier job) throws InterruptedException {
    List<Thread> ts = new ArrayList<>();
    long[] sink = new long[threads];
    long t0 = System.nanoTime();
    for (int k = 0; k < threads; k++) {
      int id = k;
      ts.add(Thread.ofPlatform().start(() -> sink[id] = job.getAsLong()));
    }
    for (Thread t : ts) {
      t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (sink[0] == 42) {
      System.out.print(""); // keeps the results alive
    }
    return threads / seconds;
  }

  static long floatTile(float[] w, float[] t, int reps) {
    var z = FloatVector.zero(F);
    FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    var b0 = FloatVector.broadcast(F, t[0]);
    var b1 = FloatVector.broadcast(F, t[1]);
    var b2 = FloatVector.broadcast(F, t[2]);
    var b3 = FloatVector.broadcast(F, t[3]);
    var b4 = FloatVector.broadcast(F, t[4]);
    var b5 = FloatVector.broadcast(F, t[5]);
    var b6 = FloatVector.broadcast(F, t[6]);
    var b7 = FloatVector.broadcast(F, t[7]);
    for (int r = 0; r < reps; r++) {
      for (int i = 0; i < w.length; i += 8) {
        var v = FloatVector.fromArray(F, w, i);
        a0 = v.fma(b0, a0);
        a1 = v.fma(b1, a1);
        a2 = v.fma(b2, a2);
        a3 = v.fma(b3, a3);
        a4 = v.fma(b4, a4);
        a5 = v.fma(b5, a5);
        a6 = v.fma(b6, a6);
        a7 = v.fma(b7, a7);
      }
    }
    var sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7);
    return (long) sum.reduceLanes(VectorOperators.ADD);
  }

  static long shortTile(short[] w, short[] t, int reps) {
    var z = ShortVector.zero(S);
    ShortVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
    // token values from memory, as a tile's are: constants would let C2 turn 1, 2, 4, 8 into shifts
    var b0 = ShortVector.broadcast(S, t[0]);
    var b1 = ShortVector.broadcast(S, t[1]);
    var b2 = ShortVector.broadcast(S, t[2]);
    var b3 = ShortVector.broadcast(S, t[3]);
    var b4 = ShortVector.broadcast(S, t[4]);
    var b5 = ShortVector.broadcast(S, t[5]);
    var b6 = ShortVector.broadcast(S, t[6]);
    var b7 = ShortVector.broadcast(S, t[7]);
    for (int r = 0; r < reps; r++) {
      for (int i = 0; i < w.length; i += 16) {
        var v = ShortVector.fromArray(S, w, i);
        a0 = v.mul(b0).add(a0);
        a1 = v.mul(b1).add(a1);
        a2 = v.mul(b2).add(a2);
        a3 = v.mul(b3).add(a3);
        a4 = v.mul(b4).add(a4);
        a5 = v.mul(b5).add(a5);
        a6 = v.mul(b6).add(a6);
        a7 = v.mul(b7).add(a7);
      }
    }
    var sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7);
    return sum.reduceLanes(VectorOperators.ADD);
  }

  static long maddwd(short[] a, short[] b, int reps) {
    int[] out = new int[a.length / 2];
    for (int r = 0; r < reps; r++) {
      for (int i = 0; i < out.length; i++) {
        out[i] += a[2 * i] * b[2 * i] + a[2 * i + 1] * b[2 * i + 1];
      }
    }
    return out[5];
  }
}
