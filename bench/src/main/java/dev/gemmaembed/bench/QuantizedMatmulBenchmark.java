package dev.gemmaembed.bench;

import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
 * The Q8_0 matmul strategies the issue asked to compare, single-threaded, on one 768 → 1152
 * projection (gate/up) of random weights, in GFLOP/s ({@code flops} counter):
 *
 * <ul>
 *   <li>{@code panel} — production {@link WeightMatrix#multiply} of an unpacked (Q8_0) matrix: rows
 *       decoded into small float32 panels that many tokens reuse (lanes along tokens for small
 *       batches, along rows for 128+ tokens), 4 × 4 register tiles of FMA chains;
 *   <li>{@code registers} — dequantize each 32-value block straight into registers inside a 2-row ×
 *       8-token tile (no panel; the conversions sit in the FMA loop);
 *   <li>{@code int8} — llama.cpp's approach: activations quantized to Q8_0 per block, integer
 *       products (the Vector API has no VNNI dot: widen to 16 bits, multiply, widen to 32, add),
 *       one float scale per block;
 *   <li>{@code f32} — the packed float32 path ({@link WeightMatrix#pack}) on the dequantized
 *       weights, for scale.
 * </ul>
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar QuantizedMatmulBenchmark
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
public class QuantizedMatmulBenchmark {

  static final int IN = 768;
  static final int OUT = 1152;

  @Param({"panel", "registers", "int8", "f32"})
  public String variant;

  @Param({"32", "512"})
  public int tokens;

  private Arena arena;
  private WeightMatrix q8;
  private WeightMatrix f32;
  private float[] x;
  private float[] out;

  @Setup(Level.Trial)
  public void setUp() {
    Random rng = new Random(1);
    float[] w = new float[OUT * IN];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rng.nextGaussian() * 0.05f;
    }
    x = new float[tokens * IN];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    out = new float[tokens * OUT];
    arena = Arena.ofShared();
    q8 = WeightType.Q8_0.quantize(F32Matrix.of(w, OUT, IN), arena);
    float[] dequantized = new float[OUT * IN];
    for (int r = 0; r < OUT; r++) {
      q8.readRow(r, dequantized, r * IN);
    }
    f32 = F32Matrix.of(dequantized, OUT, IN);
    f32.pack(arena);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  @Benchmark
  public float[] multiply(Flops counter) {
    switch (variant) {
      case "panel" -> q8.multiply(x, tokens, out, OUT, 0, 0, OUT);
      case "registers" -> Registers.multiply(q8.data(), x, tokens, out);
      case "int8" -> Int8.multiply(q8.data(), x, tokens, out);
      case "f32" -> f32.multiply(x, tokens, out, OUT, 0, 0, OUT);
      default -> throw new IllegalArgumentException(variant);
    }
    counter.flops += 2L * tokens * IN * OUT;
    return out;
  }

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  private static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final int QB = 34;

  /** Strategy (a) without a panel: Q8_0 blocks dequantized in registers, 2 rows × 8 tokens. */
  static final class Registers {
    static void multiply(MemorySegment w, float[] x, int tokens, float[] out) {
      int nb = IN / 32;
      for (int r = 0; r < OUT; r += 2) {
        for (int t = 0; t + 8 <= tokens; t += 8) {
          var c00 = FloatVector.zero(F);
          var c01 = c00;
          var c02 = c00;
          var c03 = c00;
          var c04 = c00;
          var c05 = c00;
          var c06 = c00;
          var c07 = c00;
          var c10 = c00;
          var c11 = c00;
          var c12 = c00;
          var c13 = c00;
          var c14 = c00;
          var c15 = c00;
          var c16 = c00;
          var c17 = c00;
          long o0 = (long) r * nb * QB;
          long o1 = o0 + (long) nb * QB;
          for (int b = 0; b < nb; b++, o0 += QB, o1 += QB) {
            var d0 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(LE_SHORT, o0)));
            var d1 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(LE_SHORT, o1)));
            for (int p = 0; p < 32; p += L) {
              var w0 =
                  ((FloatVector)
                          ByteVector.fromMemorySegment(B, w, o0 + 2 + p, ByteOrder.LITTLE_ENDIAN)
                              .convertShape(VectorOperators.B2F, F, 0))
                      .mul(d0);
              var w1 =
                  ((FloatVector)
                          ByteVector.fromMemorySegment(B, w, o1 + 2 + p, ByteOrder.LITTLE_ENDIAN)
                              .convertShape(VectorOperators.B2F, F, 0))
                      .mul(d1);
              int k = t * IN + b * 32 + p;
              var u = FloatVector.fromArray(F, x, k);
              c00 = u.fma(w0, c00);
              c10 = u.fma(w1, c10);
              u = FloatVector.fromArray(F, x, k + IN);
              c01 = u.fma(w0, c01);
              c11 = u.fma(w1, c11);
              u = FloatVector.fromArray(F, x, k + 2 * IN);
              c02 = u.fma(w0, c02);
              c12 = u.fma(w1, c12);
              u = FloatVector.fromArray(F, x, k + 3 * IN);
              c03 = u.fma(w0, c03);
              c13 = u.fma(w1, c13);
              u = FloatVector.fromArray(F, x, k + 4 * IN);
              c04 = u.fma(w0, c04);
              c14 = u.fma(w1, c14);
              u = FloatVector.fromArray(F, x, k + 5 * IN);
              c05 = u.fma(w0, c05);
              c15 = u.fma(w1, c15);
              u = FloatVector.fromArray(F, x, k + 6 * IN);
              c06 = u.fma(w0, c06);
              c16 = u.fma(w1, c16);
              u = FloatVector.fromArray(F, x, k + 7 * IN);
              c07 = u.fma(w0, c07);
              c17 = u.fma(w1, c17);
            }
          }
          int o = t * OUT + r;
          out[o] = c00.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c10.reduceLanes(VectorOperators.ADD);
          o += OUT;
          out[o] = c01.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c11.reduceLanes(VectorOperators.ADD);
          o += OUT;
          out[o] = c02.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c12.reduceLanes(VectorOperators.ADD);
          o += OUT;
          out[o] = c03.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c13.reduceLanes(VectorOperators.ADD);
          o += OUT;
          out[o] = c04.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c14.reduceLanes(VectorOperators.ADD);
          o += OUT;
          out[o] = c05.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c15.reduceLanes(VectorOperators.ADD);
          o += OUT;
          out[o] = c06.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c16.reduceLanes(VectorOperators.ADD);
          o += OUT;
          out[o] = c07.reduceLanes(VectorOperators.ADD);
          out[o + 1] = c17.reduceLanes(VectorOperators.ADD);
        }
      }
    }
  }

  /**
   * Strategy (b): activations quantized to Q8_0 per block, integer products, float scale per block.
   */
  static final class Int8 {
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;

    static void multiply(MemorySegment w, float[] x, int tokens, float[] out) {
      int nb = IN / 32;
      byte[] xq = new byte[tokens * IN];
      float[] xd = new float[tokens * nb];
      MemorySegment xs = MemorySegment.ofArray(new byte[tokens * nb * QB]);
      WeightType.Q8_0.quantize(x, 0, tokens * IN, xs, 0);
      for (int i = 0; i < tokens * nb; i++) {
        xd[i] = Float.float16ToFloat(xs.get(LE_SHORT, (long) i * QB));
        MemorySegment.copy(xs, ValueLayout.JAVA_BYTE, (long) i * QB + 2, xq, i * 32, 32);
      }
      for (int r = 0; r < OUT; r++) {
        for (int t = 0; t < tokens; t++) {
          var acc = FloatVector.zero(FloatVector.SPECIES_512);
          long o = (long) r * nb * QB;
          for (int b = 0; b < nb; b++, o += QB) {
            var wv =
                (ShortVector)
                    ByteVector.fromMemorySegment(B256, w, o + 2, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, S512, 0);
            var xv =
                (ShortVector)
                    ByteVector.fromArray(B256, xq, t * IN + b * 32)
                        .convertShape(VectorOperators.B2S, S512, 0);
            var p = wv.mul(xv);
            var sum =
                ((IntVector) p.convertShape(VectorOperators.S2I, I512, 0))
                    .add((IntVector) p.convertShape(VectorOperators.S2I, I512, 1));
            float scale = Float.float16ToFloat(w.get(LE_SHORT, o)) * xd[t * nb + b];
            acc =
                ((FloatVector) sum.convertShape(VectorOperators.I2F, FloatVector.SPECIES_512, 0))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, scale), acc);
          }
          out[t * OUT + r] = acc.reduceLanes(VectorOperators.ADD);
        }
      }
    }
  }
}
