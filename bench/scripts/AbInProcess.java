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
 * Old vs new in one JVM: each gemma-embed jar (cli/target/gemma-embed.jar of a build) gets its own
 * class loader and its own Embedder on MODEL, and the jars embed the same job (4 × 256 synthetic
 * token ids, as {@code bench --texts 4 --tokens 256}) in turns, ABBA order, ROUNDS times. Prints
 * each round's wall and process CPU milliseconds per job and, per jar, the medians and the median
 * of the per-round ratios against the first jar. Drift of a shared machine's load hits every jar
 * alike within a round, and process CPU per job barely moves with load, so this separates a few
 * percent where separate bench processes cannot. Also checks the outputs are bitwise equal.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
 *     -XX:-TieredCompilation bench/scripts/AbInProcess.java MODEL ROUNDS THREADS OLD.jar NEW.jar...
 * </pre>
 *
 * A jar argument {@code path@name=value,...} sets system properties while that jar loads and runs
 * its first job (static finals read then keep them), for A/B of a switch in one build.
 *
 * <p>Other job shapes: {@code -Dab.texts=1 -Dab.tokens=16} (a short query); {@code -Dab.reps=N}
 * times N jobs back to back per jar and round and reports the mean per job (a 16-token job is a
 * few tens of milliseconds, too short to time alone on a shared machine).
 */
public class AbInProcess {

  private static final int TEXTS = Integer.getInteger("ab.texts", 4);
  private static final int TOKENS = Integer.getInteger("ab.tokens", 256);
  private static final int REPS = Integer.getInteger("ab.reps", 1);

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int n = args.length - 3;
    List<int[]> job = job();
    Object[] embedders = new Object[n];
    Method[] embed = new Method[n];
    List<float[]> reference = null;
    for (int j = 0; j < n; j++) {
      String[] spec = args[3 + j].split("@");
      String[] props = spec.length > 1 ? spec[1].split(",") : new String[0];
      for (String p : props) {
        System.setProperty(p.split("=")[0], p.split("=")[1]);
      }
      URLClassLoader loader =
          new URLClassLoader(
              new URL[] {Path.of(spec[0]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      Class<?> embedder = loader.loadClass("dev.gemmaembed.core.Embedder");
      Class<?> loadOptions = loader.loadClass("dev.gemmaembed.core.LoadOptions");
      Object options = loadOptions.getMethod("defaults").invoke(null);
      options = loadOptions.getMethod("withThreads", int.class).invoke(options, threads);
      embedders[j] = embedder.getMethod("load", Path.class, loadOptions).invoke(null, model, options);
      embed[j] = embedder.getMethod("embedTokenIds", List.class, int.class);
      @SuppressWarnings("unchecked")
      List<float[]> out = (List<float[]>) embed[j].invoke(embedders[j], job, 0);
      for (String p : props) {
        System.clearProperty(p.split("=")[0]);
      }
      for (int w = 0; w < 3 * REPS; w++) {
        embed[j].invoke(embedders[j], job, 0);
      }
      reference = reference == null ? out : reference;
      boolean same = true;
      for (int s = 0; s < out.size(); s++) {
        same &= Arrays.equals(reference.get(s), out.get(s));
      }
      System.out.println("jar " + j + " " + args[3 + j] + ": output bitwise equal to jar 0: " + same);
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
        for (int rep = 0; rep < REPS; rep++) {
          embed[j].invoke(embedders[j], job, 0);
        }
        wall[j][r] = (System.nanoTime() - t0) / 1e6 / REPS;
        cpu[j][r] = (os.getProcessCpuTime() - c0) / 1e6 / REPS;
      }
      for (int j = 0; j < n; j++) {
        line.append(String.format(" %8.1f (cpu %8.1f)", wall[j][r], cpu[j][r]));
      }
      System.out.println(line.append("  load ").append(os.getSystemLoadAverage()));
    }
    report("wall", wall);
    report("cpu", cpu);
  }

  /** TEXTS texts of TOKENS ids: bos, ids inside the vocabulary (seed 42), eos. */
  private static List<int[]> job() {
    Random rng = new Random(42);
    List<int[]> job = new ArrayList<>();
    for (int i = 0; i < TEXTS; i++) {
      int[] ids = new int[TOKENS];
      ids[0] = 2;
      for (int t = 1; t < TOKENS - 1; t++) {
        ids[t] = 300 + rng.nextInt(200_000);
      }
      ids[TOKENS - 1] = 1;
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
          "%s jar %d: median %.1f ms/job (%.1f tok/s), speed vs jar 0 %.4f, median of per-round"
              + " ratios %.4f%n",
          what, j, median(ms[j]), TEXTS * TOKENS / median(ms[j]) * 1000, base / median(ms[j]), median(ratio));
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
