package dev.gemmaembed.cli;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.Precision;
import dev.gemmaembed.core.QuantizationRange;
import dev.gemmaembed.core.Truncation;
import dev.gemmaembed.tools.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gemma-embed embed}: texts, a file or stdin in; embeddings out, streamed in input order.
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Embed texts (arguments, a file or stdin) and write one embedding per text, in input order.",
      "",
      "Prompt: none by default (texts are embedded as they are, as SentenceTransformer's encode does "
          + "without a prompt); --prompt NAME or --prompt-text TEXT adds one. A record's \"title\" "
          + "fills the document prompt (title: {title} | text: ...): it applies with no --prompt or "
          + "with --prompt document, and is ignored, with a warning, under any other prompt.",
      "",
      "Input is streamed, so any size works in a small heap, and output is written as it goes. "
          + "--input FILE: a .txt file has one text per line (blank lines count); a .jsonl file has one "
          + "object per line with \"text\", an optional \"title\" and an optional \"id\" copied to the "
          + "output; a .json file holds one array of strings or of such objects. Input is UTF-8; "
          + "malformed bytes become U+FFFD. An empty input gives an empty output and a warning.",
      "",
      "Output (--format, else from the --output extension, else jsonl): jsonl is one "
          + "{\"index\": i, \"id\": ..., \"embedding\": [...]} per line; json one array of those; csv a "
          + "header index[,id],d0,d1,... then one row per text; npy a float32 matrix for numpy.load; bin a "
          + "16-byte header (\"GEMB\", version 1, precision code 0-4 for float32/int8/uint8/binary/ubinary, "
          + "2 zero bytes, uint32 LE dimensions, uint32 LE bytes per row) then the rows back to back. "
          + "An --output file is replaced only once complete (a symbolic link's target is written; "
          + "/dev/stdout, devices and FIFOs are written directly). A progress bar is drawn on stderr "
          + "for --input files when stderr is a terminal.",
      "",
      "Precision (--precision, after --dims), as sentence-transformers' quantize_embeddings: float32 "
          + "(default); int8/uint8 map each dimension's [min, max] onto 256 levels (step = (max - min) / 255, "
          + "level = (x - min) / step, minus 128 for int8, truncated toward zero; values outside the range "
          + "are clamped); binary/ubinary pack the signs (x > 0) eight to a byte, most significant bit first, "
          + "binary offset by -128 as int8, and need --dims a multiple of 8. jsonl/json/csv then hold "
          + "integers, npy an int8 or uint8 matrix (bytes per row for the binary ones). The int8/uint8 range "
          + "comes from --calibration FILE (float32 .npy n x dims, or embed's jsonl, cut to the same --dims), "
          + "else from the whole input, which is then held in memory (up to 128 MiB of vectors: 43,690 "
          + "at 768 dimensions) and needs at least 2 texts; each vector then depends on the others.",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed embed --prompt query \"Which planet is known as the Red Planet?\"",
      "  gemma-embed embed --prompt document --input notes.txt --output notes.npy",
      "  gemma-embed embed --input docs.jsonl --dims 32 --output vectors.jsonl",
      "  gemma-embed embed --input texts.json --format csv > vectors.csv",
      "  gemma-embed embed --input docs.txt --dims 256 --precision binary --output docs.bin",
      "  gemma-embed embed --input docs.txt --precision int8 --calibration sample.npy --output docs.npy",
      "  cat texts.txt | gemma-embed embed --input - --prompt STS > vectors.jsonl",
      "  gemma-embed embed --prompt-text \"task: clustering | query: \" \"some text\""
    })
