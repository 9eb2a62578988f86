package dev.gemmaembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer speed: single-thread encoding of the golden corpus (no special tokens, one call per
 * text, as the Rust baseline in shared/bench/tokenizer-baseline.md) and loading tokenizer.json.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar TokenizerBenchmark
 * # another corpus: -p corpus=/path/public.jsonl.gz   (or -Dgemmaembed.bench.corpus=...)
 * </pre>
 *
 * <ul>
 *   <li>{@code encodeCorpus}: one op = the whole corpus; the auxiliary counters {@code tokens} and
 *       {@code bytes} (UTF-8) are reported per second. {@code wordCache=false} turns the
 *       tokenizer's word cache off (the corpus is encoded again and again, so otherwise the cache
 *       is warm after the first pass).
 *   <li>{@code loadWarm}: loading the bundled tokenizer.json.gz from memory after JIT warm-up;
 *       {@code loadCold}: the first load in a fresh JVM (one shot per fork). {@code loadFrom=json}
 *       parses the JSON every time; {@code loadFrom=binary-cache} reads the parsed-tokenizer cache
 *       (a discarded warm-up fork fills it).
 * </ul>
 */
public class TokenizerBenchmark {
  static final String CORPUS_PROPERTY = "gemmaembed.bench.corpus";
  static final String DEFAULT_CORPUS = "tokenizer/src/test/resources/golden/public.jsonl.gz";

  /** The corpus and a tokenizer to encode it with. */
  @State(Scope.Benchmark)
  public static class Corpus {
    /** Golden-corpus JSONL(.gz) with a "text" field; empty = system property or the repo's file. */
    @Param({""})
    public String corpus;

    @Param({"true", "false"})
    public String wordCache;

    List<String> texts;
    long tokens;
    long bytes;
    GemmaTokenizer tokenizer;

    @Setup(Level.Trial)
    public void setup() throws IOException {
      System.setProperty("gemmaembed.tokenizer.wordCache", wordCache);
      tokenizer =
          GemmaTokenizer.fromStreams(new ByteArrayInputStream(bundledTokenizerJson()), null);
      texts = loadTexts(resolveCorpus(corpus));
      for (String t : texts) {
        tokens += tokenizer.encode(t, false).length;
        bytes += t.getBytes(StandardCharsets.UTF_8).length;
      }
      System.out.printf(
          "%n[corpus] %d texts, %d tokens, %d UTF-8 bytes (%.2f MB); word cache %s%n",
          texts.size(), tokens, bytes, bytes / 1e6, wordCache);
    }
  }

  /** The bundled tokenizer.json.gz bytes and where loading takes them from. */
  @State(Scope.Benchmark)
  public static class Source {
    @Param({"json", "binary-cache"})
    public String loadFrom;

    byte[] json;

    @Setup(Level.Trial)
    public void setup() throws IOException {
      System.setProperty("gemmaembed.tokenizer.cache", loadFrom.equals("json") ? "false" : "true");
      System.setProperty(
          "gemmaembed.tokenizer.cacheDir",
          Path.of(System.getProperty("java.io.tmpdir"), "gemma-embed-bench-cache").toString());
      json = bundledTokenizerJson();
    }
  }

  static byte[] bundledTokenizerJson() throws IOException {
    try (InputStream in =
        GemmaTokenizer.class.getResourceAsStream(
            "/dev/gemmaembed/tokenizer/gemma3/tokenizer.json.gz")) {
      if (in == null) throw new IOException("bundled tokenizer.json.gz not on the classpath");
      return in.readAllBytes();
    }
  }

  static Path resolveCorpus(String param) {
    String p = param == null || param.isEmpty() ? System.getProperty(CORPUS_PROPERTY, "") : param;
    if (!p.isEmpty()) return Path.of(p);
    // walk up from the working directory to the repository root
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(DEFAULT_CORPUS);
      if (Files.isRegularFile(candidate)) return candidate;
    }
    throw new UncheckedIOException(
        new IOException(
            DEFAULT_CORPUS
                + " not found above "
                + Path.of("").toAbsolutePath()
                + "; pass -p corpus=PATH or -D"
                + CORPUS_PROPERTY
                + "=PATH"));
  }

  static List<String> loadTexts(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> out = new ArrayList<>();
    InputStream raw = Files.newInputStream(file);
    InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) out.add(json.readTree(line).get("text").asText());
      }
    }
    return out;
  }

  /** Tokens and UTF-8 bytes encoded; JMH reports them per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Rates {
    public long tokens;
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      tokens = 0;
      bytes = 0;
    }
  }

  /** One op = the whole corpus, one encode call per text, no special tokens. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(1)
  @Warmup(iterations = 5, time = 2)
  @Measurement(iterations = 7, time = 2)
  @Fork(
      value = 1,
      jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
  public long encodeCorpus(Corpus c, Rates rates) {
    long n = 0;
    GemmaTokenizer t = c.tokenizer;
    for (String s : c.texts) n += t.encode(s, false).length;
    rates.tokens += n;
    rates.bytes += c.bytes;
    return n;
  }

  /** Loading the bundled (gzip) tokenizer.json from memory, after warm-up. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Threads(1)
  @Warmup(iterations = 6)
  @Measurement(iterations = 8)
  @Fork(
      value = 1,
      jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
  public GemmaTokenizer loadWarm(Source s) {
    return GemmaTokenizer.fromStreams(new ByteArrayInputStream(s.json), null);
  }

  /** The first load in a fresh JVM (one shot per fork). */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Threads(1)
  @Warmup(iterations = 0)
  @Measurement(iterations = 1)
  @Fork(
      value = 5,
      warmups = 1,
      jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
  public GemmaTokenizer loadCold(Source s) {
    return GemmaTokenizer.fromStreams(new ByteArrayInputStream(s.json), null);
  }
}
