package dev.gemmaembed.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gemma-embed bench}: end-to-end throughput and latency of one embedding job of N synthetic
 * texts of exactly T tokens each ({@code <bos>}, T − 2 random non-special ids, {@code <eos>}; fixed
 * seed), embedded from token ids repeatedly after a warm-up. Prints one JSON line.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure embedding speed on synthetic texts of exactly T tokens.",
      "",
      "N texts of T tokens (bos and eos included) are embedded as one job, repeatedly after a "
          + "warm-up. Prints one JSON line: texts, tokens, threads, tokens_per_second, "
          + "texts_per_second, latency_ms_p50, latency_ms_p90 (latency = one job), peak_rss_mb "
          + "(VmHWM). Tokenization is not timed. Process CPU time, heap allocation and GC pauses of "
          + "the timed phase go to stderr."
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed bench --model models/full --texts 8 --tokens 512 --threads 2",
      "  gemma-embed bench --model models/full --texts 1 --tokens 16 --seconds 20"
    })
final class BenchCommand implements Callable<Integer> {

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = "--texts",
      paramLabel = "N",
      defaultValue = "8",
      description = "Texts per job (default: ${DEFAULT-VALUE}).")
  int texts;

  @Option(
      names = "--tokens",
      paramLabel = "T",
      defaultValue = "512",
      description = "Tokens per text, bos and eos included (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(
      names = "--warmup",
      paramLabel = "S",
      defaultValue = "3",
      description = "Seconds of untimed jobs first, at least one job (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "10",
      description = "Seconds of timed jobs, at least one job (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the token ids (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    if (texts < 1) {
      throw new ParameterException(spec.commandLine(), "--texts must be at least 1, got " + texts);
    }
    if (warmup < 0 || seconds < 0 || Double.isNaN(warmup) || Double.isNaN(seconds)) {
      throw new ParameterException(spec.commandLine(), "--warmup and --seconds must be >= 0");
    }
    try (Embedder embedder = modelOptions.load(root.environment())) {
      if (tokens < 2 || tokens > embedder.maxSeqLength()) {
        throw new ParameterException(
            spec.commandLine(),
            "--tokens must be between 2 (bos + eos) and the model's "
                + embedder.maxSeqLength()
                + ", got "
                + tokens);
      }
      List<int[]> job = syntheticTexts(embedder);
      long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
      do {
        embedder.embedTokenIds(job, 0);
      } while (System.nanoTime() < warmupEnd);

      List<Long> latencies = new ArrayList<>();
      HeapActivity before = HeapActivity.now();
      long begin = System.nanoTime();
      long end = begin + (long) (seconds * 1e9);
      long now;
      do {
        long t0 = System.nanoTime();
        embedder.embedTokenIds(job, 0);
        now = System.nanoTime();
        latencies.add(now - t0);
      } while (now < end);
      HeapActivity during = HeapActivity.now().minus(before);
      print(embedder.threads(), latencies, now - begin);
      root.environment()
          .stderr()
          .printf(
              "gemma-embed bench: %d timed jobs; process CPU %.1f ms per job; heap "
                  + "allocation %.1f KB per job; %d GC pauses, %d ms in all%n",
              latencies.size(),
              during.cpuNanos() / 1e6 / latencies.size(),
              during.allocatedBytes() / 1024.0 / latencies.size(),
              during.collections(),
              during.collectionMillis());
    }
    return ExitCodes.OK;
  }

  /** N texts of T ids: bos, T − 2 uniform non-special ids inside the embedding table, eos. */
  private List<int[]> syntheticTexts(Embedder embedder) {
    GemmaTokenizer tok = embedder.tokenizer();
    int vocab = Math.min(tok.vocabSize(), embedder.vocabSize());
    Random rng = new Random(seed);
    List<int[]> job = new ArrayList<>(texts);
    for (int i = 0; i < texts; i++) {
      int[] ids = new int[tokens];
      ids[0] = tok.bosId();
      ids[tokens - 1] = tok.eosId();
      for (int j = 1; j < tokens - 1; j++) {
        int id;
        do {
          id = rng.nextInt(vocab);
        } while (tok.isSpecial(id));
        ids[j] = id;
      }
      job.add(ids);
    }
    return job;
  }

  private void print(int threads, List<Long> latencies, long elapsedNanos) {
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    double secs = elapsedNanos / 1e9;
    double jobs = sorted.length;
    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("texts", texts);
    json.put("tokens", tokens);
    json.put("threads", threads);
    json.put("tokens_per_second", round(jobs * texts * tokens / secs, 1));
    json.put("texts_per_second", round(jobs * texts / secs, 2));
    json.put("latency_ms_p50", round(percentile(sorted, 50) / 1e6, 2));
    json.put("latency_ms_p90", round(percentile(sorted, 90) / 1e6, 2));
    Double rss = peakRssMb();
    if (rss == null) {
      json.putNull("peak_rss_mb");
    } else {
      json.put("peak_rss_mb", round(rss, 1));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(json.toString());
    out.flush();
  }

  /**
   * Process CPU time, bytes allocated by all threads and garbage collections so far (or their
   * difference); CPU time per job shows the cost of a job even when other processes share the
   * cores.
   */
  private record HeapActivity(
      long cpuNanos, long allocatedBytes, long collections, long collectionMillis) {

    static HeapActivity now() {
      long allocated =
          ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
              ? t.getTotalThreadAllocatedBytes()
              : 0;
      long count = 0;
      long millis = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        count += Math.max(0, gc.getCollectionCount());
        millis += Math.max(0, gc.getCollectionTime());
      }
      long cpu =
          ManagementFactory.getOperatingSystemMXBean()
                  instanceof com.sun.management.OperatingSystemMXBean os
              ? os.getProcessCpuTime()
              : 0;
      return new HeapActivity(cpu, allocated, count, millis);
    }

    HeapActivity minus(HeapActivity o) {
      return new HeapActivity(
          cpuNanos - o.cpuNanos,
          allocatedBytes - o.allocatedBytes,
          collections - o.collections,
          collectionMillis - o.collectionMillis);
    }
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
  }

  private static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }

  /** VmHWM (peak resident set) of this process in MiB, or null where /proc is not available. */
  private static Double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
