package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import java.io.IOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.file.Files;
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
          + "\"title\" and \"id\", .json an array of strings or of such objects; '-' for stdin); or "
          + "--dir DIR: every .txt and .md file under DIR (hidden ones skipped), titled by its file "
          + "name, with its relative path as id. Documents are streamed; only the best --top are kept.",
      "",
      "--dir remembers: document vectors are cached per model, prompt and --dims, keyed by each "
          + "file's content, in $XDG_CACHE_HOME/gemma-embed/search (default ~/.cache/gemma-embed/search; "
          + "--cache-dir to move it, --no-cache to skip it), so a second search embeds only the query "
          + "and the files that changed. The cache keeps at most 256 MiB, dropping the least recently "
          + "used vectors first; a damaged cache file is ignored and rebuilt.",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed search --query \"red planet\" \"Mars is red\" \"Venus is hot\"",
      "  gemma-embed search --query \"reset my password\" --dir ~/notes --top 5",
      "  gemma-embed search --query \"sort a list\" --input code.jsonl \\",
      "      --query-prompt CodeRetrieval",
      "  gemma-embed search --query \"rust\" --dir docs --format jsonl | jq .id"
    })
final class SearchCommand implements Callable<Integer> {

  enum Format {
    table,
    jsonl
  }

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Option(
      names = "--query",
      required = true,
      paramLabel = "TEXT",
      description = "What to search for.")
  String query;

