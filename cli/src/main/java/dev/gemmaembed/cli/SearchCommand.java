package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.gemmaembed.core.BinaryIndex;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.Passage;
import dev.gemmaembed.core.PassageSplitter;
import dev.gemmaembed.core.Precision;
import java.io.IOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
      "Long documents are searched in passages: a document longer than --passage-tokens (512) is "
          + "split into passages of at most that many tokens, overlapping by --overlap (64) tokens, "
          + "each cut back to a line boundary when one lies in its last 20%%; prompt, title, passage "
          + "and <bos>/<eos> always fit the model's window. Each passage is embedded on its own with "
          + "the document's prompt and title. A result shows the document, the passage's lines and "
          + "its text (--show characters); a document appears once, at its best passage, unless "
          + "--all-passages.",
      "",
      "--precision binary searches the passages' sign bits by Hamming distance, then rescores the "
          + "best --rescore-multiplier (4) x --top of them with the float query against int8 "
          + "vectors (--rescore float32: the float vectors). With the multiplier covering every "
          + "passage it equals the float search.",
      "",
      "--dir remembers: passage vectors are cached per model, prompt and --dims, keyed by each "
          + "passage's title and text, in $XDG_CACHE_HOME/gemma-embed/search (default ~/.cache/gemma-embed/search; "
          + "--cache-dir to move it, --no-cache to skip it), so a second search embeds only the query "
          + "and the passages that changed. The cache keeps at most 256 MiB, dropping the least recently "
          + "used vectors first; a damaged cache file is ignored and rebuilt.",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed search --query \"red planet\" \"Mars is red\" \"Venus is hot\"",
      "  gemma-embed search --query \"reset my password\" --dir ~/notes --top 5",
      "  gemma-embed search --query \"sort a list\" --input code.jsonl \\",
      "      --query-prompt CodeRetrieval",
      "  gemma-embed search --query \"rust\" --dir docs --format jsonl | jq .id",
      "  gemma-embed search --query \"pump oil interval\" --dir manuals --passage-tokens 256 \\",
      "      --overlap 32 --all-passages --show 400",
      "  gemma-embed search --query \"pump oil interval\" --dir manuals --precision binary"
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
          "table (default) or jsonl: {\"rank\", \"score\", \"index\", \"id\", \"passage\", "
              + "\"start_line\", \"end_line\", \"text\"} per line.")
  Format format;

  @Option(
      names = "--passage-tokens",
      paramLabel = "N",
      defaultValue = "" + PassageSplitter.DEFAULT_TOKENS,
      description =
          "Split documents longer than N tokens into passages (default: ${DEFAULT-VALUE}; "
              + PassageSplitter.MIN_TOKENS
              + " up to the model's window).")
  int passageTokens;

  @Option(
      names = "--overlap",
      paramLabel = "N",
      defaultValue = "" + PassageSplitter.DEFAULT_OVERLAP,
      description =
          "Tokens a passage shares with the one before (default: ${DEFAULT-VALUE}; less than --passage-tokens).")
  int overlap;

  @Option(
      names = "--show",
      paramLabel = "N",
      defaultValue = "200",
      description =
          "Characters of each result's passage to print (default: ${DEFAULT-VALUE}; 0: all of it).")
  int show;

  @Option(
      names = "--all-passages",
      description = "List passages on their own: a document may appear several times.")
  boolean allPassages;

  @Option(
      names = "--precision",
      paramLabel = "float32|binary",
      defaultValue = "float32",
      description =
          "float32 (default): exact search. binary: Hamming search over sign bits, then rescoring.")
  String precision;

  @Option(
      names = "--rescore-multiplier",
      paramLabel = "M",
      description =
          "With --precision binary: rescore the M x --top nearest by Hamming distance (default: "
              + DEFAULT_MULTIPLIER
              + ").")
  Integer rescoreMultiplier;

  @Option(
      names = "--rescore",
      paramLabel = "int8|float32",
      description =
          "With --precision binary: rescore against int8 vectors (default; their range from the "
              + "passages) or the float32 ones.")
  BinaryIndex.Rescore rescore;

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

  /** The default of --rescore-multiplier. */
  static final int DEFAULT_MULTIPLIER = 4;

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
    if (show < 0) {
      throw new ParameterException(spec.commandLine(), "--show must be 0 (all) or more");
    }
    BatchEmbedder.checkBatchSize(batchSize, spec.commandLine());
    checkPassageSizes(Integer.MAX_VALUE);
    boolean binary = parseBinary();
    int multiplier = rescoreMultiplier == null ? DEFAULT_MULTIPLIER : rescoreMultiplier;
    String warnPrefix = "gemma-embed search: warning: ";
    TextSource source =
        hasDocs
            ? new ListSource(docs)
            : dir != null
                ? DirSource.open(dir, followLinks)
                : Inputs.open(input, inputFormat, env, m -> env.stderr().println(warnPrefix + m))
                    .source();
    List<PassageRanking.Hit> ranked;
    try (source;
        Embedder embedder = modelOptions.load(env)) {
      long loaded = System.nanoTime();
      EmbeddingOptions.checkPrompt(spec.commandLine(), "--query-prompt", queryPrompt, embedder);
      int keep = EmbeddingOptions.checkDims(spec.commandLine(), dims, embedder);
      int width = keep == 0 ? embedder.dimensions() : keep;
      if (binary) {
        try {
          Precision.BINARY.checkWidth(width);
        } catch (InvalidOptionException e) {
          throw new ParameterException(
              spec.commandLine(), "--precision binary: " + e.getMessage() + "; choose --dims");
        }
      }
      checkPassageSizes(embedder.maxSeqLength());
      PassageSplitter splitter = new PassageSplitter(embedder, passageTokens, overlap);
      float[] q = embedder.embed(query, EmbedOptions.prompt(queryPrompt).withDimensions(keep));
      EmbedOptions documents = EmbedOptions.document().withDimensions(keep);
      PassageSource passages = new PassageSource(source, splitter, documents);
      PassageRanking ranking = new PassageRanking(top, allPassages);
      List<PassageSource.DocPassage> indexed = new ArrayList<>();
      List<float[]> vectors = new ArrayList<>();
      BatchEmbedder.Consumer offer =
          (record, v) -> {
            PassageSource.DocPassage where = passages.take(record);
            if (binary) {
              indexed.add(where);
              vectors.add(v);
            } else {
              ranking.offer(where, BinaryIndex.similarity(q, v));
            }
          };
      SearchCache cache =
          dir != null && !noCache ? openCache(env, embedder, documents, width, warnPrefix) : null;
      long[] fromCache = {0};
      TextSource toEmbed =
          cache == null
              ? passages
              : () -> {
                for (InputRecord passage; (passage = passages.next()) != null; ) {
                  float[] v = cache.get(SearchCache.key(passage));
                  if (v == null) {
                    return passage;
                  }
                  fromCache[0]++;
                  offer.accept(passage, v);
                }
                return null;
              };
      BatchEmbedder batches =
          new BatchEmbedder(
              embedder, documents, batchSize, m -> env.stderr().println(warnPrefix + m));
      long embedded =
          batches.run(
              toEmbed,
              (passage, v) -> {
                if (cache != null) {
                  cache.put(SearchCache.key(passage), v);
                }
                offer.accept(passage, v);
              },
              n -> {});
      if (embedded + fromCache[0] == 0) {
        throw CliException.input(
            "no documents to search in " + (input != null ? input : "the arguments"));
      }
      if (cache != null) {
        saveCache(env, cache, warnPrefix);
      }
      ranked = binary ? searchBinary(q, indexed, vectors, multiplier) : ranking.ranked();
      if (spec.commandLine().getParseResult().hasMatchedOption(ErrorHandler.VERBOSE)) {
        env.stderr()
            .println(
                "gemma-embed search: embedded "
                    + embedded
                    + " of "
                    + (embedded + fromCache[0])
                    + " passages of "
                    + passages.documents()
                    + " documents, "
                    + fromCache[0]
                    + " from the cache "
                    + (cache == null ? "(none)" : cache.file())
                    + String.format(
                        Locale.ROOT,
                        "; %.3f s from the loaded model to the ranking",
                        (System.nanoTime() - loaded) / 1e9));
      }
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
   * Usage errors for --passage-tokens and --overlap against {@code window} (MAX_VALUE: before the
   * model is loaded, the sizes alone).
   */
  private void checkPassageSizes(int window) {
    try {
      PassageSplitter.checkSizes(passageTokens, overlap, window);
    } catch (InvalidOptionException e) {
      String option =
          e.option() == InvalidOptionException.Option.OVERLAP ? "--overlap" : "--passage-tokens";
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  /** Whether --precision asks for the binary index; usage errors for what search cannot do. */
  private boolean parseBinary() {
    Precision p;
    try {
      p = Precision.parse(precision);
    } catch (InvalidOptionException e) {
      throw new ParameterException(spec.commandLine(), "--precision: " + e.getMessage());
    }
    if (p != Precision.FLOAT32 && p != Precision.BINARY) {
      throw new ParameterException(
          spec.commandLine(),
          "--precision: search runs float32 (exact) or binary (Hamming, then rescored), not "
              + p.label());
    }
    boolean binary = p == Precision.BINARY;
    if (!binary && (rescore != null || rescoreMultiplier != null)) {
      throw new ParameterException(
          spec.commandLine(), "--rescore and --rescore-multiplier apply to --precision binary");
    }
    if (rescoreMultiplier != null && rescoreMultiplier < 1) {
      throw new ParameterException(
          spec.commandLine(), "--rescore-multiplier must be at least 1, got " + rescoreMultiplier);
    }
    return binary;
  }

  /**
   * The binary index's answer: Hamming candidates among all passages, rescored, each document once
   * unless --all-passages. Passages are indexed in (document, passage) order, so equal scores rank
   * as in the float search.
   */
  private List<PassageRanking.Hit> searchBinary(
      float[] q, List<PassageSource.DocPassage> indexed, List<float[]> vectors, int multiplier) {
    Integer[] order = new Integer[indexed.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        Comparator.comparingLong((Integer i) -> indexed.get(i).document().index())
            .thenComparingInt(i -> indexed.get(i).passage().index()));
    List<float[]> rows = new ArrayList<>(order.length);
    for (Integer i : order) {
      rows.add(vectors.get(i));
    }
    BinaryIndex.Rescore with = rescore == null ? BinaryIndex.Rescore.INT8 : rescore;
    BinaryIndex index;
    try {
      index = BinaryIndex.build(rows, with, null);
    } catch (InvalidInputException e) {
      throw CliException.input(
          "--precision binary: int8 rescoring takes its range from the passages: "
              + e.getMessage()
              + "; or use --rescore float32");
    }
    int candidates = (int) Math.min(index.size(), (long) multiplier * top);
    List<PassageRanking.Hit> hits = new ArrayList<>(candidates);
    for (BinaryIndex.Hit h : index.rescore(q, index.candidates(q, candidates))) {
      hits.add(new PassageRanking.Hit(h.score(), indexed.get(order[h.row()])));
    }
    return PassageRanking.firstPerDocument(hits, top, allPassages);
  }

  private void saveCache(CliEnvironment env, SearchCache cache, String warnPrefix) {
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

  /** The passage's text in jsonl: its first --show characters (0: all). */
  private String shown(PassageRanking.Hit hit) {
    String text = hit.where().passage().text();
    return show == 0 ? text : Texts.cut(text, show);
  }

  private void writeJsonl(Writer out, List<PassageRanking.Hit> ranked) throws IOException {
    try (JsonGenerator json =
        new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
      json.setRootValueSeparator(new SerializedString(""));
      int rank = 1;
      for (PassageRanking.Hit hit : ranked) {
        InputRecord doc = hit.where().document();
        Passage passage = hit.where().passage();
        json.writeStartObject();
        json.writeNumberField("rank", rank++);
        json.writeNumberField("score", hit.score());
        json.writeNumberField("index", doc.index());
        json.writeFieldName("id");
        if (doc.id() == null) {
          json.writeNull();
        } else {
          JsonSink.writeId(json, doc.id());
        }
        json.writeNumberField("passage", passage.index());
        json.writeNumberField("start_line", passage.firstLine());
        json.writeNumberField("end_line", passage.lastLine());
        json.writeStringField("text", shown(hit));
        json.writeEndObject();
        json.writeRaw('\n');
      }
    }
  }

  private void writeTable(Writer out, List<PassageRanking.Hit> ranked) throws IOException {
    List<String> labels =
        ranked.stream()
            .map(h -> h.where().document())
            .map(d -> d.id() != null ? d.id().text() : "#" + d.index())
            .toList();
    List<String> lines =
        ranked.stream()
            .map(h -> h.where().passage())
            .map(p -> p.firstLine() + "-" + p.lastLine())
            .toList();
    int width = Math.min(40, Math.max(3, labels.stream().mapToInt(String::length).max().orElse(3)));
    int linesWidth = Math.max(5, lines.stream().mapToInt(String::length).max().orElse(5));
    String row = "%4s  %7s  %-" + width + "s  %-" + linesWidth + "s  %s\n";
    StringBuilder b =
        new StringBuilder(String.format(Locale.ROOT, row, "rank", "score", "doc", "lines", "text"));
    for (int i = 0; i < ranked.size(); i++) {
      PassageRanking.Hit hit = ranked.get(i);
      b.append(
          String.format(
              Locale.ROOT,
              row,
              i + 1,
              String.format(Locale.ROOT, "%.4f", hit.score()),
              Texts.snippet(labels.get(i), width),
              lines.get(i),
              Texts.snippet(hit.where().passage().text(), show == 0 ? Integer.MAX_VALUE : show)));
    }
    out.write(b.toString());
  }
}
