package dev.gemmaembed.cli;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
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
      "Input is streamed, so any size works in a small heap, and output is written as it goes. "
          + "--input FILE: a .txt file has one text per line (blank lines count); a .jsonl file has one "
          + "object per line with \"text\", an optional \"title\" (embedded as a document: "
          + "title: {title} | text: ...) and an optional \"id\" copied to the output. Input is UTF-8; "
          + "malformed bytes become U+FFFD.",
      "",
      "Output (--format, else from the --output extension, else jsonl): jsonl is one "
          + "{\"index\": i, \"id\": ..., \"embedding\": [...]} per line; json one array of those; csv a "
          + "header index[,id],d0,d1,... then one row per text; npy a float32 matrix for numpy.load. "
          + "--output files appear only once complete. A progress bar is drawn on stderr for --input "
          + "files when stderr is a terminal.",
    },
    footer = {"", "Examples:",
        "  gemma-embed embed --prompt query \"Which planet is known as the Red Planet?\"",
        "  gemma-embed embed --prompt document --input notes.txt --output notes.npy",
        "  gemma-embed embed --input docs.jsonl --dims 256 --output vectors.jsonl",
        "  cat texts.txt | gemma-embed embed --input - --prompt STS > vectors.jsonl",
        "  gemma-embed embed --prompt-text \"task: clustering | query: \" \"some text\""})
final class EmbedCommand implements Callable<Integer> {

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to embed (or use --input).")
  List<String> texts;

  @Option(names = {"-i", "--input"}, paramLabel = "FILE",
      description = "Read texts from FILE (.txt or .jsonl), or from stdin with '-'.")
  String input;

  @Option(names = "--input-format", paramLabel = "txt|jsonl",
      description = "Input format (default: from the file extension; txt for stdin).")
  InputFormat inputFormat;

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
    CliEnvironment env = root.environment();
    boolean hasTexts = texts != null && !texts.isEmpty();
    if (hasTexts == (input != null)) {
      throw new ParameterException(spec.commandLine(), hasTexts
          ? "give texts as arguments or --input, not both"
          : "nothing to embed: give texts as arguments, or --input FILE ('-' for stdin)");
    }
    BatchEmbedder.checkBatchSize(batchSize, spec.commandLine());
    if (output != null && Files.isDirectory(output)) {
      throw new ParameterException(spec.commandLine(), "--output " + output + " is a directory; give a file name");
    }
    OutputFormat fmt = outputFormat();
    Inputs.Opened in = hasTexts
        ? new Inputs.Opened(new ListSource(texts), null, -1)
        : Inputs.open(input, inputFormat, env, this::warn);
    try (TextSource source = in.source(); Embedder embedder = modelOptions.load(env)) {
      EmbedOptions options = embedding.resolve(embedder, null);
      int dims = options.dimensions() == 0 ? embedder.dimensions() : options.dimensions();
      // Only JSONL carries ids, so only then does the CSV get an id column.
      var writer = new EmbeddingOutput(fmt, dims, in.format() == InputFormat.jsonl);
      BatchEmbedder batches = new BatchEmbedder(embedder, options, batchSize);
      try (Progress progress = Progress.bytes(env, quiet || in.sizeBytes() < 0, "embed", 0, in.sizeBytes())) {
        EmbeddingOutput.Work work = sink -> {
          long start = System.nanoTime();
          batches.run(source, sink::write, count -> {
            sink.flush();
            progress.update(source.bytesRead());
            progress.message(rate(count, System.nanoTime() - start));
          });
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
