package dev.gemmaembed.tools;

import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.gguf.Eg2GgufNames;
import dev.gemmaembed.core.model.Architecture;
import dev.gemmaembed.core.model.Eg2Config;
import dev.gemmaembed.core.model.Eg2LayerWeights;
import dev.gemmaembed.core.model.Eg2Model;
import dev.gemmaembed.core.model.Eg2Rope;
import dev.gemmaembed.core.model.Eg2Weights;
import dev.gemmaembed.core.model.HfModelLoader;
import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts a Hugging Face EmbeddingGemma 2 folder into a {@code gemma-embedding2} GGUF ({@link
 * Eg2GgufNames}): llama.cpp's tensor names, norms as stored (no + 1), matrices in the chosen
 * layout's type, vectors float32. A matrix whose width is not a whole number of the type's blocks
 * stays float32.
 */
public final class Eg2GgufWriter {

  private Eg2GgufWriter() {}

  public static GgufQuantizeTool.Result write(Path hfDir, Path out, TensorLayout type)
      throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      LoadedModel loaded = HfModelLoader.load(hfDir, arena);
      if (!(loaded.encoder() instanceof Eg2Model model)) {
        throw new ConfigException(
            hfDir.resolve("config.json"), "not an " + Architecture.EMBEDDING_GEMMA2 + " model");
      }
      GgufWriter w = new GgufWriter();
      writeMetadata(hfDir, model.config(), type, w);
      Map<WeightType, Integer> counts = new EnumMap<>(WeightType.class);
      List<String> fallbacks = new ArrayList<>();
      List<SourceTensor> tensors = tensors(model);
      int layers = model.config().layers();
      for (SourceTensor t : tensors) {
        WeightType wanted = type.tensorType(t.ggufName(), t.ne(), layers);
        WeightType chosen = TensorLayout.fitWidth(wanted, t.cols());
        if (chosen != wanted) {
          fallbacks.add(
              t.ggufName()
                  + ": "
                  + wanted
                  + " → "
                  + chosen
                  + " (rows of "
                  + t.cols()
                  + " values are not whole "
                  + wanted
                  + " blocks of "
                  + wanted.blockSize()
                  + ")");
        }
        counts.merge(chosen, 1, Integer::sum);
        w.addTensor(t.ggufName(), t.ne(), chosen, o -> TensorEncoder.encode(t, chosen, o));
      }
      long bytes = w.write(out);
      return new GgufQuantizeTool.Result(out, bytes, tensors.size(), counts, fallbacks);
    }
  }

  private static void writeMetadata(Path dir, Eg2Config c, TensorLayout type, GgufWriter w) {
    int globalDim = -1;
    int slidingDim = -1;
    int[] kv = new int[c.layers()];
    int[] sliding = new int[c.layers()];
    for (int l = 0; l < c.layers(); l++) {
      int d = c.headDim()[l];
      boolean full = c.fullAttention()[l];
      int known = full ? globalDim : slidingDim;
      if (known != -1 && known != d) {
        throw new ConfigException(
            dir.resolve("config.json"),
            "per_layer_config: layer "
                + l
                + " has head_dim "
                + d
                + ", another "
                + (full ? "global" : "sliding")
                + " layer "
                + known
                + "; "
                + Eg2GgufNames.ARCH
                + " stores one head width per layer type");
      }
      if (full) {
        globalDim = d;
      } else {
        slidingDim = d;
      }
      kv[l] = c.kvHeads()[l];
      sliding[l] = full ? 0 : 1;
    }
    globalDim = globalDim < 0 ? slidingDim : globalDim;
    slidingDim = slidingDim < 0 ? globalDim : slidingDim;
    w.putString("general.architecture", Eg2GgufNames.ARCH);
    w.putString("general.type", "model");
    w.putString("general.name", dir.toAbsolutePath().normalize().getFileName().toString());
    w.putUInt32(Eg2GgufNames.BLOCK_COUNT, c.layers());
    w.putUInt32(Eg2GgufNames.CONTEXT_LENGTH, c.maxPositions());
    w.putUInt32(Eg2GgufNames.EMBEDDING_LENGTH, c.hidden());
    w.putUInt32(Eg2GgufNames.FEED_FORWARD_LENGTH, c.intermediate());
    w.putUInt32(Eg2GgufNames.HEAD_COUNT, c.heads());
    w.putInt32Array(Eg2GgufNames.HEAD_COUNT_KV, kv);
    w.putUInt32(Eg2GgufNames.KEY_LENGTH, globalDim);
    w.putUInt32(Eg2GgufNames.KEY_LENGTH_SWA, slidingDim);
    w.putUInt32(Eg2GgufNames.SLIDING_WINDOW, 2L * c.radius());
    w.putInt32Array(Eg2GgufNames.SLIDING_WINDOW_PATTERN, sliding);
    w.putFloat32(Eg2GgufNames.RMS_EPS, c.rmsEps());
    w.putUInt32(Eg2GgufNames.PLE_WIDTH, c.pleDim());
    putRope(dir, c.fullRope(), globalDim, Eg2GgufNames.FREQ_BASE, Eg2GgufNames.ROPE_DIMS, w);
    putRope(
        dir,
        c.slidingRope(),
        slidingDim,
        Eg2GgufNames.FREQ_BASE_SWA,
        Eg2GgufNames.ROPE_DIMS_SWA,
        w);
    w.putUInt32(Eg2GgufNames.POOLING_TYPE, 1);
    GgufQuantizeTool.writeTokenizer(dir, w);
    w.putUInt32("general.quantization_version", 2);
    w.putUInt32("general.file_type", type.fileType());
  }

  private static void putRope(
      Path dir, Eg2Rope r, int headDim, String baseKey, String dimsKey, GgufWriter w) {
    if (r.factor() != 1.0) {
      throw new ConfigException(
          dir.resolve("config.json"),
          "rope_parameters: a RoPE factor has no " + Eg2GgufNames.ARCH + " key");
    }
    w.putFloat32(baseKey, (float) r.theta());
    w.putUInt32(dimsKey, 2L * r.rotatedPairs(headDim));
  }

  /** The global tensors, then each block's sorted by GGUF name. */
  private static List<SourceTensor> tensors(Eg2Model model) {
    Eg2Config c = model.config();
    Eg2Weights w = model.weights();
    List<SourceTensor> out = new ArrayList<>();
    out.add(matrix("embed_tokens.weight", w.embedTokens().matrix()));
    out.add(matrix("ple.per_layer_model_projection.weight", w.pleProjection()));
    out.add(vector("ple.per_layer_projection_norm.weight", w.pleNorm()));
    out.add(vector("norm.weight", w.finalNorm()));
    out.add(matrix("embedding_projection.weight", w.embeddingProjection()));
    for (int l = 0; l < c.layers(); l++) {
      Eg2LayerWeights lw = w.layers().get(l);
      String p = "layers." + l + ".";
      Map<String, SourceTensor> block = new TreeMap<>();
      for (SourceTensor t :
          List.of(
              vector(p + "input_layernorm.weight", lw.inputNorm()),
              matrix(p + "self_attn.q_proj.weight", lw.q()),
              matrix(p + "self_attn.k_proj.weight", lw.k()),
              matrix(p + "self_attn.v_proj.weight", lw.v()),
              matrix(p + "self_attn.o_proj.weight", lw.o()),
              vector(p + "self_attn.q_norm.weight", lw.qNorm()),
              vector(p + "self_attn.k_norm.weight", lw.kNorm()),
              vector(p + "post_attention_layernorm.weight", lw.postAttentionNorm()),
              vector(p + "pre_feedforward_layernorm.weight", lw.preFeedforwardNorm()),
              matrix(p + "mlp.gate_proj.weight", lw.gate()),
              matrix(p + "mlp.up_proj.weight", lw.up()),
              matrix(p + "mlp.down_proj.weight", lw.down()),
              vector(p + "post_feedforward_layernorm.weight", lw.postFeedforwardNorm()),
              matrix(p + "ple_block.per_layer_input_gate.weight", lw.pleGate()),
              matrix(p + "ple_block.per_layer_projection.weight", lw.pleProjection()),
              vector(p + "ple_block.post_per_layer_input_norm.weight", lw.plePostNorm()),
              vector(p + "layer_scalar", new float[] {lw.layerScalar()}))) {
        block.put(t.ggufName(), t);
      }
      out.addAll(block.values());
    }
    return out;
  }

  private static SourceTensor matrix(String hfName, WeightMatrix m) {
    return new SourceTensor(
        Eg2GgufNames.fromHf(hfName),
        new long[] {m.cols(), m.rows()},
        (r, dst) -> m.readRow(r, dst, 0));
  }

  private static SourceTensor vector(String hfName, float[] v) {
    float[] copy = v.clone();
    return new SourceTensor(
        Eg2GgufNames.fromHf(hfName),
        new long[] {copy.length},
        (r, dst) -> System.arraycopy(copy, 0, dst, 0, copy.length));
  }
}
