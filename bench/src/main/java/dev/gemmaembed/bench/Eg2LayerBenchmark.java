package dev.gemmaembed.bench;

import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.SimdKernels;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.Arrays;
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
 * The steps of an EmbeddingGemma 2 layer that EmbeddingGemma has no counterpart of, at the full
 * model's widths (hidden H = 512, PLE width P = 512, 4 query heads of d = 256 with 2 kv heads on
 * sliding layers, d = 512 with 1 kv head on global ones), µs per call of 64 tokens, one thread, as
 * {@code Eg2Encoder} runs them:
 *
 * <ul>
 *   <li>{@code pleBlock}: the per-layer-embedding block, products included: {@code Q = rms(x₀ ·
 *       Wpleᵀ / √H; ple_norm)}, {@code g = gelu(x · Wgateᵀ) ⊙ Q}, {@code x += rms(g · Wprojᵀ;
 *       post)}, {@code x *= layer_scalar} (three 512 × 512 products, 50 MFLOP);
 *   <li>{@code pleElementwise}: the same block without its products (the per-token work it adds);
 *   <li>{@code headNorms}: q and k RMSNorm per head with their weights, v per head without;
 *   <li>{@code rope}: rotate-half RoPE on q and k, with the tables of default RoPE or of
 *       "proportional" RoPE with {@code partial_rotary_factor} 0.25 (the unrotated pairs have cos
 *       1, sin 0: the same kernel, so the same cost).
 * </ul>
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar Eg2LayerBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class Eg2LayerBenchmark {

  private static final int TOKENS = 64;
  private static final int HIDDEN = 512;
  private static final int PLE = 512;
  private static final int HEADS = 4;
  private static final float EPS = 1e-6f;

  /** Head width: 256 (sliding layers, 2 kv heads) or 512 (global layers, 1 kv head). */
  @Param({"256", "512"})
  public int headDim;

  /** RoPE tables: {@code default} or {@code proportional} (factor 0.25). */
  @Param({"default", "proportional"})
  public String rope;

  private Arena arena;
  private ComputePool pool;
  private WeightMatrix ple;
  private WeightMatrix gate;
  private WeightMatrix proj;
  private float[] x0;
  private float[] x;
  private float[] xWork;
  private float[] q;
  private float[] qWork;
  private float[] pleGate;
  private float[] h;
  private float[] pleNorm;
  private float[] postNorm;
  private float[] qk;
  private float[] qkWork;
  private float[] v;
  private float[] vWork;
  private float[] qNorm;
  private float[] kNorm;
  private float[] ones;
  private float[] cos;
  private float[] sin;
  private int kvHeads;

  @Setup(Level.Trial)
  public void setUp() {
    Random rng = new Random(16);
    arena = Arena.ofShared();
    pool = new ComputePool(1);
    ple = packed(rng, PLE, HIDDEN);
    gate = packed(rng, PLE, HIDDEN);
    proj = packed(rng, HIDDEN, PLE);
    x0 = gaussian(rng, TOKENS * HIDDEN, 1);
    x = gaussian(rng, TOKENS * HIDDEN, 1);
    xWork = new float[x.length];
    q = new float[TOKENS * PLE];
    qWork = gaussian(rng, TOKENS * PLE, 1);
    pleGate = gaussian(rng, TOKENS * PLE, 1);
    h = new float[TOKENS * HIDDEN];
    pleNorm = gaussian(rng, PLE, 0.1f);
    postNorm = gaussian(rng, HIDDEN, 0.1f);
    kvHeads = headDim == 256 ? 2 : 1;
    // q then k of every token, as the two buffers the encoder norms and rotates
    qk = gaussian(rng, TOKENS * (HEADS + kvHeads) * headDim, 1);
    qkWork = new float[qk.length];
    v = gaussian(rng, TOKENS * kvHeads * headDim, 1);
    vWork = new float[v.length];
    qNorm = gaussian(rng, headDim, 0.1f);
    kNorm = gaussian(rng, headDim, 0.1f);
    ones = new float[headDim];
    Arrays.fill(ones, 1f);
    int half = headDim / 2;
    int rotated = rope.equals("proportional") ? (int) (0.25 * headDim / 2) : half;
    cos = new float[TOKENS * half];
    sin = new float[TOKENS * half];
    for (int p = 0; p < TOKENS; p++) {
      for (int j = 0; j < half; j++) {
        double angle = j < rotated ? p * Math.pow(1e4, -2.0 * j / headDim) : 0;
        cos[p * half + j] = (float) Math.cos(angle);
        sin[p * half + j] = (float) Math.sin(angle);
      }
    }
  }

  private WeightMatrix packed(Random rng, int rows, int cols) {
    WeightMatrix m = F32Matrix.of(gaussian(rng, rows * cols, 0.05f), rows, cols);
    m.pack(arena);
    return m;
  }

  private static float[] gaussian(Random rng, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian() * scale;
    }
    return a;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
    arena.close();
  }

  @Benchmark
  public float[] pleBlock() {
    System.arraycopy(x, 0, xWork, 0, x.length);
    Matmul.multiply(pool, ple, x0, TOKENS, q);
    pleInputNorm(q);
    Matmul.multiply(pool, gate, xWork, TOKENS, pleGate);
    gatePle(pleGate, q);
    Matmul.multiply(pool, proj, pleGate, TOKENS, h);
    residual();
    return xWork;
  }

  @Benchmark
  public float[] pleElementwise() {
    System.arraycopy(x, 0, xWork, 0, x.length);
    System.arraycopy(qWork, 0, q, 0, q.length);
    pleInputNorm(q);
    gatePle(pleGate, q);
    residual();
    return xWork;
  }

  private void pleInputNorm(float[] in) {
    for (int t = 0; t < TOKENS; t++) {
      SimdKernels.scale(in, t * PLE, PLE, 0.044194173f);
      SimdKernels.rmsNorm(in, t * PLE, PLE, pleNorm, EPS, in, t * PLE);
    }
  }

  private static void gatePle(float[] g, float[] in) {
    for (int t = 0; t < TOKENS; t++) {
      SimdKernels.geluTanhMul(g, t * PLE, in, t * PLE, PLE);
    }
  }

  private void residual() {
    for (int t = 0; t < TOKENS; t++) {
      int off = t * HIDDEN;
      SimdKernels.rmsNorm(h, off, HIDDEN, postNorm, EPS, h, off);
      SimdKernels.add(xWork, off, h, off, HIDDEN);
      SimdKernels.scale(xWork, off, HIDDEN, 0.75f);
    }
  }

  @Benchmark
  public float[] headNorms() {
    System.arraycopy(qk, 0, qkWork, 0, qk.length);
    System.arraycopy(v, 0, vWork, 0, v.length);
    int perToken = (HEADS + kvHeads) * headDim;
    for (int t = 0; t < TOKENS; t++) {
      for (int hd = 0; hd < HEADS + kvHeads; hd++) {
        int off = t * perToken + hd * headDim;
        SimdKernels.rmsNorm(qkWork, off, headDim, hd < HEADS ? qNorm : kNorm, EPS, qkWork, off);
      }
      for (int hd = 0; hd < kvHeads; hd++) {
        int off = (t * kvHeads + hd) * headDim;
        SimdKernels.rmsNorm(vWork, off, headDim, ones, EPS, vWork, off);
      }
    }
    return qkWork;
  }

  @Benchmark
  public float[] rope() {
    System.arraycopy(qk, 0, qkWork, 0, qk.length);
    int perToken = (HEADS + kvHeads) * headDim;
    int half = headDim / 2;
    for (int t = 0; t < TOKENS; t++) {
      for (int hd = 0; hd < HEADS + kvHeads; hd++) {
        SimdKernels.ropeRotateHalf(
            qkWork, t * perToken + hd * headDim, headDim, cos, sin, t * half);
      }
    }
    return qkWork;
  }
}