  @Parameters(
      arity = "0..*",
      paramLabel = "DOC",
      description = "Documents to rank (or use --input / --dir).")
  List<String> docs;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "Documents from FILE (.txt, .jsonl or .json), '-' for stdin.")
  String input;

  @Option(
      names = "--input-format",
      paramLabel = "txt|jsonl|json",
      description = "Input format (default: from the file extension; txt for stdin).")
  InputFormat inputFormat;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Documents: the .txt and .md files under DIR.")
  Path dir;

  @Option(
      names = "--follow-links",
      description =
          "With --dir: follow symbolic links out of DIR too (by default a "
              + "link is read only when it leads to a file inside DIR).")
  boolean followLinks;

  @Option(
      names = {"-k", "--top"},
      paramLabel = "K",
      defaultValue = "10",
      description = "Results to show (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "table|jsonl",
      defaultValue = "table",
      description =
          "table (default) or jsonl: {\"rank\", \"score\", \"index\", \"id\", \"text\"} per line.")
  Format format;

  @Option(
      names = "--query-prompt",
      paramLabel = "NAME",
      defaultValue = "query",
      description =
          "Prompt for the query (default: ${DEFAULT-VALUE}; e.g. CodeRetrieval, QuestionAnswering).")
  String queryPrompt;

  @Option(
      names = "--dims",
      paramLabel = "N",
      description = "Compare the first N dimensions, renormalised. Default: all.")
  Integer dims;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "32",
      description = "Documents embedded together (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Where --dir searches remember document vectors (default: $XDG_CACHE_HOME/gemma-embed/search, "
              + "else ~/.cache/gemma-embed/search).")
  Path cacheDir;

  @Option(
      names = "--no-cache",
      description = "Embed every --dir document again; read and write no cache.")
  boolean noCache;

  /** A scored document. */
  record Hit(float score, InputRecord doc) {}

  /** Best first; equal scores keep input order. */
  static final Comparator<Hit> BEST_FIRST =
      Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingLong(h -> h.doc().index());

  @Override
  public Integer call() throws IOException {
    CliEnvironment env = root.environment();
    boolean hasDocs = docs != null && !docs.isEmpty();
    int sources = (hasDocs ? 1 : 0) + (input != null ? 1 : 0) + (dir != null ? 1 : 0);
    if (sources != 1) {
      throw new ParameterException(
          spec.commandLine(),
          sources == 0
              ? "no documents: give them as arguments, or use --input FILE or --dir DIR"
              : "give documents one way: as arguments, --input or --dir");
    }
    if (top < 1) {
      throw new ParameterException(spec.commandLine(), "--top must be at least 1");
    }
    BatchEmbedder.checkBatchSize(batchSize, spec.commandLine());
    String warnPrefix = "gemma-embed search: warning: ";
    TextSource source =
        hasDocs
            ? new ListSource(docs)
            : dir != null
                ? DirSource.open(dir, followLinks)
                : Inputs.open(input, inputFormat, env, m -> env.stderr().println(warnPrefix + m))
                    .source();
    List<Hit> ranked;
    try (source;
        Embedder embedder = modelOptions.load(env)) {
      long loaded = System.nanoTime();
      EmbeddingOptions.checkPrompt(spec.commandLine(), "--query-prompt", queryPrompt, embedder);
      int keep = EmbeddingOptions.checkDims(spec.commandLine(), dims, embedder);
      float[] q = embedder.embed(query, EmbedOptions.prompt(queryPrompt).withDimensions(keep));
      // A min-heap of the best `top`: its head is the weakest hit kept, replaced by any better one.
      PriorityQueue<Hit> best = new PriorityQueue<>(top + 1, BEST_FIRST.reversed());
      BatchEmbedder.Consumer offer =
          (doc, v) -> {
            best.add(new Hit(Texts.cosine(q, v), doc));
            if (best.size() > top) {
              best.poll();
            }
          };
      EmbedOptions documents = EmbedOptions.document().withDimensions(keep);
      SearchCache cache =
          dir != null && !noCache
              ? openCache(
                  env, embedder, documents, keep == 0 ? embedder.dimensions() : keep, warnPrefix)
              : null;
      long[] fromCache = {0};
      TextSource toEmbed =
          cache == null
              ? source
              : () -> {
                for (InputRecord doc; (doc = source.next()) != null; ) {
                  float[] v = cache.get(SearchCache.key(doc));
                  if (v == null) {
                    return doc;
                  }
                  fromCache[0]++;
                  offer.accept(doc, v);
                }
                return null;
              };
      BatchEmbedder batches =
          new BatchEmbedder(
              embedder, documents, batchSize, m -> env.stderr().println(warnPrefix + m));
      long embedded =
          batches.run(
              toEmbed,
              (doc, v) -> {
                if (cache != null) {
                  cache.put(SearchCache.key(doc), v);
                }
                offer.accept(doc, v);
              },
              n -> {});
      if (embedded + fromCache[0] == 0) {
        throw CliException.input(
            "no documents to search in " + (input != null ? input : "the arguments"));
      }
      if (cache != null) {
        try {
          cache.save();
        } catch (IOException | RuntimeException e) {
          env.stderr()
              .println(
                  warnPrefix
                      + "could not write the search cache "
                      + cache.file()
                      + ": "
                      + ErrorHandler.describe(e));
        }
        if (spec.commandLine().getParseResult().hasMatchedOption(ErrorHandler.VERBOSE)) {
          env.stderr()
              .println(
                  "gemma-embed search: embedded "
                      + embedded
                      + " of "
                      + (embedded + fromCache[0])
                      + " documents, "
                      + fromCache[0]
                      + " from the cache "
                      + cache.file()
                      + String.format(
                          Locale.ROOT,
                          "; %.3f s from the loaded model to the ranking",
                          (System.nanoTime() - loaded) / 1e9));
        }
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

  /**
   * The cache of this model, prompt and dimension count, or null (with a warning) when the model's
   * files cannot even be looked at: the search then runs uncached.
   */
  private SearchCache openCache(
      CliEnvironment env,
      Embedder embedder,
      EmbedOptions documents,
      int dimensions,
      String warnPrefix) {
    Path folder = cacheDir != null ? cacheDir : defaultCacheDir(env);
    try {
      String space =
          "search documents\nmodel "
              + SearchCache.modelIdentity(ModelLocator.resolve(modelOptions.model, env))
              + "\nquantize "
              + modelOptions.quantize
              + "\nprompt "
              + embedder.prompts().get(documents.promptName())
              + "\ndimensions "
              + dimensions
              + "\nruntime "
              + runtimeIdentity();
      return SearchCache.open(folder, space, dimensions, SearchCache.MAX_BYTES);
    } catch (IOException e) {
      env.stderr().println(warnPrefix + "searching without the cache: " + ErrorHandler.describe(e));
      return null;
    }
  }

  /**
   * $XDG_CACHE_HOME/gemma-embed/search, else ~/.cache/gemma-embed/search (the XDG base directory
   * rule).
   */
  static Path defaultCacheDir(CliEnvironment env) {
    String xdg = env.variable("XDG_CACHE_HOME");
    Path base =
        xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg) : env.userHome().resolve(".cache");
    return base.resolve("gemma-embed").resolve("search");
  }

  /**
   * The code that computed the vectors: its version and, when it runs from a jar, that jar's size
   * and time, so a rebuilt runtime never reuses another build's vectors.
   */
  private static String runtimeIdentity() {
    String version = String.valueOf(GemmaEmbed.class.getPackage().getImplementationVersion());
    try {
      Path jar =
          Path.of(GemmaEmbed.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(jar)) {
        return version + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis();
      }
    } catch (URISyntaxException | IOException | RuntimeException e) {
      // no jar to describe: the version alone
    }
    return version;
  }

  private static void writeJsonl(Writer out, List<Hit> ranked) throws IOException {
    try (JsonGenerator json =
        new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
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
    List<String> labels =
        ranked.stream()
            .map(h -> h.doc().id() != null ? h.doc().id().text() : "#" + h.doc().index())
            .toList();
    int width = Math.min(40, Math.max(3, labels.stream().mapToInt(String::length).max().orElse(3)));
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT, "%4s  %7s  %-" + width + "s  %s\n", "rank", "score", "doc", "text"));
    for (int i = 0; i < ranked.size(); i++) {
      Hit hit = ranked.get(i);
      b.append(
          String.format(
              Locale.ROOT,
              "%4d  %7.4f  %-" + width + "s  %s\n",
              i + 1,
              hit.score(),
              Texts.snippet(labels.get(i), width),
              Texts.snippet(hit.doc().text(), 80)));
    }
    out.write(b.toString());
  }
}
