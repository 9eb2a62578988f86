package dev.gemmaembed.bench;

import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * The batched product X[tokens × in] · Wᵀ[out × in] at EmbeddingGemma's shapes on packed weights
 * ({@code weights}: float32, or bfloat16 widened in registers, the same values rounded to bf16),
 * through {@link Matmul} on a {@link ComputePool} of {@code threads}. The {@code flops} result is
 * GFLOP/s (2 · tokens · in · out per call); divide by {@link FmaPeakBenchmark}'s figure for the
 * same thread count for the fraction of peak.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar MatmulBenchmark -p threads=2
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class MatmulBenchmark {

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /**
   * in x out: q/o (768→768), k/v (768→256), gate/up (768→1152), down (1152→768), Dense (768↔3072).
   */
  @Param({"768x768", "768x256", "768x1152", "1152x768", "768x3072", "3072x768"})
  public String shape;

  @Param({"64", "512"})
  public int tokens;

  @Param({"1", "2"})
  public int threads;

  /** The stored type of the weights: {@code f32} or {@code bf16}. */
  @Param({"f32", "bf16"})
  public String weights;

  private Arena arena;
  private ComputePool pool;
  private WeightMatrix w;
  private float[] x;
  private float[] out;
  private long flopsPerCall;

  @Setup(Level.Trial)
  public void setUp() {
    String[] io = shape.split("x");
    int in = Integer.parseInt(io[0]);
    int outDim = Integer.parseInt(io[1]);
    Random rng = new Random(1);
    float[] values = new float[outDim * in];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rng.nextGaussian() * 0.05f;
    }
    x = new float[tokens * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    out = new float[tokens * outDim];
    arena = Arena.ofShared();
    w =
        switch (weights) {
          case "f32" -> F32Matrix.of(values, outDim, in);
          case "bf16" -> bf16(values, outDim, in);
          default -> throw new IllegalArgumentException("weights must be f32 or bf16: " + weights);
        };
    w.pack(arena);
    pool = new ComputePool(threads);
    flopsPerCall = 2L * tokens * in * outDim;
  }

  /** {@code values} truncated to bf16 (the top 16 bits), little-endian, as a BF16 matrix. */
  private static WeightMatrix bf16(float[] values, int rows, int cols) {
    MemorySegment data = Arena.ofAuto().allocate(2L * values.length);
    for (int i = 0; i < values.length; i++) {
      data.set(LE_SHORT, 2L * i, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
    }
    return WeightType.BF16.matrix(data, rows, cols);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
    arena.close();
  }

  @Benchmark
  public float[] matmul(Flops counter) {
    Matmul.multiply(pool, w, x, tokens, out);
    counter.flops += flopsPerCall;
    return out;
  }
}
