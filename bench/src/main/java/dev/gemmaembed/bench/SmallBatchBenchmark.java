package dev.gemmaembed.bench;

import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.lang.foreign.Arena;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A short query's products (issue 18): one thread, one 768 → 1152 projection (gate/up) of random
 * weights in each type of the pure Q4_0 / Q8_0 files and of the Q4_K_M mix (Q4_K, Q6_K, Q5_0,
 * Q8_0), and the packed float32 path for scale.
 *
 * <ul>
 *   <li>{@code multiply}: the whole product of {@code tokens} tokens, GFLOP/s ({@code flops});
 *   <li>{@code decode}: only the weight decode a product does (every row into float32 once), in
 *       microseconds — its share of {@code multiply} is what a small batch pays for keeping the
 *       weights quantized.
 * </ul>
 *
 * <p>The fork runs the CLI launcher's collector, compiler mode and loop strip mining
 * (scripts/jvm-options: SerialGC, C2 only, counted-loop safepoints every 1000 iterations): C2
 * compiles a tile's loop differently without strip mining (G1's default, off under SerialGC unless
 * asked for), and a 6 × 2 tile that kept its 12 accumulators in registers under G1 spilled 5 of
 * them to the stack under plain SerialGC, faster here and 50 % slower in {@code gemma-embed bench}
 * (bench/README, "Short queries, fourth round", and "AVX2 tiles and loop strip mining").
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar SmallBatchBenchmark
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
      "--enable-native-access=ALL-UNNAMED",
      "-XX:+UseSerialGC",
      "-XX:-TieredCompilation",
      "-XX:+UseCountedLoopSafepoints",
      "-XX:LoopStripMiningIter=1000"
    })
@State(Scope.Benchmark)
public class SmallBatchBenchmark {

  static final int IN = 768;
  static final int OUT = 1152;

  @Param({"Q4_0", "Q8_0", "Q4_K", "Q6_K", "Q5_0", "F32"})
  public String type;

  @Param({"16"})
  public int tokens;

  private Arena arena;
  private WeightMatrix w;
  private float[] x;
  private float[] out;
  private final float[] row = new float[IN];

  @Setup(Level.Trial)
  public void setUp() {
    Random rng = new Random(1);
    float[] f = new float[OUT * IN];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) rng.nextGaussian() * 0.05f;
    }
    x = new float[tokens * IN];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    out = new float[tokens * OUT];
    arena = Arena.ofShared();
    w = F32Matrix.of(f, OUT, IN);
    if (type.equals("F32")) {
      w.pack(arena);
    } else {
      w = WeightType.valueOf(type).quantize(w, arena);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  @Benchmark
  public float[] multiply(Flops counter) {
    w.multiply(x, tokens, out, OUT, 0, 0, OUT);
    counter.flops += 2L * tokens * IN * OUT;
    return out;
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public float[] decode() {
    for (int r = 0; r < OUT; r++) {
      w.readRow(r, row, 0);
    }
    return row;
  }
}
