import jdk.incubator.vector.*;

/**
 * The 4 × 4 row tile (16 accumulators; 21 live vectors) against the 6 × 2 row tile (12; 15) of a
 * 768-wide panel of 32 rows × 512 tokens, 256-bit vectors, one thread, GFLOP/s of the best of 200
 * passes, 8 times. Run it under different JVM options to see how C2 compiles each: on a Zen 2, the
 * 6 × 2 tile ran 87–98 GFLOP/s with loop strip mining (G1's default, or SerialGC with
 * -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000) and 39–40 without (SerialGC,
 * ParallelGC), the 4 × 4 tile 55 either way (bench/README.md, "AVX2 tiles and loop strip mining").
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC bench/scripts/StripMiningTiles.java
 * java --add-modules jdk.incubator.vector @scripts/jvm-options bench/scripts/StripMiningTiles.java
 * </pre>
 */
public class StripMiningTiles {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  static final int L = 8, GROUP = 32, COLS = 768, TOK = 512;

  static void t4x4(float[] p, float[] x, int x0, int x1, int x2, int x3, float[] s) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    var c10 = c00;
    var c11 = c00;
    var c12 = c00;
    var c13 = c00;
    var c20 = c00;
    var c21 = c00;
    var c22 = c00;
    var c23 = c00;
    var c30 = c00;
    var c31 = c00;
    var c32 = c00;
    var c33 = c00;
    for (int k = 0; k < COLS; k++) {
      int wo = k * GROUP;
      var w0 = FloatVector.fromArray(F, p, wo);
      var w1 = FloatVector.fromArray(F, p, wo + L);
      var w2 = FloatVector.fromArray(F, p, wo + 2 * L);
      var w3 = FloatVector.fromArray(F, p, wo + 3 * L);
      var b = FloatVector.broadcast(F, x[x0 + k]);
      c00 = b.fma(w0, c00);
      c01 = b.fma(w1, c01);
      c02 = b.fma(w2, c02);
      c03 = b.fma(w3, c03);
      b = FloatVector.broadcast(F, x[x1 + k]);
      c10 = b.fma(w0, c10);
      c11 = b.fma(w1, c11);
      c12 = b.fma(w2, c12);
      c13 = b.fma(w3, c13);
      b = FloatVector.broadcast(F, x[x2 + k]);
      c20 = b.fma(w0, c20);
      c21 = b.fma(w1, c21);
      c22 = b.fma(w2, c22);
      c23 = b.fma(w3, c23);
      b = FloatVector.broadcast(F, x[x3 + k]);
      c30 = b.fma(w0, c30);
      c31 = b.fma(w1, c31);
      c32 = b.fma(w2, c32);
      c33 = b.fma(w3, c33);
    }
    c00.intoArray(s, 0);
    c01.intoArray(s, 8);
    c02.intoArray(s, 16);
    c03.intoArray(s, 24);
    c10.intoArray(s, 32);
    c11.intoArray(s, 40);
    c12.intoArray(s, 48);
    c13.intoArray(s, 56);
    c20.intoArray(s, 64);
    c21.intoArray(s, 72);
    c22.intoArray(s, 80);
    c23.intoArray(s, 88);
    c30.intoArray(s, 96);
    c31.intoArray(s, 104);
    c32.intoArray(s, 112);
    c33.intoArray(s, 120);
  }

  // 6 tokens x 2 vectors (16 rows starting at lane offset h)
  static void t6x2(
      float[] p, int h, float[] x, int x0, int x1, int x2, int x3, int x4, int x5, float[] s) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c10 = c00;
    var c11 = c00;
    var c20 = c00;
    var c21 = c00;
    var c30 = c00;
    var c31 = c00;
    var c40 = c00;
    var c41 = c00;
    var c50 = c00;
    var c51 = c00;
    for (int k = 0; k < COLS; k++) {
      int wo = k * GROUP + h;
      var w0 = FloatVector.fromArray(F, p, wo);
      var w1 = FloatVector.fromArray(F, p, wo + L);
      var b = FloatVector.broadcast(F, x[x0 + k]);
      c00 = b.fma(w0, c00);
      c01 = b.fma(w1, c01);
      b = FloatVector.broadcast(F, x[x1 + k]);
      c10 = b.fma(w0, c10);
      c11 = b.fma(w1, c11);
      b = FloatVector.broadcast(F, x[x2 + k]);
      c20 = b.fma(w0, c20);
      c21 = b.fma(w1, c21);
      b = FloatVector.broadcast(F, x[x3 + k]);
      c30 = b.fma(w0, c30);
      c31 = b.fma(w1, c31);
      b = FloatVector.broadcast(F, x[x4 + k]);
      c40 = b.fma(w0, c40);
      c41 = b.fma(w1, c41);
      b = FloatVector.broadcast(F, x[x5 + k]);
      c50 = b.fma(w0, c50);
      c51 = b.fma(w1, c51);
    }
    c00.intoArray(s, 0);
    c01.intoArray(s, 8);
    c10.intoArray(s, 16);
    c11.intoArray(s, 24);
    c20.intoArray(s, 32);
    c21.intoArray(s, 40);
    c30.intoArray(s, 48);
    c31.intoArray(s, 56);
    c40.intoArray(s, 64);
    c41.intoArray(s, 72);
    c50.intoArray(s, 80);
    c51.intoArray(s, 88);
  }

  static double runA(float[] p, float[] x, float[] s) {
    long t = System.nanoTime();
    for (int tk = 0; tk < TOK; tk += 4)
      t4x4(p, x, tk * COLS, (tk + 1) * COLS, (tk + 2) * COLS, (tk + 3) * COLS, s);
    return (System.nanoTime() - t);
  }

  static double runB(float[] p, float[] x, float[] s) {
    long t = System.nanoTime();
    for (int h = 0; h < GROUP; h += 16)
      for (int tk = 0; tk < TOK; tk += 6) {
        int last = TOK - 1;
        t6x2(
            p,
            h,
            x,
            tk * COLS,
            Math.min(tk + 1, last) * COLS,
            Math.min(tk + 2, last) * COLS,
            Math.min(tk + 3, last) * COLS,
            Math.min(tk + 4, last) * COLS,
            Math.min(tk + 5, last) * COLS,
            s);
      }
    return (System.nanoTime() - t);
  }

  public static void main(String[] a) {
    float[] p = new float[COLS * GROUP], x = new float[TOK * COLS], s = new float[128];
    var r = new java.util.Random(1);
    for (int i = 0; i < p.length; i++) p[i] = r.nextFloat();
    for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
    double flop = 2.0 * COLS * GROUP * TOK;
    for (int round = 0; round < 8; round++) {
      double ta = Double.MAX_VALUE, tb = Double.MAX_VALUE;
      for (int i = 0; i < 200; i++) {
        ta = Math.min(ta, runA(p, x, s));
        tb = Math.min(tb, runB(p, x, s));
      }
      System.out.printf("4x4 %.1f GFLOP/s   6x2 %.1f GFLOP/s%n", flop / ta, flop / tb);
    }
  }
}
