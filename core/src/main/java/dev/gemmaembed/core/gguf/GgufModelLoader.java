package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.Prompts;
import dev.gemmaembed.core.model.ConfigRanges;
import dev.gemmaembed.core.model.DenseLayer;
import dev.gemmaembed.core.model.EncoderWarmUp;
import dev.gemmaembed.core.model.EncoderWeights;
import dev.gemmaembed.core.model.FiniteWeights;
import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.core.model.ModelConfig;
import dev.gemmaembed.core.model.PoolingMode;
import dev.gemmaembed.core.model.PositionalTokenTable;
import dev.gemmaembed.core.model.SentenceTransformerHead;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import dev.gemmaembed.tokenizer.SpecialTokens;
import dev.gemmaembed.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads an EmbeddingGemma GGUF: llama.cpp's {@code gemma-embedding} architecture (spec §6.3, Dense
 * layers {@code dense_2}/{@code dense_3} when converted with them) or Ollama's {@code gemma3}
 * embedding layout ({@code dense.0}/{@code dense.1}). The config comes from the {@code <arch>.*}
 * keys, the tokenizer from {@code tokenizer.ggml.*}; norm weights already hold (1 + w). The head is
 * mean pooling (or the file's {@code pooling_type}) → Dense → Dense → L2.
 */
public final class GgufModelLoader {

  private static final System.Logger LOG = System.getLogger(GgufModelLoader.class.getName());

  /** Layers (l + 1) % 6 == 0 attend globally: a constant of both architectures in llama.cpp. */
  private static final int SLIDING_PATTERN = 6;

  private GgufModelLoader() {}

  /**
   * Whether {@code file} is meant as a GGUF: named {@code *.gguf} or starting with the GGUF magic.
   */
  public static boolean isGguf(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) {
      return true;
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(4);
      return head.length == 4
          && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt() == GgufFile.MAGIC;
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  public static LoadedModel load(Path file, Arena arena) {
    GgufFile gguf = GgufFile.open(file, arena);
    GgufMetadata meta = new GgufMetadata(gguf);
    String arch = meta.string("general.architecture");
    if (arch.equals(Eg2GgufNames.ARCH)) {
      return Eg2GgufLoader.load(gguf, meta);
    }
    boolean ollama = arch.equals("gemma3");
    if (!arch.equals("gemma-embedding") && !ollama) {
      throw meta.invalid(
          "general.architecture",
          "'"
              + arch
              + "' is not EmbeddingGemma (gemma-embedding, gemma-embedding2, or "
              + "gemma3 with an embedding head)");
    }
    GgufTensorSource src = new GgufTensorSource(gguf);
    List<DenseLayer> dense =
        dense(
            gguf,
            meta,
            arch,
            ollama ? GgufNames.OLLAMA_DENSE_0 : GgufNames.DENSE_2,
            ollama ? GgufNames.OLLAMA_DENSE_1 : GgufNames.DENSE_3,
            src);
    if (ollama && dense.isEmpty() && !meta.has(arch + ".pooling_type")) {
      throw meta.invalid(
          "general.architecture",
          "a gemma3 file without pooling_type or Dense layers is a causal "
              + "Gemma 3 language model, not an EmbeddingGemma encoder");
    }
    ModelConfig cfg = config(gguf, meta, arch);
    EncoderWeights loaded = EncoderWeights.load(cfg, src);
    EncoderWarmUp.offer(cfg, loaded); // while the tokenizer is built
    FiniteWeights.checkNorms(loaded, file, GgufNames::fromHf);
    GgufTensor table = gguf.require("token_embd.weight");
    EncoderWeights weights =
        new EncoderWeights(
            PositionalTokenTable.open(
                gguf.path(),
                table.name(),
                gguf.dataOffset() + table.offset(),
                loaded.embedTokens().matrix(),
                arena),
            loaded.layers(),
            loaded.finalNorm());
    if (dense.isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          file
              + " has no Dense layers (dense_2/dense_3): its vectors will NOT match "
              + "sentence-transformers' EmbeddingGemma (mean pooling + L2 only). Re-convert it with llama.cpp's "
              + "--sentence-transformers-dense-modules, or quantize the Hugging Face folder with gemma-embed quantize.");
    }
    SentenceTransformerHead head =
        new SentenceTransformerHead(List.of(pooling(meta, arch)), dense, true);
    GemmaTokenizer tokenizer = tokenizer(gguf, meta);
    gguf.releaseHeader(); // the vocabulary now lives in the tokenizer
    return new LoadedModel(
        cfg,
        weights,
        head,
        tokenizer,
        Prompts.EMBEDDING_GEMMA,
        cfg.maxPositions(),
        file.toString());
  }

  /** The tokenizer of a GGUF file alone: its header is read, its weights never touched. */
  public static GemmaTokenizer loadTokenizer(Path file) {
    try (Arena arena = Arena.ofConfined()) {
      GgufFile gguf = GgufFile.open(file, arena);
      return tokenizer(gguf, new GgufMetadata(gguf)); // the vocabulary is copied out of the mapping
    }
  }

  static ModelConfig config(GgufFile gguf, GgufMetadata meta, String arch) {
    String p = arch + ".";
    int hidden = meta.positiveInt(p + "embedding_length", ConfigRanges.MAX_WIDTH);
    int layers = meta.positiveInt(p + "block_count", ConfigRanges.MAX_LAYERS);
    int heads = meta.positiveInt(p + "attention.head_count", ConfigRanges.MAX_HEADS);
    int kvHeads = meta.positiveInt(p + "attention.head_count_kv", ConfigRanges.MAX_HEADS);
    if (heads % kvHeads != 0) {
      throw meta.invalid(
          p + "attention.head_count_kv", kvHeads + " does not divide head_count " + heads);
    }
    if (!meta.has(p + "attention.key_length") && heads > hidden) {
      throw meta.invalid(
          p + "attention.head_count",
          heads
              + " heads leave no width of embedding_length "
              + hidden
              + " to each (and no attention.key_length is given)");
    }
    int headDim =
        meta.optPositiveInt(p + "attention.key_length", ConfigRanges.MAX_WIDTH)
            .orElse(hidden / heads);
    int valueDim =
        meta.optPositiveInt(p + "attention.value_length", ConfigRanges.MAX_WIDTH).orElse(headDim);
    if (valueDim != headDim) {
      throw meta.invalid(
          p + "attention.value_length", valueDim + " differs from key_length " + headDim);
    }
    if (headDim % 2 != 0) {
      throw meta.invalid(
          p + "attention.key_length", "must be even for rotary embeddings, got " + headDim);
    }
    // Like config.json, GGUF keeps the full window (512): visible iff |i − j| ≤ 512 / 2 (spec
    // §2.6).
    int window = meta.positiveInt(p + "attention.sliding_window", ConfigRanges.MAX_POSITIONS);
    int pattern =
        meta.optPositiveInt(p + "attention.sliding_window_pattern").orElse(SLIDING_PATTERN);
    boolean[] full = new boolean[layers];
    for (int l = 0; l < layers; l++) {
      full[l] = (l + 1) % pattern == 0;
    }
    double fullBase =
        ropeBase(meta, p + "rope.freq_base", p + "rope.global.freq_base", 1_000_000.0);
    double slidingBase =
        ropeBase(meta, p + "rope.freq_base_swa", p + "rope.local.freq_base", 10_000.0);
    double fullScale = ropeScale(meta, p);
    String epsKey = p + "attention.layer_norm_rms_epsilon";
    double eps = meta.optNumber(epsKey).orElse(1e-6);
    meta.checkRange(epsKey, ConfigRanges.rmsEps(eps));
    GgufTensor embd = gguf.require("token_embd.weight");
    if (embd.ne().length != 2
        || embd.ne()[0] != hidden
        || embd.ne()[1] < 1
        || embd.ne()[1] > Integer.MAX_VALUE) {
      throw new CheckpointException(
          gguf.path(),
          "tensor 'token_embd.weight' has ne "
              + java.util.Arrays.toString(embd.ne())
              + ", expected ["
              + hidden
              + ", vocab]");
    }
    return new ModelConfig(
        (int) embd.ne()[1],
        hidden,
        meta.positiveInt(p + "feed_forward_length", ConfigRanges.MAX_WIDTH),
        layers,
        heads,
        kvHeads,
        headDim,
        contextLength(meta, p),
        (float) eps,
        window / 2,
        full,
        fullBase,
        fullScale,
        slidingBase,
        (float) (1.0 / Math.sqrt(headDim)),
        true);
  }

  /**
   * The RoPE base under {@code key}, else under its older name {@code alias}, else {@code
   * fallback}.
   */
  private static double ropeBase(GgufMetadata meta, String key, String alias, double fallback) {
    String found = meta.has(key) ? key : meta.has(alias) ? alias : null;
    if (found == null) {
      return fallback;
    }
    double base = meta.optNumber(found).orElseThrow();
    meta.checkRange(found, ConfigRanges.ropeBase(base));
    return base;
  }

  /**
   * Positions the encoder will build RoPE tables for; bounded so a corrupt value cannot exhaust
   * memory.
   */
  private static int contextLength(GgufMetadata meta, String p) {
    int n = meta.optPositiveInt(p + "context_length", ConfigRanges.MAX_POSITIONS).orElse(2048);
    meta.checkRange(p + "context_length", ConfigRanges.positions(n));
    return n;
  }

  private static double ropeScale(GgufMetadata meta, String p) {
    String type = meta.optString(p + "rope.scaling.type").orElse("none");
    switch (type) {
      case "none" -> {
        double freqScale = meta.optNumber(p + "rope.freq_scale").orElse(1.0);
        if (freqScale <= 0) {
          throw meta.invalid(p + "rope.freq_scale", "must be positive, got " + freqScale);
        }
        String why = ConfigRanges.ropeFactor(1.0 / freqScale);
        if (why != null) {
          throw meta.invalid(
              p + "rope.freq_scale",
              freqScale + " gives a RoPE scaling factor 1 / freq_scale that " + why);
        }
        return 1.0 / freqScale;
      }
      case "linear" -> {
        double factor =
            meta.optNumber(p + "rope.scaling.factor")
                .orElseThrow(
                    () ->
                        meta.invalid(
                            p + "rope.scaling.factor", "linear RoPE scaling needs a factor"));
        meta.checkRange(p + "rope.scaling.factor", ConfigRanges.ropeFactor(factor));
        return factor;
      }
      default ->
          throw meta.invalid(
              p + "rope.scaling.type", "'" + type + "' is not supported (none or linear)");
    }
  }

  private static PoolingMode pooling(GgufMetadata meta, String arch) {
    String key = arch + ".pooling_type";
    int type = meta.id(key, 1);
    return switch (type) {
      case 1 -> PoolingMode.MEAN;
      case 2 -> PoolingMode.CLS;
      case 3 -> PoolingMode.LAST_TOKEN;
      default -> throw meta.invalid(key, type + " is not supported (1 mean, 2 cls, 3 last)");
    };
  }

  /**
   * The two Dense layers in order, or none; their widths must chain from the hidden size and back.
   */
  private static List<DenseLayer> dense(
      GgufFile gguf,
      GgufMetadata meta,
      String arch,
      String first,
      String second,
      GgufTensorSource src) {
    boolean hasFirst = gguf.find(first).isPresent();
    boolean hasSecond = gguf.find(second).isPresent();
    if (!hasFirst && !hasSecond) {
      return List.of();
    }
    if (!hasFirst || !hasSecond) {
      throw new CheckpointException(
          gguf.path(),
          "has '"
              + (hasFirst ? first : second)
              + "' but not '"
              + (hasFirst ? second : first)
              + "': the two Dense layers come together");
    }
    int hidden = meta.positiveInt(arch + ".embedding_length");
    DenseLayer a = denseLayer(gguf, meta, arch, "dense_2", first, src);
    DenseLayer b = denseLayer(gguf, meta, arch, "dense_3", second, src);
    if (a.in() != hidden || b.in() != a.out() || b.out() != hidden) {
      throw new CheckpointException(
          gguf.path(),
          "Dense shapes "
              + a.in()
              + "→"
              + a.out()
              + " and "
              + b.in()
              + "→"
              + b.out()
              + " do not chain from the hidden size "
              + hidden
              + " back to it");
    }
    return List.of(a, b);
  }

  private static DenseLayer denseLayer(
      GgufFile gguf,
      GgufMetadata meta,
      String arch,
      String key,
      String name,
      GgufTensorSource src) {
    GgufTensor t = gguf.require(name);
    if (t.ne().length != 2 || t.ne()[0] > Integer.MAX_VALUE || t.ne()[1] > Integer.MAX_VALUE) {
      throw new CheckpointException(
          gguf.path(),
          "tensor '" + name + "' must be a matrix, has ne " + java.util.Arrays.toString(t.ne()));
    }
    int in = (int) t.ne()[0];
    int out = (int) t.ne()[1];
    String p = arch + "." + key;
    meta.optPositiveInt(p + "_feat_in")
        .filter(v -> v != in)
        .ifPresent(
            v -> {
              throw meta.invalid(
                  p + "_feat_in", v + " differs from tensor '" + name + "' (" + in + " inputs)");
            });
    meta.optPositiveInt(p + "_feat_out")
        .filter(v -> v != out)
        .ifPresent(
            v -> {
              throw meta.invalid(
                  p + "_feat_out", v + " differs from tensor '" + name + "' (" + out + " outputs)");
            });
    WeightMatrix w = src.matrixByGgufName(name, out, in);
    DenseLayer layer = new DenseLayer(w, null, false);
    FiniteWeights.checkDense(layer, gguf.path(), name, null);
    return layer;
  }

  /**
   * The SentencePiece vocabulary of {@code tokenizer.ggml.*} (llama.cpp's "llama" tokenizer model).
   */
  static GemmaTokenizer tokenizer(GgufFile gguf, GgufMetadata meta) {
    String model = meta.string("tokenizer.ggml.model");
    if (!model.equals("llama")) {
      throw meta.invalid(
          "tokenizer.ggml.model",
          "'"
              + model
              + "' is not supported (EmbeddingGemma uses the "
              + "SentencePiece vocabulary, \"llama\")");
    }
    GgufArray tokens = meta.array("tokenizer.ggml.tokens", GgufValueType.STRING);
    int n = tokens.length();
    GgufArray scoreArray = meta.array("tokenizer.ggml.scores", GgufValueType.FLOAT32);
    if (scoreArray.length() != n) {
      throw meta.invalid(
          "tokenizer.ggml.scores", scoreArray.length() + " scores for " + n + " tokens");
    }
    GgufArray typeArray =
        meta.optArray("tokenizer.ggml.token_type", GgufValueType.INT32).orElse(null);
    int[] types;
    if (typeArray == null) {
      types = new int[n];
      java.util.Arrays.fill(types, 1);
    } else {
      if (typeArray.length() != n) {
        throw meta.invalid(
            "tokenizer.ggml.token_type", typeArray.length() + " types for " + n + " tokens");
      }
      types = typeArray.toIntArray();
    }
    // llama.cpp's defaults for a SentencePiece vocabulary when a key is absent.
    SpecialTokens specials =
        new SpecialTokens(
            meta.id("tokenizer.ggml.bos_token_id", 1),
            meta.id("tokenizer.ggml.eos_token_id", 2),
            meta.id("tokenizer.ggml.unknown_token_id", -1),
            meta.id("tokenizer.ggml.padding_token_id", -1),
            meta.bool("tokenizer.ggml.add_bos_token", true),
            meta.bool("tokenizer.ggml.add_eos_token", false));
    try {
      // The strings are decoded as the tokenizer reads them, and not at all on a cache hit. The
      // arrays' bytes identify the vocabulary (element types fixed above; a file without token
      // types has one part fewer).
      List<MemorySegment> source =
          typeArray == null
              ? List.of(tokens.encoded(), scoreArray.encoded())
              : List.of(tokens.encoded(), scoreArray.encoded(), typeArray.encoded());
      return GemmaTokenizer.fromVocabulary(
          tokens.strings(), scoreArray.toFloatArray(), types, specials, source);
    } catch (TokenizerException e) {
      throw new ConfigException(gguf.path(), "tokenizer.ggml.*: " + e.getMessage(), e);
    }
  }
}
