package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.Prompts;
import dev.gemmaembed.core.model.Eg2Config;
import dev.gemmaembed.core.model.Eg2Model;
import dev.gemmaembed.core.model.Eg2Rope;
import dev.gemmaembed.core.model.Eg2Weights;
import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.core.model.PoolingMode;
import dev.gemmaembed.core.model.SentenceTransformerHead;
import dev.gemmaembed.core.model.TensorSource;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a {@code gemma-embedding2} GGUF ({@link Eg2GgufNames}): the text model's config from the
 * metadata, its tensors by llama.cpp's names, the SentencePiece vocabulary, mean pooling and L2,
 * and EmbeddingGemma 2's prompts. A file lacking any key or tensor the model needs is refused with
 * one line naming all of them.
 */
final class Eg2GgufLoader {

  /**
   * sentence-transformers' max_seq_length of the release (sentence_bert_config.json), which a GGUF
   * does not carry.
   */
  private static final int MAX_SEQ_LENGTH = 2048;

  private Eg2GgufLoader() {}

  static LoadedModel load(GgufFile gguf, GgufMetadata meta) {
    checkComplete(gguf, meta);
    Eg2Config cfg = config(gguf, meta);
    if (meta.id(Eg2GgufNames.POOLING_TYPE, 1) != 1) {
      throw meta.invalid(
          Eg2GgufNames.POOLING_TYPE,
          "EmbeddingGemma 2 pools by mean (1), got " + meta.id(Eg2GgufNames.POOLING_TYPE, 1));
    }
    Eg2Weights weights = Eg2Weights.load(cfg, new Names(gguf));
    SentenceTransformerHead head =
        new SentenceTransformerHead(List.of(PoolingMode.MEAN), List.of(), true);
    GemmaTokenizer tokenizer = GgufModelLoader.tokenizer(gguf, meta);
    gguf.releaseHeader();
    return new LoadedModel(
        new Eg2Model(cfg, weights),
        head,
        tokenizer,
        Prompts.EMBEDDING_GEMMA2,
        Math.min(cfg.maxPositions(), MAX_SEQ_LENGTH),
        gguf.path().toString());
  }

  /** One line naming every required key and tensor the file lacks. */
  private static void checkComplete(GgufFile gguf, GgufMetadata meta) {
    List<String> missing = new ArrayList<>();
    for (String key : Eg2GgufNames.REQUIRED) {
      if (!meta.has(key)) {
        missing.add("key " + key);
      }
    }
    if (meta.has(Eg2GgufNames.BLOCK_COUNT)) {
      for (String t : Eg2GgufNames.requiredTensors(meta.positiveInt(Eg2GgufNames.BLOCK_COUNT))) {
        if (gguf.find(t).isEmpty()) {
          missing.add("tensor " + t);
        }
      }
    }
    if (!missing.isEmpty()) {
      int shown = Math.min(missing.size(), 12);
      throw new CheckpointException(
          gguf.path(),
          Eg2GgufNames.ARCH
              + " file lacks what the loader needs: "
              + String.join(", ", missing.subList(0, shown))
              + (missing.size() > shown ? " and " + (missing.size() - shown) + " more" : "")
              + " (these names are unverified against llama.cpp's converter; see inspect)");
    }
  }

