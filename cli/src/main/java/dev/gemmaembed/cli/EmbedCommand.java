package dev.gemmaembed.cli;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
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

/** {@code gemma-embed embed}: texts, a file or stdin in; embeddings out, streamed in input order. */
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
          + "header index[,id],d0,d1,... then one row per text; npy a float32 matrix for numpy.load. "
          + "An --output file is replaced only once complete (a symbolic link's target is written; "
          + "/dev/stdout, devices and FIFOs are written directly). A progress bar is drawn on stderr "
          + "for --input files when stderr is a terminal.",
    },
    footer = {"", "Examples:",
        "  gemma-embed embed --prompt query \"Which planet is known as the Red Planet?\"",
        "  gemma-embed embed --prompt document --input notes.txt --output notes.npy",
        "  gemma-embed embed --input docs.jsonl --dims 32 --output vectors.jsonl",
        "  gemma-embed embed --input texts.json --format csv > vectors.csv",
        "  cat texts.txt | gemma-embed embed --input - --prompt STS > vectors.jsonl",
        "  gemma-embed embed --prompt-text \"task: clustering | query: \" \"some text\""})
final class EmbedCommand implements Callable<Integer> {

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Mixin TextInputs inputs;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Write to FILE (replaced only once complete) instead of stdout.")
  Path output;

  @Option(names = {"-f", "--format"}, paramLabel = "jsonl|json|csv|npy",
      description = "Output format (default: from the --output extension, else jsonl).")
  OutputFormat format;

  @Mixin EmbeddingOptions embedding;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
      description = "Texts read and embedded together (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"-q", "--quiet"}, description = "No progress bar or warnings on stderr.")
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
    Inputs.Opened in = inputs.open(env, this::warn);
    try (TextSource source = in.source(); Embedder embedder = modelOptions.load(env)) {
      StartupTrace.mark("loaded");
      EmbedOptions options = embedding.resolve(embedder, null);
      int dims = options.dimensions() == 0 ? embedder.dimensions() : options.dimensions();
      // Only JSON inputs carry ids, so only then does the CSV get an id column.
      var writer = new EmbeddingOutput(fmt, dims, in.format() != null && in.format().hasIds());
      BatchEmbedder batches = new BatchEmbedder(embedder, options, batchSize, this::warn);
      try (Progress progress = Progress.bytes(env, quiet || in.sizeBytes() < 0, "embed", 0, in.sizeBytes())) {
        EmbeddingOutput.Work work = sink -> {
          long start = System.nanoTime();
          long count = batches.run(source, sink::write, n -> {
            if (n <= batchSize) { // the first batch: only the last one can be short
              StartupTrace.mark("first-batch");
            }
            sink.flush();
            progress.update(source.bytesRead());
            progress.message(rate(n, System.nanoTime() - start));
          });
          if (count == 0) {
            warn("no texts in " + (Inputs.STDIN.equals(inputs.input) ? "stdin" : inputs.input) + "; the output is empty");
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

  /** Refuses an output that would destroy the input or cannot be written, before any work. */
  private void checkOutput() throws IOException {
    if (Files.isDirectory(output)) {
      throw new ParameterException(spec.commandLine(), "--output " + output + " is a directory; give a file name");
    }
    // Stdin redirected from a file (< a.jsonl) is that file; /dev/stdin names it on Linux.
    Path in = inputs.input == null ? null : Inputs.STDIN.equals(inputs.input) ? Path.of("/dev/stdin") : Path.of(inputs.input);
    if (in != null && Files.exists(output) && Files.exists(in) && Files.isSameFile(output, in)) {
      throw new ParameterException(spec.commandLine(), "--output " + output + " is the input file "
          + (Inputs.STDIN.equals(inputs.input) ? "(stdin)" : inputs.input) + "; write the embeddings to another file");
    }
    AtomicFiles.check(output);
  }

  private OutputFormat outputFormat() {
    if (format != null) {
      return format;
    }
    OutputFormat fromName = output == null ? null : OutputFormat.fromName(output.getFileName().toString());
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
