package dev.gemmaembed.core;

import dev.gemmaembed.core.gguf.GgufModelLoader;
import dev.gemmaembed.core.model.Architecture;
import dev.gemmaembed.core.model.Encoder;
import dev.gemmaembed.core.model.EncoderWarmUp;
import dev.gemmaembed.core.model.HfModelLoader;
import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.core.model.ModelConfig;
import dev.gemmaembed.core.model.WeightQuantizer;
import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.tokenizer.Encoding;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import dev.gemmaembed.tokenizer.TruncatedIds;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An EmbeddingGemma model ready to embed text, producing the vectors that {@code
 * SentenceTransformer("google/embeddinggemma-300m").encode(...)} gives.
 *
 * <p>Each text is prefixed with its prompt, stripped as Python's {@code str.strip()} does,
 * tokenized as {@code <bos> … <eos>} and, when longer than {@link #maxSeqLength()} tokens,
 * truncated to {@code <bos>} + the first {@code maxSeqLength − 2} content tokens + {@code <eos>}
 * (what sentence-transformers does at its max_seq_length of 2048).
 *
 * <p>Thread-safe: any number of threads may call it at once; they share one compute pool and the
 * memory-mapped weights. {@link #close()} waits for the batch in flight, then unmaps the weights;
 * calls after that, and multi-batch calls at their next batch, fail with an {@link
 * IllegalStateException} ("closed") — never with an access to unmapped memory.
 */
public final class Embedder implements AutoCloseable {

  private final Arena arena;
  private final LoadedModel model;
  private final Encoder encoder;
  private final ComputePool pool;
  private final Prompts prompts;
  private final InputRules rules;
  private final int maxBatchTokens;
  private final EncoderWarmUp.Request warmUp;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private Embedder(
      Arena arena, LoadedModel model, LoadOptions options, EncoderWarmUp.Request warmUp) {
    this.arena = arena;
    this.model = model;
    this.warmUp = warmUp;
    // packed weights freed on close; activation buffers sized for the batch budget
    this.encoder =
        model.encoder().newEncoder(arena, options.maxBatchTokens(), options.packWeights());
    this.pool = new ComputePool(options.threads());
    this.prompts = new Prompts(model.prompts());
    this.rules = new InputRules(model, prompts, dimensions());
    this.maxBatchTokens = options.maxBatchTokens();
  }

  /**
   * The kernels run on the Vector API, an incubator module that the JVM resolves only when asked
   * to: without it, the first kernel class would fail with a NoClassDefFoundError deep in loading.
   */
  private static void requireVectorModule() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      throw new GemmaEmbedException(
          "gemma-embed needs the JVM option --add-modules jdk.incubator.vector "
              + "(the Vector API is an incubator module): add it to the java command line, or to your build's "
              + "test and run JVM arguments (Maven surefire/exec argLine, Gradle jvmArgs, the IDE's VM options)");
    }
  }

  /** Loads a model directory (Hugging Face layout) or a GGUF file with default options. */
  public static Embedder load(Path path) {
    return load(path, LoadOptions.defaults());
  }

  public static Embedder load(Path path, LoadOptions options) {
    requireVectorModule();
    Arena arena = Arena.ofShared();
    EncoderWarmUp.Request warmUp = new EncoderWarmUp.Request();
    try {
      Supplier<LoadedModel> load =
          () ->
              byKind(
                  path,
                  dir -> HfModelLoader.load(dir, arena),
                  file -> GgufModelLoader.load(file, arena));
      // a one-pass job (weights left unpacked) warms the kernels up while the tokenizer loads;
      // matrices about to be quantized would be warmed up in the wrong format
      LoadedModel model =
          !options.packWeights() && options.quantize() == null
              ? EncoderWarmUp.whileLoading(warmUp, load)
              : load.get();
      if (options.quantize() != null) {
        model = WeightQuantizer.quantize(model, options.quantize(), arena);
      }
      return new Embedder(arena, model, options, warmUp);
    } catch (RuntimeException e) {
      warmUp.close();
      arena.close();
      throw e;
    }
  }

  /**
   * The tokenizer of a model directory or GGUF file, without loading its weights (what {@code
   * gemma-embed tokenize} needs).
   */
  public static GemmaTokenizer loadTokenizer(Path path) {
    return byKind(path, GemmaTokenizer::fromDirectory, GgufModelLoader::loadTokenizer);
  }

  /**
   * Applies {@code directory} to a Hugging Face model folder, {@code gguf} to a GGUF file; refuses
   * anything else.
   */
  private static <T> T byKind(Path path, Function<Path, T> directory, Function<Path, T> gguf) {
    if (Files.isDirectory(path)) {
      return directory.apply(path);
    }
    if (GgufModelLoader.isGguf(path)) {
      return gguf.apply(path);
    }
    if (!Files.exists(path)) {
      throw new ConfigException(path, "no such model directory or file");
    }
    throw new ConfigException(
        path,
        "not a model directory or GGUF file (expected a Hugging Face EmbeddingGemma folder or a .gguf)");
  }

  /** Embeds one text with no prompt. */
  public float[] embed(String text) {
    return embed(text, EmbedOptions.DEFAULT);
  }

  public float[] embed(String text, EmbedOptions options) {
    return embedAll(List.of(text), options).getFirst();
  }

  /** Embeds a query with the model's {@code query} prompt. */
  public float[] embedQuery(String query) {
    return embed(query, EmbedOptions.query());
  }

  /** Embeds a document with the model's {@code document} prompt ({@code title: none | text: }). */
  public float[] embedDocument(String text) {
    return embed(text, EmbedOptions.document());
  }

  /** Embeds a document with a real title ({@code title: {title} | text: }). */
  public float[] embedDocument(String title, String text) {
    return embed(text, EmbedOptions.document(title));
  }

  /**
   * Embeds texts with the same options; results are in input order. Texts are tokenized and
   * embedded batch by batch (at most {@link LoadOptions#maxBatchTokens()} tokens each), so memory
   * holds one batch of activations plus the output vectors.
   */
  public List<float[]> embedAll(List<String> texts, EmbedOptions options) {
    validate(options);
    return embedSequences(
        texts.stream().map(t -> rules.checkSequence(tokenize(t, options))).iterator(),
        texts.size(),
        options.dimensions());
  }

  /**
   * The token ids {@link #embed(String, EmbedOptions)} would feed the encoder (cut to {@link
   * #maxSeqLength()}).
   */
  public int[] tokenize(String text, EmbedOptions options) {
    return prepare(text, options, Truncation.CUT).ids();
  }

  /**
   * Checks {@code options} against this model: a prompt name it has, and at most {@link
   * #dimensions()} dimensions. Adapters call it before reading any input, to report a bad option
   * (by {@link InvalidOptionException#option()}) under their own parameter's name.
   *
   * @throws InvalidOptionException naming the offending option
   */
  public void validate(EmbedOptions options) {
    rules.validate(options);
  }

  /**
   * The ids of {@code text} as {@link #embed(String, EmbedOptions)} feeds them to the encoder, and
   * whether the text had to be cut to {@link #maxSeqLength()} tokens.
   *
   * @throws InputTooLongException if it is too long and {@code truncation} is {@link
   *     Truncation#REFUSE}
   * @throws InvalidOptionException for an unknown prompt name
   * @see Truncation#CUT_LEFT
   */
  public TruncatedIds prepare(String text, EmbedOptions options, Truncation truncation) {
    return rules.prepare(text, options, truncation);
  }

  /**
   * A text's content ids (no {@code <bos>}/{@code <eos>}, no prompt) wrapped in the special tokens
   * and cut to {@link #maxSeqLength()} as a text's are, each id checked against the model's table.
   *
   * @throws InputTooLongException if they are too many and {@code truncation} is {@link
   *     Truncation#REFUSE}
   * @throws InvalidInputException for an id outside the model's embedding table
   */
  public TruncatedIds prepare(int[] contentIds, Truncation truncation) {
    return rules.prepare(contentIds, truncation);
  }

  /**
   * The string the tokenizer gets for {@code text}: the prompt's prefix + text, stripped with
   * Python's whitespace set; token offsets of {@link #tokenizer()} refer to it.
   */
  public String promptedText(String text, EmbedOptions options) {
    return rules.promptedText(text, options);
  }

  /**
   * Embeds already tokenized sequences (each including its {@code <bos>}/{@code <eos>}), keeping
   * {@code dimensions} leading dimensions (0 for all).
   */
  public List<float[]> embedTokenIds(List<int[]> sequences, int dimensions) {
    validate(EmbedOptions.DEFAULT.withDimensions(dimensions));
    for (int[] seq : sequences) {
      rules.checkSequence(seq);
    }
    return embedSequences(sequences.iterator(), sequences.size(), dimensions);
  }

  /**
   * Per-token vectors of each text, as sentence-transformers' {@code encode(...,
   * output_value="token_embeddings")} gives them: the final-norm hidden states of the tokens {@link
   * #embed(String, EmbedOptions)} would run, before pooling, Dense and normalisation, with their
   * ids and code-point offsets (as {@code /tokenize} reports them).
   *
   * @throws InvalidOptionException for a prompt the model lacks, or {@code dimensions} (Matryoshka
   *     cuts the pooled vector, not token vectors)
   */
  public List<TokenEmbeddings> embedTokens(List<String> texts, EmbedOptions options) {
    validate(options);
    if (options.dimensions() != 0) {
      throw new InvalidOptionException(
          InvalidOptionException.Option.DIMENSIONS,
          "token embeddings have the model's full width; a Matryoshka cut applies to pooled embeddings only");
    }
    List<TokenEmbeddings> out = new ArrayList<>(texts.size());
    List<int[]> batch = new ArrayList<>();
    List<Encoding> offsets = new ArrayList<>();
    int tokens = 0;
    for (String text : texts) {
      int[] ids = rules.checkSequence(tokenize(text, options));
      if (!batch.isEmpty() && tokens + ids.length > maxBatchTokens) {
        out.addAll(locked(() -> runTokens(batch, offsets)));
        batch.clear();
        offsets.clear();
        tokens = 0;
      }
      batch.add(ids);
      offsets.add(tokenizer().encodeWithOffsets(promptedText(text, options), true));
      tokens += ids.length;
    }
    if (!batch.isEmpty()) {
      out.addAll(locked(() -> runTokens(batch, offsets)));
    }
    return out;
  }

  private List<TokenEmbeddings> runTokens(List<int[]> batch, List<Encoding> encodings) {
    int[][] seqs = batch.toArray(new int[0][]);
    int width = model.config().hidden();
    // the hidden states live in a pooled buffer, valid only inside the callback: copy each text's
    // rows
    List<float[]> rows =
        encoder.forward(
            seqs,
            pool,
            hidden -> {
              List<float[]> copies = new ArrayList<>(seqs.length);
              int at = 0;
              for (int[] seq : seqs) {
                copies.add(Arrays.copyOfRange(hidden, at, at + seq.length * width));
                at += seq.length * width;
              }
              return copies;
            });
    List<TokenEmbeddings> out = new ArrayList<>(seqs.length);
    for (int s = 0; s < seqs.length; s++) {
      OutputChecks.requireFinite(rows.get(s), rows.get(s).length, new int[][] {seqs[s]}, model);
      out.add(withOffsets(seqs[s], encodings.get(s), rows.get(s), width));
    }
    return out;
  }

  /**
   * Offsets for the ids the encoder ran: the full encoding's, except that a cut sequence ends in
   * the encoding's {@code <eos>} (the last {@code maxSeqLength − 2} content tokens were dropped).
   */
  private static TokenEmbeddings withOffsets(int[] ids, Encoding e, float[] vectors, int width) {
    int n = ids.length;
    int[] starts = new int[n];
    int[] ends = new int[n];
    for (int t = 0; t < n; t++) {
      int from = t == n - 1 ? e.size() - 1 : t;
      if (e.id(from) != ids[t]) {
        throw new IllegalStateException(
            "token "
                + t
                + ": the encoder ran id "
                + ids[t]
                + ", the offsets are of id "
                + e.id(from));
      }
      // template tokens (<bos>, <eos>) cover no text
      boolean template = e.utf16Start(from) == e.utf16End(from);
      starts[t] = template ? -1 : e.start(from);
      ends[t] = template ? -1 : e.end(from);
    }
    return new TokenEmbeddings(ids, starts, ends, vectors, width);
  }

  private List<float[]> embedSequences(Iterator<int[]> sequences, int count, int dimensions) {
    List<float[]> out = new ArrayList<>(count);
    List<int[]> batch = new ArrayList<>();
    int tokens = 0;
    while (sequences.hasNext()) {
      int[] seq = sequences.next();
      if (!batch.isEmpty() && tokens + seq.length > maxBatchTokens) {
        out.addAll(runLocked(batch, dimensions));
        batch.clear();
        tokens = 0;
      }
      batch.add(seq);
      tokens += seq.length;
    }
    if (!batch.isEmpty()) {
      out.addAll(runLocked(batch, dimensions));
    }
    return out;
  }

  /**
   * Runs one batch while holding the read side of the lifecycle lock: {@link #close()} waits for
   * the batch in flight, and a multi-batch call fails cleanly at its next batch once closed.
   */
  private List<float[]> runLocked(List<int[]> batch, int dimensions) {
    return locked(() -> runBatch(batch, dimensions));
  }

  private <R> R locked(Supplier<R> work) {
    var lock = lifecycle.readLock();
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("this Embedder is closed");
      }
      warmUp.stop(); // the real pass takes over the cores
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  private List<float[]> runBatch(List<int[]> batch, int dimensions) {
    int[][] seqs = batch.toArray(new int[0][]);
    int[] lengths = new int[seqs.length];
    for (int i = 0; i < seqs.length; i++) {
      lengths[i] = seqs[i].length;
    }
    int width = model.encoder().outputWidth();
    // the hidden states live in a pooled buffer, valid only inside the callback
    float[] pooled =
        encoder.forward(seqs, pool, hidden -> model.head().apply(hidden, width, lengths, pool));
    int dim = dimensions();
    OutputChecks.requireFinite(pooled, dim, seqs, model);
    List<float[]> out = new ArrayList<>(seqs.length);
    for (int s = 0; s < seqs.length; s++) {
      out.add(Matryoshka.cut(pooled, s * dim, dim, dimensions));
    }
    return out;
  }

  /** Width of a full embedding (768 for EmbeddingGemma). */
  public int dimensions() {
    return model.head().outputDim(model.encoder().outputWidth());
  }

  /** Maximum tokens per text, bos and eos included. */
  public int maxSeqLength() {
    return model.maxSeqLength();
  }

  public Prompts prompts() {
    return prompts;
  }

  public GemmaTokenizer tokenizer() {
    return model.tokenizer();
  }

  /**
   * The Gemma 3 hyper-parameters; a {@link ConfigException} for a model of another {@link
   * #architecture()}.
   */
  public ModelConfig config() {
    return model.config();
  }

  public Architecture architecture() {
    return model.encoder().architecture();
  }

  /** Rows of the token embedding table (token ids must be below it). */
  public int vocabSize() {
    return model.encoder().vocabSize();
  }

  /** Where the model was loaded from. */
  public String source() {
    return model.source();
  }

  public int threads() {
    return pool.threads();
  }

  @Override
  public void close() {
    var lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      pool.close();
      warmUp.close();
      arena.close();
    } finally {
      lock.unlock();
    }
  }
}
