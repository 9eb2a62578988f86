import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Thread CPU time of full-matrix weight decodes (every row once, as a large-batch product does), old
 * vs new build in one JVM: each jar (a bench/target/benchmarks.jar or any jar holding the kernels)
 * gets its own class loader, the same random OUT × IN matrix is quantized to each type, and the
 * jars decode it in turns, ROUNDS times. Prints per type the median microseconds per decode and the
 * median per-round speed against the first jar. Thread CPU barely moves with a shared machine's
 * load, unlike JMH's wall time.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector bench/scripts/DecodeCpu.java 15 Q4_0,Q4_K,Q5_0,Q6_K,Q8_0 \
 *     1152 768 OLD.jar NEW.jar
 * </pre>
 */
public class DecodeCpu {
  public static void main(String[] a) throws Throwable {
    int rounds = Integer.parseInt(a[0]);
    String[] types = a[1].split(",");
    int out = Integer.parseInt(a[2]), in = Integer.parseInt(a[3]);
    int nj = a.length - 4;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Object[][] mats = new Object[nj][types.length];
    MethodHandle[] read = new MethodHandle[nj];
    Random rng = new Random(1);
    float[] f = new float[out * in];
    for (int i = 0; i < f.length; i++) f[i] = (float) rng.nextGaussian() * 0.05f;
    Arena arena = Arena.ofShared();
    for (int j = 0; j < nj; j++) {
      ClassLoader l = new URLClassLoader(new URL[] {Path.of(a[4 + j]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      Class<?> wm = l.loadClass("dev.gemmaembed.kernels.WeightMatrix");
      Class<?> f32 = l.loadClass("dev.gemmaembed.kernels.F32Matrix");
      Class<?> wt = l.loadClass("dev.gemmaembed.kernels.WeightType");
      Object w = f32.getMethod("of", float[].class, int.class, int.class).invoke(null, f, out, in);
      for (int t = 0; t < types.length; t++) {
        Object type = wt.getMethod("valueOf", String.class).invoke(null, types[t]);
        mats[j][t] = wt.getMethod("quantize", wm, java.lang.foreign.SegmentAllocator.class).invoke(type, w, arena);
      }
      read[j] = MethodHandles.publicLookup().findVirtual(wm, "readRow", MethodType.methodType(void.class, int.class, float[].class, int.class)).asType(MethodType.methodType(void.class, Object.class, int.class, float[].class, int.class));
    }
    float[] row = new float[in];
    int reps = 20;
    for (int w = 0; w < 200; w++)
      for (int j = 0; j < nj; j++) for (int t = 0; t < types.length; t++) decode(read[j], mats[j][t], out, row);
    double[][][] ns = new double[nj][types.length][rounds];
    for (int r = 0; r < rounds; r++)
      for (int t = 0; t < types.length; t++)
        for (int k = 0; k < nj; k++) {
          int j = (r + t) % 2 == 0 ? k : nj - 1 - k;
          long c0 = mx.getCurrentThreadCpuTime();
          for (int i = 0; i < reps; i++) decode(read[j], mats[j][t], out, row);
          ns[j][t][r] = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / reps;
        }
    for (int t = 0; t < types.length; t++) {
      StringBuilder sb = new StringBuilder(String.format("%-5s", types[t]));
      for (int j = 0; j < nj; j++) {
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) ratio[r] = ns[0][t][r] / ns[j][t][r];
        sb.append(String.format("  jar%d %7.1f us (speed vs jar0 %.3f)", j, median(ns[j][t]), median(ratio)));
      }
      System.out.println(sb);
    }
  }
  static void decode(MethodHandle h, Object m, int out, float[] row) throws Throwable {
    for (int r = 0; r < out; r++) h.invokeExact(m, r, row, 0);
  }
  static double median(double[] v) { double[] s = v.clone(); Arrays.sort(s); return s[s.length / 2]; }
}