final class EmbedCommand implements Callable<Integer> {

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Mixin TextInputs inputs;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE (replaced only once complete) instead of stdout.")
  Path output;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "jsonl|json|csv|npy|bin",
      description = "Output format (default: from the --output extension, else jsonl).")
  OutputFormat format;

  @Mixin EmbeddingOptions embedding;

  @Option(
      names = "--precision",
      paramLabel = "float32|int8|uint8|binary|ubinary",
      description = "Number type of the written vectors (default: float32); see above.")
  String precision;

  @Option(
      names = "--output-value",
      paramLabel = "sentence_embedding|token_embeddings",
      defaultValue = "sentence_embedding",
      description =
          "token_embeddings writes each text's per-token vectors (the final-norm hidden states, before "
              + "pooling) with their ids and code-point offsets: jsonl {\"ids\", \"starts\", \"ends\", \"embeddings\"} "
              + "per text, or --output X.npy (tokens x width) plus X.offsets.npy (int64, texts + 1 row starts). "
              + "--dims and --precision do not apply to it.")
  String outputValue;

  @Option(
      names = "--calibration",
      paramLabel = "FILE",
      description = "Embeddings (float32 .npy or jsonl, cut to --dims) whose range int8/uint8 use.")
  Path calibration;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = "--truncate-from",
      paramLabel = "right|left",
      defaultValue = "right",
      description =
          "Which end of a text longer than the model's window is cut: right keeps its start (default, as "
              + "sentence-transformers), left keeps its end (TEI's truncation_direction Left).")
  String truncateFrom;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "32",
      description = "Texts read and embedded together (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bar or warnings on stderr.")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    StartupTrace.mark("parsed");
    CliEnvironment env = root.environment();
    inputs.check("embed");
    BatchEmbedder.checkBatchSize(batchSize, spec.commandLine());
    if (output != null) {
      checkOutput();
    }
    OutputFormat fmt = outputFormat();
    Precision stored = parsePrecision();
    Truncation cut = truncation();
    boolean tokens = tokenEmbeddings(fmt);
    Inputs.Opened in = inputs.open(env, this::warn);
    try (TextSource source = in.source();
        Embedder embedder =
            inputs.onCommandLine() ? modelOptions.loadForShortJob(env) : modelOptions.load(env)) {
      StartupTrace.mark("loaded");
      EmbedOptions options = embedding.resolve(embedder, null);
      if (tokens) {
        var out =
            new TokenEmbeddingsOutput(
                embedder,
                new BatchEmbedder(embedder, options, batchSize, this::warn),
                options,
                batchSize);
        long count =
            fmt == OutputFormat.npy
                ? out.npy(source, output)
                : output != null ? writeJsonl(out, source) : out.jsonl(source, env.stdout());
        if (count == 0) {
          warn(
              "no texts in "
                  + (Inputs.STDIN.equals(inputs.input) ? "stdin" : inputs.input)
                  + "; the output is empty");
        }
        return ExitCodes.OK;
      }
      int dims = options.dimensions() == 0 ? embedder.dimensions() : options.dimensions();
      QuantizationRange range = checkPrecision(stored, dims);
      // Only JSON inputs carry ids, so only then does the CSV get an id column.
      var writer =
          new EmbeddingOutput(fmt, dims, in.format() != null && in.format().hasIds(), stored);
      BatchEmbedder batches = new BatchEmbedder(embedder, options, batchSize, cut, this::warn);
      try (Progress progress =
          Progress.bytes(env, quiet || in.sizeBytes() < 0, "embed", 0, in.sizeBytes())) {
        EmbeddingOutput.Work work =
            target -> {
              EmbeddingSink sink =
                  stored == Precision.FLOAT32
                      ? target
                      : new QuantizingSink(target, stored, range, this::warn);
              long start = System.nanoTime();
              long count =
                  batches.run(
                      source,
                      sink::write,
                      n -> {
                        if (n <= batchSize) { // the first batch: only the last one can be short
                          StartupTrace.mark("first-batch");
                        }
                        sink.flush();
                        progress.update(source.bytesRead());
                        progress.message(rate(n, System.nanoTime() - start));
                      });
              if (count == 0) {
                warn(
                    "no texts in "
                        + (Inputs.STDIN.equals(inputs.input) ? "stdin" : inputs.input)
                        + "; the output is empty");
              }
              if (sink != target) {
                sink.finish(); // writes a held int8/uint8 input; EmbeddingOutput finishes the
                // target
              }
            };
        if (output != null) {
          writer.toFile(output, work);
        } else {
          writer.toStream(env.stdout(), work);
        }
      }
    }
    return ExitCodes.OK;
  }

  private Truncation truncation() {
    return switch (truncateFrom.toLowerCase(Locale.ROOT)) {
      case "right" -> Truncation.CUT;
      case "left" -> Truncation.CUT_LEFT;
      default ->
          throw new ParameterException(
              spec.commandLine(), "--truncate-from must be right or left, got " + truncateFrom);
    };
  }

  /** Whether token embeddings were asked for; refuses what does not apply to them. */
  private boolean tokenEmbeddings(OutputFormat fmt) {
    switch (outputValue) {
      case "sentence_embedding":
        return false;
      case "token_embeddings":
        break;
      default:
        throw new ParameterException(
            spec.commandLine(),
            "--output-value must be sentence_embedding or token_embeddings, got " + outputValue);
    }
    if (embedding.dims != null
        || precision != null
        || calibration != null
        || truncation() != Truncation.CUT) {
      throw new ParameterException(
          spec.commandLine(),
          "--output-value token_embeddings gives the model's full-width "
              + "float32 token vectors of each text's first tokens: --dims, --precision, --calibration and "
              + "--truncate-from left do not apply");
    }
    if (fmt != OutputFormat.jsonl && fmt != OutputFormat.npy) {
      throw new ParameterException(
          spec.commandLine(),
          "--output-value token_embeddings is written as jsonl or npy, not " + fmt);
    }
    if (fmt == OutputFormat.npy && output == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--output-value token_embeddings with npy writes two files "
              + "(X.npy and X.offsets.npy): give --output X.npy");
    }
    return true;
  }

  private long writeJsonl(TokenEmbeddingsOutput out, TextSource source) throws IOException {
    long[] count = new long[1];
    AtomicFiles.write(
        output,
        tmp -> {
          try (var stream = Files.newOutputStream(tmp)) {
            count[0] = out.jsonl(source, stream);
          }
        });
    return count[0];
  }

  private Precision parsePrecision() {
    if (precision == null) {
      if (calibration != null) {
        throw new ParameterException(
            spec.commandLine(), "--calibration applies to --precision int8 or uint8");
      }
      return Precision.FLOAT32;
    }
    try {
      Precision p = Precision.parse(precision);
      if (calibration != null && !p.needsRange()) {
        throw new ParameterException(
            spec.commandLine(),
            "--calibration applies to --precision int8 or uint8, not " + p.label());
      }
      return p;
    } catch (InvalidOptionException e) {
      throw new ParameterException(spec.commandLine(), "--precision: " + e.getMessage());
    }
  }

  /**
   * Usage errors for a width the precision cannot store; the calibration range, checked against it.
   */
  private QuantizationRange checkPrecision(Precision p, int dims) throws IOException {
    try {
      p.checkWidth(dims);
      if (calibration == null) {
        return null;
      }
      QuantizationRange range = CalibrationFile.read(calibration);
      range.requireWidth(dims);
      return range;
    } catch (InvalidOptionException e) {
      throw new ParameterException(
          spec.commandLine(), "--precision " + p.label() + ": " + e.getMessage());
    }
  }

  /** Refuses an output that would destroy the input or cannot be written, before any work. */
  private void checkOutput() throws IOException {
    if (Files.isDirectory(output)) {
      throw new ParameterException(
          spec.commandLine(), "--output " + output + " is a directory; give a file name");
    }
    // Stdin redirected from a file (< a.jsonl) is that file; /dev/stdin names it on Linux.
    Path in =
        inputs.input == null
            ? null
            : Inputs.STDIN.equals(inputs.input) ? Path.of("/dev/stdin") : Path.of(inputs.input);
    if (in != null && Files.exists(output) && Files.exists(in) && Files.isSameFile(output, in)) {
      throw new ParameterException(
          spec.commandLine(),
          "--output "
              + output
              + " is the input file "
              + (Inputs.STDIN.equals(inputs.input) ? "(stdin)" : inputs.input)
              + "; write the embeddings to another file");
    }
    AtomicFiles.check(output);
  }

  private OutputFormat outputFormat() {
    if (format != null) {
      return format;
    }
    OutputFormat fromName =
        output == null ? null : OutputFormat.fromName(output.getFileName().toString());
    return fromName != null ? fromName : OutputFormat.jsonl;
  }

  private void warn(String message) {
    if (!quiet) {
      root.environment().stderr().println("gemma-embed embed: warning: " + message);
    }
  }

  static String rate(long count, long nanos) {
    double seconds = Math.max(nanos, 1) / 1e9;
    return String.format(Locale.ROOT, "%,d texts, %.0f texts/s", count, count / seconds);
  }
}
