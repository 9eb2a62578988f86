package dev.gemmaembed.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 18's question: does any integer multiply-add Java can run beat the float32 FMA rate, as
 * llama.cpp's int8 dot products (AVX-512 VNNI {@code vpdpbusd}: 64 multiply-adds per instruction)
 * beat it? Each benchmark multiplies and adds L1-resident operands; the {@code flops} result counts
 * 2 operations per multiply-add, so every line reads as GOP/s on one scale:
 *
 * <ul>
 *   <li>{@code floatTile}: our short-query kernel's shape (16 rows broadcast against one token
 *       vector, 16 FMA chains), the rate to beat;
 *   <li>{@code shortPairsIntoInts}: {@code out[i] = a[2i]·b[2i] + a[2i+1]·b[2i+1]} over {@code
 *       short} arrays, which C2's SuperWord turns into {@code vpmaddwd} ({@code vpdpwssd} with
 *       VNNI) — the only integer dot-product instruction Java reaches;
 *   <li>{@code shortPairsAddedIntoInts}: the same added into {@code out[i]} (an accumulator array,
 *       as a dot product over blocks needs);
 *   <li>{@code shortPairsReduced}: the same summed into one {@code int}, the natural dot product:
 *       C2 does not vectorize it;
 *   <li>{@code vectorApiBytes}: the Vector API, which has no dot-product operation: int8 blocks
 *       widened to shorts, multiplied, widened to ints and added.
 * </ul>
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar IntegerDotBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules",
      "jdk.incubator.vector",
      "-XX:+UseSerialGC",
      "-XX:-TieredCompilation",
      "-XX:+UseCountedLoopSafepoints",
      "-XX:LoopStripMiningIter=1000"
    })
@State(Scope.Thread)
public class IntegerDotBenchmark {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;

  /** Bytes, one per short lane: half the shorts' width. */
  private static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

  /** Values per integer operand: 8 KB of shorts, L1-resident with the ints they produce. */
  private static final int N = 4096;

  /** Columns of the float tile: 16 rows × 256 floats and 256 token vectors, L1-resident. */
  private static final int COLS = 256;

  private static final int ROW_STRIDE = COLS + 16;

  private final short[] a = new short[N];
  private final short[] b = new short[N];
  private final byte[] qa = new byte[N];
  private final byte[] qb = new byte[N];
  private final int[] out = new int[N / 2];
  private float[] w;
  private float[] xT;
  private final float[] tile = new float[16 * 16];

  @Setup
  public void setUp() {
    Random rng = new Random(18);
    for (int i = 0; i < N; i++) {
      // int8 activations (ggml's Q8_0) against 4-bit weights (Q4_0, −8..7)
      qa[i] = (byte) (rng.nextInt(255) - 127);
      qb[i] = (byte) (rng.nextInt(16) - 8);
      a[i] = qa[i];
      b[i] = qb[i];
    }
    w = new float[16 * ROW_STRIDE];
    xT = new float[COLS * F.length()];
    for (int i = 0; i < w.length; i++) {
      w[i] = rng.nextFloat();
    }
    for (int i = 0; i < xT.length; i++) {
      xT[i] = rng.nextFloat();
    }
  }

  @Benchmark
  public float floatTile(Flops counter) {
    int l = F.length();
    var c0 = FloatVector.zero(F);
    var c1 = c0;
    var c2 = c0;
    var c3 = c0;
    var c4 = c0;
    var c5 = c0;
    var c6 = c0;
    var c7 = c0;
    var c8 = c0;
    var c9 = c0;
    var c10 = c0;
    var c11 = c0;
    var c12 = c0;
    var c13 = c0;
    var c14 = c0;
    var c15 = c0;
    for (int k = 0; k < COLS; k++) {
      var x = FloatVector.fromArray(F, xT, k * l);
      c0 = FloatVector.broadcast(F, w[k]).fma(x, c0);
      c1 = FloatVector.broadcast(F, w[ROW_STRIDE + k]).fma(x, c1);
      c2 = FloatVector.broadcast(F, w[2 * ROW_STRIDE + k]).fma(x, c2);
      c3 = FloatVector.broadcast(F, w[3 * ROW_STRIDE + k]).fma(x, c3);
      c4 = FloatVector.broadcast(F, w[4 * ROW_STRIDE + k]).fma(x, c4);
      c5 = FloatVector.broadcast(F, w[5 * ROW_STRIDE + k]).fma(x, c5);
      c6 = FloatVector.broadcast(F, w[6 * ROW_STRIDE + k]).fma(x, c6);
      c7 = FloatVector.broadcast(F, w[7 * ROW_STRIDE + k]).fma(x, c7);
      c8 = FloatVector.broadcast(F, w[8 * ROW_STRIDE + k]).fma(x, c8);
      c9 = FloatVector.broadcast(F, w[9 * ROW_STRIDE + k]).fma(x, c9);
      c10 = FloatVector.broadcast(F, w[10 * ROW_STRIDE + k]).fma(x, c10);
      c11 = FloatVector.broadcast(F, w[11 * ROW_STRIDE + k]).fma(x, c11);
      c12 = FloatVector.broadcast(F, w[12 * ROW_STRIDE + k]).fma(x, c12);
      c13 = FloatVector.broadcast(F, w[13 * ROW_STRIDE + k]).fma(x, c13);
      c14 = FloatVector.broadcast(F, w[14 * ROW_STRIDE + k]).fma(x, c14);
      c15 = FloatVector.broadcast(F, w[15 * ROW_STRIDE + k]).fma(x, c15);
    }
    counter.flops += 2L * 16 * l * COLS;
    return c0.add(c1)
        .add(c2)
        .add(c3)
        .add(c4)
        .add(c5)
        .add(c6)
        .add(c7)
        .add(c8)
        .add(c9)
        .add(c10)
        .add(c11)
        .add(c12)
        .add(c13)
        .add(c14)
        .add(c15)
        .lane(0);
  }

  @Benchmark
  public int shortPairsIntoInts(Flops counter) {
    for (int i = 0; i < N / 2; i++) {
      out[i] = a[2 * i] * b[2 * i] + a[2 * i + 1] * b[2 * i + 1];
    }
    counter.flops += 2L * N;
    return out[7];
  }

  @Benchmark
  public int shortPairsAddedIntoInts(Flops counter) {
    for (int i = 0; i < N / 2; i++) {
      out[i] += a[2 * i] * b[2 * i] + a[2 * i + 1] * b[2 * i + 1];
    }
    counter.flops += 2L * N;
    return out[7];
  }

  @Benchmark
  public int shortPairsReduced(Flops counter) {
    int s = 0;
    for (int i = 0; i < N / 2; i++) {
      s += a[2 * i] * b[2 * i] + a[2 * i + 1] * b[2 * i + 1];
    }
    counter.flops += 2L * N;
    return s;
  }

  @Benchmark
  public int vectorApiBytes(Flops counter) {
    var acc = IntVector.zero(I);
    for (int i = 0; i < N; i += S.length()) {
      var p =
          (ShortVector)
              ByteVector.fromArray(B, qa, i)
                  .convertShape(VectorOperators.B2S, S, 0)
                  .lanewise(
                      VectorOperators.MUL,
                      ByteVector.fromArray(B, qb, i).convertShape(VectorOperators.B2S, S, 0));
      acc =
          acc.add(p.convertShape(VectorOperators.S2I, I, 0))
              .add(p.convertShape(VectorOperators.S2I, I, 1));
    }
    counter.flops += 2L * N;
    return acc.reduceLanes(VectorOperators.ADD);
  }
}
