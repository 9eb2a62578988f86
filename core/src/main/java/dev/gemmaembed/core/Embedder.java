package dev.gemmaembed.core;

import dev.gemmaembed.core.gguf.GgufModelLoader;
import dev.gemmaembed.core.model.GemmaEncoder;
import dev.gemmaembed.core.model.HfModelLoader;
import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.core.model.ModelConfig;
import dev.gemmaembed.core.model.WeightQuantizer;
import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.SimdKernels;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An EmbeddingGemma model ready to embed text, producing the vectors that
 * {@code SentenceTransformer("google/embeddinggemma-300m").encode(...)} gives.
 *
 * <p>Each text is prefixed with its prompt, stripped as Python's {@code str.strip()} does,
 * tokenized as {@code <bos> … <eos>} and, when longer than {@link #maxSeqLength()} tokens,
 * truncated to {@code <bos>} + the first {@code maxSeqLength − 2} content tokens + {@code <eos>}
 * (what sentence-transformers does at its max_seq_length of 2048).
 *
 * <p>Thread-safe: any number of threads may call it at once; they share one compute pool and the
 * memory-mapped weights. {@link #close()} waits for the batch in flight, then unmaps the weights;
 * calls after that, and multi-batch calls at their next batch, fail with an
 * {@link IllegalStateException} ("closed") — never with an access to unmapped memory.
 */
public final class Embedder implements AutoCloseable {

  private final Arena arena;
  private final LoadedModel model;
  private final GemmaEncoder encoder;
  private final ComputePool pool;
  private final Prompts prompts;
  private final int maxBatchTokens;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private Embedder(Arena arena, LoadedModel model, LoadOptions options) {
    this.arena = arena;
    this.model = model;
    // packed weights freed on close; activation buffers sized for the batch budget
    this.encoder = new GemmaEncoder(model.config(), model.weights(), arena, options.maxBatchTokens());
    this.pool = new ComputePool(options.threads());
    this.prompts = new Prompts(model.prompts());
    this.maxBatchTokens = options.maxBatchTokens();
  }

  /** Loads a model directory (Hugging Face layout) or a GGUF file with default options. */
  public static Embedder load(Path path) {
    return load(path, LoadOptions.defaults());
  }

  public static Embedder load(Path path, LoadOptions options) {
    Arena arena = Arena.ofShared();
    try {
      LoadedModel model;
      if (Files.isDirectory(path)) {
        model = HfModelLoader.load(path, arena);
      } else if (GgufModelLoader.isGguf(path)) {
        model = GgufModelLoader.load(path, arena);
      } else if (!Files.exists(path)) {
        throw new ConfigException(path, "no such model directory or file");
      } else {
        throw new ConfigException(path, "not a model directory or GGUF file (expected a Hugging Face EmbeddingGemma folder or a .gguf)");
      }
      if (options.quantize() != null) {
        model = WeightQuantizer.quantize(model, options.quantize(), arena);
      }
      return new Embedder(arena, model, options);
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
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
    checkDimensions(options.dimensions());
    return embedSequences(texts.stream().map(t -> validate(tokenize(t, options))).iterator(), texts.size(), options.dimensions());
  }

  /** The token ids {@link #embed(String, EmbedOptions)} would feed the encoder. */
  public int[] tokenize(String text, EmbedOptions options) {
    if (text == null) {
      throw new InvalidInputException("text must not be null");
    }
    String full = PythonStrings.strip(prefix(options) + text);
    return model.tokenizer().encode(full, true, model.maxSeqLength());
  }

  /**
   * Embeds already tokenized sequences (each including its {@code <bos>}/{@code <eos>}), keeping
   * {@code dimensions} leading dimensions (0 for all).
   */
  public List<float[]> embedTokenIds(List<int[]> sequences, int dimensions) {
    checkDimensions(dimensions);
    for (int[] seq : sequences) {
      validate(seq);
    }
    return embedSequences(sequences.iterator(), sequences.size(), dimensions);
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
    var lock = lifecycle.readLock();
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("this Embedder is closed");
      }
      return runBatch(batch, dimensions);
    } finally {
      lock.unlock();
    }
  }

  private void checkDimensions(int dimensions) {
    int full = dimensions();
    if (dimensions < 0 || dimensions > full) {
      throw new InvalidInputException("dimensions must be between 1 and " + full + ", got " + dimensions);
    }
  }

  private List<float[]> runBatch(List<int[]> batch, int dimensions) {
    int[][] seqs = batch.toArray(new int[0][]);
    int[] lengths = new int[seqs.length];
    for (int i = 0; i < seqs.length; i++) {
      lengths[i] = seqs[i].length;
    }
    ModelConfig cfg = model.config();
    // the hidden states live in a pooled buffer, valid only inside the callback
    float[] pooled = encoder.forward(seqs, pool, hidden -> model.head().apply(hidden, cfg.hidden(), lengths, pool));
    int dim = dimensions();
    OutputChecks.requireFinite(pooled, dim, seqs, model);
    int keep = dimensions == 0 ? dim : dimensions;
    List<float[]> out = new ArrayList<>(seqs.length);
    for (int s = 0; s < seqs.length; s++) {
      float[] v = Arrays.copyOfRange(pooled, s * dim, s * dim + keep);
      if (keep < dim) {
        SimdKernels.l2Normalize(v, 0, keep);
      }
      out.add(v);
    }
    return out;
  }

  /** Checks a sequence fits the model: non-empty, within its positions, every id in its table. */
  private int[] validate(int[] seq) {
    if (seq.length == 0) {
      throw new InvalidInputException("a token sequence must not be empty");
    }
    if (seq.length > model.config().maxPositions()) {
      throw new InvalidInputException("a sequence of " + seq.length + " tokens exceeds the model's "
          + model.config().maxPositions() + " positions");
    }
    int rows = model.weights().embedTokens().rows();
    for (int id : seq) {
      if (id < 0 || id >= rows) {
        String piece = id >= 0 && id < model.tokenizer().vocabSize() ? " '" + model.tokenizer().piece(id) + "'" : "";
        throw new InvalidInputException("token id " + id + piece + " is outside the model's embedding table of "
            + rows + " rows");
      }
    }
    return seq;
  }

  private String prefix(EmbedOptions options) {
    if (options.title() != null) {
      return Prompts.documentWithTitle(options.title());
    }
    if (options.promptName() != null) {
      return prompts.get(options.promptName());
    }
    return options.promptText() == null ? "" : options.promptText();
  }

  /** Width of a full embedding (768 for EmbeddingGemma). */
  public int dimensions() {
    return model.head().outputDim(model.config().hidden());
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

  public ModelConfig config() {
    return model.config();
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
      arena.close();
    } finally {
      lock.unlock();
    }
  }
}
