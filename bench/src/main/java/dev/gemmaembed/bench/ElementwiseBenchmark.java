package dev.gemmaembed.bench;

import dev.gemmaembed.kernels.ScalarKernels;
import dev.gemmaembed.kernels.SimdKernels;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-token kernels of a layer at EmbeddingGemma's widths, each call covering 64 tokens (µs per
 * call). {@code geluTanhMul} (exp-based, what the encoder uses) is measured against two
 * alternatives: {@code geluTanhIntrinsic} (the tanh form with {@code VectorOperators.TANH}, C2's
 * SVML intrinsic) and {@code geluScalarMathTanh} (the scalar reference).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ElementwiseBenchmark {

  private static final int TOKENS = 64;
  private static final int HIDDEN = 768;
  private static final int FF = 1152;
  private static final int HEAD = 256;
  private static final int HEADS = 3;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private float[] x;
  private float[] out;
  private float[] weight;
  private float[] gate;
  private float[] gateWork;
  private float[] up;
  private float[] heads;
  private float[] cos;
  private float[] sin;

  @Setup(Level.Trial)
  public void setUp() {
    Random rng = new Random(3);
    x = gaussian(rng, TOKENS * HIDDEN, 1);
    out = new float[x.length];
    weight = gaussian(rng, HIDDEN, 0.1f);
    gate = gaussian(rng, TOKENS * FF, 2);
    gateWork = new float[gate.length];
    up = gaussian(rng, TOKENS * FF, 1);
    heads = gaussian(rng, TOKENS * HEADS * HEAD, 1);
    cos = gaussian(rng, HEAD / 2, 1);
    sin = gaussian(rng, HEAD / 2, 1);
  }

  private static float[] gaussian(Random rng, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian() * scale;
    }
    return a;
  }

  @Benchmark
  public float[] rmsNorm768() {
    for (int t = 0; t < TOKENS; t++) {
      SimdKernels.rmsNorm(x, t * HIDDEN, HIDDEN, weight, 1e-6f, out, t * HIDDEN);
    }
    return out;
  }

  @Benchmark
  public float[] geluTanhMul1152() {
    System.arraycopy(gate, 0, gateWork, 0, gate.length);
    for (int t = 0; t < TOKENS; t++) {
      SimdKernels.geluTanhMul(gateWork, t * FF, up, t * FF, FF);
    }
    return gateWork;
  }

  /** The alternative kept out of the encoder: 0.5·x·(1 + TANH(u)) with the Vector API's TANH. */
  @Benchmark
  public float[] geluTanhIntrinsic1152() {
    System.arraycopy(gate, 0, gateWork, 0, gate.length);
    for (int t = 0; t < TOKENS; t++) {
      int off = t * FF;
      for (int i = 0; i < FF; i += F.length()) {
        var v = FloatVector.fromArray(F, gateWork, off + i);
        var u = v.mul(v).mul(v).mul(0.044715f).add(v).mul(0.7978845608028654f);
        u.lanewise(VectorOperators.TANH)
            .add(1f)
            .mul(v)
            .mul(0.5f)
            .mul(FloatVector.fromArray(F, up, off + i))
            .intoArray(gateWork, off + i);
      }
    }
    return gateWork;
  }

  @Benchmark
  public float[] geluScalarMathTanh1152() {
    System.arraycopy(gate, 0, gateWork, 0, gate.length);
    for (int t = 0; t < TOKENS; t++) {
      ScalarKernels.geluTanhMul(gateWork, t * FF, up, t * FF, FF);
    }
    return gateWork;
  }

  @Benchmark
  public float[] ropeRotateHalf256() {
    for (int r = 0; r < TOKENS * HEADS; r++) {
      SimdKernels.ropeRotateHalf(heads, r * HEAD, HEAD, cos, sin, 0);
    }
    return heads;
  }

  @Benchmark
  public float dot768() {
    float s = 0;
    for (int t = 0; t < TOKENS; t++) {
      s += SimdKernels.dot(x, t * HIDDEN, weight, 0, HIDDEN);
    }
    return s;
  }

  @Benchmark
  public float[] l2Normalize768() {
    System.arraycopy(x, 0, out, 0, x.length);
    for (int t = 0; t < TOKENS; t++) {
      SimdKernels.l2Normalize(out, t * HIDDEN, HIDDEN);
    }
    return out;
  }
}
