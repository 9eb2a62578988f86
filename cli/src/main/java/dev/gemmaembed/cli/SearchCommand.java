package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gemma-embed search}: ranks documents against a query. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Rank documents by similarity to a query.",
      "",
      "The prompts are those the model card prescribes: the query prompt (task: search result | "
          + "query: ) on the query, the document prompt (title: none | text: ) on documents, or "
          + "title: {title} | text: for a document with a title.",
      "",
      "Documents: arguments; --input FILE (.txt one per line, .jsonl with \"text\" and optional "
          + "\"title\" and \"id\"; '-' for stdin); or --dir DIR: every .txt and .md file under DIR "
          + "(hidden ones skipped), titled by its file name, with its relative path as id. Documents "
          + "are streamed; only the best --top are kept.",
    },
    footer = {"", "Examples:",
        "  gemma-embed search --query \"red planet\" \"Mars is red\" \"Venus is hot\"",
        "  gemma-embed search --query \"reset my password\" --dir ~/notes --top 5",
        "  gemma-embed search --query \"sort a list\" --input code.jsonl \\",
        "      --query-prompt CodeRetrieval",
        "  gemma-embed search --query \"rust\" --dir docs --format jsonl | jq .id"})
final class SearchCommand implements Callable<Integer> {

  enum Format { table, jsonl }

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Option(names = "--query", required = true, paramLabel = "TEXT", description = "What to search for.")
  String query;

  @Parameters(arity = "0..*", paramLabel = "DOC", description = "Documents to rank (or use --input / --dir).")
  List<String> docs;

  @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "Documents from FILE (.txt or .jsonl), '-' for stdin.")
  String input;

  @Option(names = "--input-format", paramLabel = "txt|jsonl",
      description = "Input format (default: from the file extension; txt for stdin).")
  InputFormat inputFormat;

  @Option(names = "--dir", paramLabel = "DIR", description = "Documents: the .txt and .md files under DIR.")
  Path dir;

  @Option(names = "--follow-links", description = "With --dir: follow symbolic links out of DIR too (by default a "
      + "link is read only when it leads to a file inside DIR).")
  boolean followLinks;

  @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "10", description = "Results to show (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = {"-f", "--format"}, paramLabel = "table|jsonl", defaultValue = "table",
      description = "table (default) or jsonl: {\"rank\", \"score\", \"index\", \"id\", \"text\"} per line.")
  Format format;

  @Option(names = "--query-prompt", paramLabel = "NAME", defaultValue = "query",
      description = "Prompt for the query (default: ${DEFAULT-VALUE}; e.g. CodeRetrieval, QuestionAnswering).")
  String queryPrompt;

  @Option(names = "--dims", paramLabel = "N", description = "Compare the first N dimensions, renormalised. Default: all.")
  Integer dims;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
      description = "Documents embedded together (default: ${DEFAULT-VALUE}).")
  int batchSize;

  /** A scored document. */
  record Hit(float score, InputRecord doc) {}

  /** Best first; equal scores keep input order. */
  static final Comparator<Hit> BEST_FIRST = Comparator.comparingDouble((Hit h) -> -h.score())
      .thenComparingLong(h -> h.doc().index());

  @Override
  public Integer call() throws IOException {
    CliEnvironment env = root.environment();
    boolean hasDocs = docs != null && !docs.isEmpty();
    int sources = (hasDocs ? 1 : 0) + (input != null ? 1 : 0) + (dir != null ? 1 : 0);
    if (sources != 1) {
      throw new ParameterException(spec.commandLine(), sources == 0
          ? "no documents: give them as arguments, or use --input FILE or --dir DIR"
          : "give documents one way: as arguments, --input or --dir");
    }
    if (top < 1) {
      throw new ParameterException(spec.commandLine(), "--top must be at least 1");
    }
    BatchEmbedder.checkBatchSize(batchSize, spec.commandLine());
    TextSource source = hasDocs ? new ListSource(docs)
        : dir != null ? DirSource.open(dir, followLinks)
        : Inputs.open(input, inputFormat, env, m -> env.stderr().println("gemma-embed search: warning: " + m)).source();
    List<Hit> ranked;
    try (source; Embedder embedder = modelOptions.load(env)) {
      EmbeddingOptions.checkPrompt(spec.commandLine(), "--query-prompt", queryPrompt, embedder);
      int keep = EmbeddingOptions.checkDims(spec.commandLine(), dims, embedder);
      float[] q = embedder.embed(query, EmbedOptions.prompt(queryPrompt).withDimensions(keep));
      // A min-heap of the best `top`: its head is the weakest hit kept, replaced by any better one.
      PriorityQueue<Hit> best = new PriorityQueue<>(top + 1, BEST_FIRST.reversed());
      BatchEmbedder batches = new BatchEmbedder(embedder, EmbedOptions.document().withDimensions(keep), batchSize);
      long count = batches.run(source, (doc, v) -> {
        best.add(new Hit(Texts.cosine(q, v), doc));
        if (best.size() > top) {
          best.poll();
        }
      }, n -> {});
      if (count == 0) {
        throw CliException.input("no documents to search in " + (input != null ? input : "the arguments"));
      }
      ranked = new ArrayList<>(best);
      ranked.sort(BEST_FIRST);
    }
    Writer out = Texts.utf8(env.stdout());
    if (format == Format.jsonl) {
      writeJsonl(out, ranked);
    } else {
      writeTable(out, ranked);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void writeJsonl(Writer out, List<Hit> ranked) throws IOException {
    try (JsonGenerator json = new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
      json.setRootValueSeparator(new SerializedString(""));
      int rank = 1;
      for (Hit hit : ranked) {
        json.writeStartObject();
        json.writeNumberField("rank", rank++);
        json.writeNumberField("score", hit.score());
        json.writeNumberField("index", hit.doc().index());
        json.writeFieldName("id");
        if (hit.doc().id() == null) {
          json.writeNull();
        } else {
          JsonSink.writeId(json, hit.doc().id());
        }
        json.writeStringField("text", hit.doc().text());
        json.writeEndObject();
        json.writeRaw('\n');
      }
    }
  }

  private static void writeTable(Writer out, List<Hit> ranked) throws IOException {
    List<String> labels = ranked.stream()
        .map(h -> h.doc().id() != null ? h.doc().id().text() : "#" + h.doc().index())
        .toList();
    int width = Math.min(40, Math.max(3, labels.stream().mapToInt(String::length).max().orElse(3)));
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%4s  %7s  %-" + width + "s  %s\n", "rank", "score", "doc", "text"));
    for (int i = 0; i < ranked.size(); i++) {
      Hit hit = ranked.get(i);
      b.append(String.format(Locale.ROOT, "%4d  %7.4f  %-" + width + "s  %s\n", i + 1, hit.score(),
          Texts.snippet(labels.get(i), width), Texts.snippet(hit.doc().text(), 80)));
    }
    out.write(b.toString());
  }
}
