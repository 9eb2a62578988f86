package dev.gemmaembed.bench;

import dev.gemmaembed.kernels.BatchAttention;
import dev.gemmaembed.kernels.ComputePool;
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
 * One layer's attention over a packed batch with EmbeddingGemma's heads (3 query heads sharing one
 * kv head of width 256): {@code radius} 256 is a sliding layer, -1 a full one. The {@code flops}
 * result is GFLOP/s of the useful work (q·k and p·v over each query's window).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class AttentionBenchmark {

  private static final int HEADS = 3;
  private static final int HEAD = 256;

  /** sequences x tokens. */
  @Param({"8x512", "64x32", "1x2048"})
  public String batch;

  @Param({"256", "-1"})
  public int radius;

  @Param({"2"})
  public int threads;

  private ComputePool pool;
  private BatchAttention attention;
  private float[] q;
  private float[] k;
  private float[] v;
  private float[] out;
  private int[] start;
  private int[] length;
  private long flopsPerCall;

  @Setup(Level.Trial)
  public void setUp() {
    String[] sl = batch.split("x");
    int seqs = Integer.parseInt(sl[0]);
    int len = Integer.parseInt(sl[1]);
    int n = seqs * len;
    Random rng = new Random(9);
    q = gaussian(rng, n * HEADS * HEAD);
    k = gaussian(rng, n * HEAD);
    v = gaussian(rng, n * HEAD);
    out = new float[q.length];
    start = new int[seqs];
    length = new int[seqs];
    for (int s = 0; s < seqs; s++) {
      start[s] = s * len;
      length[s] = len;
      for (int i = 0; i < len; i++) {
        int band = radius < 0 ? len : Math.min(len - 1, i + radius) - Math.max(0, i - radius) + 1;
        flopsPerCall += 4L * HEADS * HEAD * band;
      }
    }
    pool = new ComputePool(threads);
    attention = new BatchAttention(HEADS, 1, HEAD);
  }

  private static float[] gaussian(Random rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian();
    }
    return a;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public float[] attend(Flops counter) {
    attention.run(pool, q, k, v, start, length, start.length, radius, 0.0625f, out);
    counter.flops += flopsPerCall;
    return out;
  }
}