  private static Eg2Config config(GgufFile gguf, GgufMetadata meta) {
    int layers = meta.positiveInt(Eg2GgufNames.BLOCK_COUNT);
    int heads = meta.positiveInt(Eg2GgufNames.HEAD_COUNT);
    int globalDim = meta.positiveInt(Eg2GgufNames.KEY_LENGTH);
    int slidingDim = meta.positiveInt(Eg2GgufNames.KEY_LENGTH_SWA);
    GgufArray kv = meta.array(Eg2GgufNames.HEAD_COUNT_KV, GgufValueType.INT32);
    GgufValue patternValue = gguf.metadata().get(Eg2GgufNames.SLIDING_WINDOW_PATTERN);
    GgufArray pattern = patternValue.type() == GgufValueType.ARRAY ? patternValue.asArray() : null;
    if (pattern == null || pattern.length() != layers || kv.length() != layers) {
      throw meta.invalid(
          pattern == null || pattern.length() != layers
              ? Eg2GgufNames.SLIDING_WINDOW_PATTERN
              : Eg2GgufNames.HEAD_COUNT_KV,
          "must be an array of block_count = " + layers + " entries");
    }
    boolean[] full = new boolean[layers];
    int[] headDim = new int[layers];
    int[] kvHeads = new int[layers];
    for (int l = 0; l < layers; l++) {
      boolean sliding =
          pattern.elementType() == GgufValueType.BOOL
              ? pattern.booleanAt(l)
              : pattern.longAt(l) != 0;
      full[l] = !sliding;
      headDim[l] = full[l] ? globalDim : slidingDim;
      long n = kv.longAt(l);
      if (n < 1 || n > heads || heads % n != 0) {
        throw meta.invalid(
            Eg2GgufNames.HEAD_COUNT_KV,
            "layer " + l + ": " + n + " does not divide head_count " + heads);
      }
      kvHeads[l] = (int) n;
      if (headDim[l] % 2 != 0) {
        throw meta.invalid(
            full[l] ? Eg2GgufNames.KEY_LENGTH : Eg2GgufNames.KEY_LENGTH_SWA,
            "must be even, got " + headDim[l]);
      }
    }
    int window = meta.positiveInt(Eg2GgufNames.SLIDING_WINDOW);
    if (window < 2) {
      throw meta.invalid(
          Eg2GgufNames.SLIDING_WINDOW, "must be at least 2 (twice the radius), got " + window);
    }
    int hidden = meta.positiveInt(Eg2GgufNames.EMBEDDING_LENGTH);
    GgufTensor table = gguf.require("token_embd.weight");
    GgufTensor output = gguf.require("output.weight");
    if (table.ne().length != 2
        || table.ne()[0] != hidden
        || table.ne()[1] > Integer.MAX_VALUE
        || output.ne().length != 2
        || output.ne()[0] != hidden
        || output.ne()[1] > Integer.MAX_VALUE) {
      throw new CheckpointException(
          gguf.path(),
          "tensors token_embd.weight "
              + java.util.Arrays.toString(table.ne())
              + " and output.weight "
              + java.util.Arrays.toString(output.ne())
              + " must be ["
              + hidden
              + ", n]");
    }
    int context = meta.optPositiveInt(Eg2GgufNames.CONTEXT_LENGTH).orElse(262_144);
    return new Eg2Config(
        (int) table.ne()[1],
        hidden,
        meta.positiveInt(Eg2GgufNames.FEED_FORWARD_LENGTH),
        layers,
        heads,
        headDim,
        kvHeads,
        full,
        window / 2,
        rope(meta, Eg2GgufNames.FREQ_BASE_SWA, 1e4, Eg2GgufNames.ROPE_DIMS_SWA, slidingDim),
        rope(meta, Eg2GgufNames.FREQ_BASE, 1e6, Eg2GgufNames.ROPE_DIMS, globalDim),
        meta.positiveInt(Eg2GgufNames.PLE_WIDTH),
        (int) output.ne()[1],
        (float) (double) meta.optNumber(Eg2GgufNames.RMS_EPS).orElse(1e-6),
        Math.min(context, 1 << 20));
  }

  /** Default RoPE when every dim rotates; else proportional over the first dims/2 pairs. */
  private static Eg2Rope rope(
      GgufMetadata meta, String baseKey, double base, String dimsKey, int headDim) {
    double theta = meta.optNumber(baseKey).orElse(base);
    int dims = meta.optPositiveInt(dimsKey).orElse(headDim);
    if (dims > headDim || dims % 2 != 0) {
      throw meta.invalid(
          dimsKey, "must be even and at most the head width " + headDim + ", got " + dims);
    }
    return dims == headDim
        ? Eg2Rope.plain(theta)
        : new Eg2Rope(Eg2Rope.PROPORTIONAL, theta, 1.0, (double) dims / headDim);
  }

  /** The text model's tensors by their Hugging Face names, read under their GGUF names. */
  private static final class Names implements TensorSource {
    private final GgufFile file;
    private final GgufTensorSource src;

    Names(GgufFile file) {
      this.file = file;
      this.src = new GgufTensorSource(file);
    }

    @Override
    public boolean has(String name) {
      String g = Eg2GgufNames.fromHf(name);
      return g != null && file.find(g).isPresent();
    }

    @Override
    public WeightMatrix matrix(String name, int rows, int cols) {
      return src.matrixByGgufName(gguf(name), rows, cols);
    }

    @Override
    public float[] vector(String name, int n) {
      return src.vectorByGgufName(gguf(name), n);
    }

    private String gguf(String hfName) {
      String g = Eg2GgufNames.fromHf(hfName);
      if (g == null) {
        throw new CheckpointException(
            file.path(), "no " + Eg2GgufNames.ARCH + " tensor corresponds to '" + hfName + "'");
      }
      return g;
    }
  }
}
