import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Model vs model (and build vs build) in one JVM: each (jar, model) entry gets its own class loader
 * (so its own JIT profiles, as in a process of its own) and its own Embedder, and the entries embed
 * the same job ({@code TEXTS} texts of {@code TOKENS} synthetic ids, as {@code bench --texts
 * --tokens}) in turns, ABBA order, ROUNDS times after a warm-up of WARMUP jobs each. Prints each
 * round's wall and process CPU milliseconds per job and, per entry, the medians and the median of
 * the per-round speed ratios against the first entry (above 1: faster than entry 0). Load drift of
 * a shared machine hits every entry alike within a round, and process CPU per job barely moves with
 * load, so this separates a percent where separate bench processes cannot (issue 15's "a Q4_K_M
 * file at least as fast as Q4_0 in the same run").
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     bench/scripts/AbModels.java ROUNDS THREADS TEXTS TOKENS WARMUP JAR MODEL [JAR MODEL]...
 * </pre>
 *
 * Also prints whether entries of one model give bitwise equal embeddings (old vs new build).
 */
public class AbModels {

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    int texts = Integer.parseInt(args[2]);
    int tokens = Integer.parseInt(args[3]);
    int warmup = Integer.parseInt(args[4]);
    int n = (args.length - 5) / 2;
    if (n < 1 || (args.length - 5) % 2 != 0) {
      throw new IllegalArgumentException(
          "usage: ROUNDS THREADS TEXTS TOKENS WARMUP JAR MODEL [JAR MODEL]...");
    }
    List<int[]> job = job(texts, tokens);
    Object[] embedders = new Object[n];
    Method[] embed = new Method[n];
    String[] models = new String[n];
    List<List<float[]>> outputs = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      String jar = args[5 + 2 * j];
      models[j] = args[6 + 2 * j];
      URLClassLoader loader =
          new URLClassLoader(
              new URL[] {Path.of(jar).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      Class<?> embedder = loader.loadClass("dev.gemmaembed.core.Embedder");
      Class<?> loadOptions = loader.loadClass("dev.gemmaembed.core.LoadOptions");
      Object options = loadOptions.getMethod("defaults").invoke(null);
      options = loadOptions.getMethod("withThreads", int.class).invoke(options, threads);
      embedders[j] =
          embedder
              .getMethod("load", Path.class, loadOptions)
              .invoke(null, Path.of(models[j]), options);
      embed[j] = embedder.getMethod("embedTokenIds", List.class, int.class);
      @SuppressWarnings("unchecked")
      List<float[]> out = (List<float[]>) embed[j].invoke(embedders[j], job, 0);
      outputs.add(out);
      System.out.println("entry " + j + ": " + jar + " on " + models[j]);
      for (int i = 0; i < j; i++) {
        if (models[i].equals(models[j])) {
          boolean same = true;
          for (int s = 0; s < out.size(); s++) {
            same &= Arrays.equals(outputs.get(i).get(s), out.get(s));
          }
          System.out.println("  output bitwise equal to entry " + i + ": " + same);
        }
      }
    }
    for (int w = 0; w < warmup; w++) {
      for (int j = 0; j < n; j++) {
        embed[j].invoke(embedders[j], job, 0);
      }
    }
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[][] wall = new double[n][rounds];
    double[][] cpu = new double[n][rounds];
    for (int r = 0; r < rounds; r++) {
      StringBuilder line = new StringBuilder("round " + r + ":");
      for (int k = 0; k < n; k++) {
        int j = r % 2 == 0 ? k : n - 1 - k;
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        embed[j].invoke(embedders[j], job, 0);
        wall[j][r] = (System.nanoTime() - t0) / 1e6;
        cpu[j][r] = (os.getProcessCpuTime() - c0) / 1e6;
      }
      for (int j = 0; j < n; j++) {
        line.append(String.format(" %9.1f (cpu %9.1f)", wall[j][r], cpu[j][r]));
      }
      System.out.println(line.append("  load ").append(os.getSystemLoadAverage()));
    }
    report("wall", wall);
    report("cpu", cpu);
  }

  /** As {@code bench}: bos, tokens − 2 ids inside the vocabulary (seed 42), eos per text. */
  private static List<int[]> job(int texts, int tokens) {
    Random rng = new Random(42);
    List<int[]> job = new ArrayList<>();
    for (int i = 0; i < texts; i++) {
      int[] ids = new int[tokens];
      ids[0] = 2;
      for (int t = 1; t < tokens - 1; t++) {
        ids[t] = 300 + rng.nextInt(200_000);
      }
      ids[tokens - 1] = 1;
      job.add(ids);
    }
    return job;
  }

  private static void report(String what, double[][] ms) {
    double base = median(ms[0]);
    for (int j = 0; j < ms.length; j++) {
      double[] ratio = new double[ms[j].length];
      for (int r = 0; r < ratio.length; r++) {
        ratio[r] = ms[0][r] / ms[j][r];
      }
      System.out.printf(
          "%s entry %d: median %.1f ms/job, speed vs entry 0 %.4f, median of per-round ratios"
              + " %.4f (min %.4f, max %.4f)%n",
          what,
          j,
          median(ms[j]),
          base / median(ms[j]),
          median(ratio),
          Arrays.stream(ratio).min().orElse(0),
          Arrays.stream(ratio).max().orElse(0));
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
