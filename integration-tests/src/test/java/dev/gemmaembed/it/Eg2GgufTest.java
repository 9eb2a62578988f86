package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.gguf.GgufModelLoader;
import dev.gemmaembed.core.model.Architecture;
import dev.gemmaembed.core.model.Eg2LayerWeights;
import dev.gemmaembed.core.model.Eg2Model;
import dev.gemmaembed.core.model.Eg2Weights;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.testing.Eg2TinyModel;
import dev.gemmaembed.tools.Eg2GgufWriter;
import dev.gemmaembed.tools.QuantType;
import dev.gemmaembed.tools.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code gemma-embedding2} GGUF files written by {@code quantize} from the tiny EG2 model: F32
 * embeds bitwise as the folder; Q8_0 and Q4_0 agree with their own weights dequantized into an F32
 * safetensors folder to max |Δ| ≤ 1e-6 (their distance from f32 is reported); a file lacking a key
 * or tensor is refused with one line naming them.
 */
class Eg2GgufTest {

  private static final List<String> TEXTS =
      List.of(
          "Hello world",
          "title: none | text: Mars is red",
          "",
          "The sliding window lets each token see only its neighbours, and the global layers see everything.");

  @Test
  void f32GgufEmbedsAsTheFolder() throws IOException {
    Path gguf = write(QuantType.F32);
    try (Embedder folder =
            Embedder.load(Eg2TinyModel.dir(), LoadOptions.defaults().withThreads(2));
        Embedder file = Embedder.load(gguf, LoadOptions.defaults().withThreads(2))) {
      assertEquals(Architecture.EMBEDDING_GEMMA2, file.architecture());
      for (String t : TEXTS) {
        assertArrayEquals(
            folder.tokenize(t, EmbedOptions.DEFAULT), file.tokenize(t, EmbedOptions.DEFAULT), t);
        assertArrayEquals(folder.embed(t), file.embed(t), t);
      }
      assertEquals(folder.prompts().all(), file.prompts().all());
    }
  }

  /**
   * Each quantized file computes exactly what its own weights, decoded to float32, compute; its
   * distance from the f32 model is only reported (the random tiny model, with attention scaling
   * 1.0, amplifies weight rounding far more than a trained one).
   */
  @ParameterizedTest
  @EnumSource(
      value = QuantType.class,
      names = {"Q8_0", "Q4_0"})
  void quantizedFilesAgreeWithTheirWeightsDequantizedToF32(QuantType type) throws IOException {
    Path gguf = write(type);
    Path dequantized = dequantizedFolder(gguf, "eg2-" + type + "-dequantized");
    double worst = 0;
    double worstCos = 1;
    try (Embedder q = Embedder.load(gguf, LoadOptions.defaults().withThreads(2));
        Embedder f = Embedder.load(dequantized, LoadOptions.defaults().withThreads(2));
        Embedder f32 = Embedder.load(Eg2TinyModel.dir(), LoadOptions.defaults().withThreads(2))) {
      for (String t : TEXTS) {
        float[] v = q.embed(t);
        worst = Math.max(worst, Golden.maxAbsDiff(v, f.embed(t)));
        worstCos = Math.min(worstCos, Golden.cosine(v, f32.embed(t)));
      }
    }
    System.out.printf(
        "eg2 %s gguf: vs its dequantized F32 folder max|Δ| %.3g; vs the f32 model worst cosine %.6f%n",
        type, worst, worstCos);
    assertTrue(worst <= 1e-6, "max |Δ| " + worst);
  }

  @Test
  void aFileLackingAKeyOrTensorIsRefusedInOneLine() throws IOException {
    Path gguf = write(QuantType.F32);
    byte[] bytes = Files.readAllBytes(gguf);
    Path broken = gguf.resolveSibling("eg2-broken.gguf");
    Files.write(
        broken,
        rename(
            rename(bytes, "blk.3.per_layer_proj.weight", "blk.3.per_layer_prxj.weight"),
            "gemma-embedding2.embedding_length_per_layer_input",
            "gemma-embedding2.embedding_length_per_layer_inpux"));
    String msg = assertThrows(CheckpointException.class, () -> Embedder.load(broken)).getMessage();
    assertTrue(
        msg.contains("tensor blk.3.per_layer_proj.weight")
            && msg.contains("key gemma-embedding2.embedding_length_per_layer_input"),
        msg);
    assertEquals(1, msg.lines().count(), msg);
  }

  private static Path write(QuantType type) throws IOException {
    Path out = Path.of("target", "test-models", "eg2-tiny-" + type + ".gguf").toAbsolutePath();
    if (!Files.exists(out)) {
      Files.createDirectories(out.getParent());
      Eg2GgufWriter.write(Eg2TinyModel.dir(), out, type);
    }
    return out;
  }

  /** The tiny folder with model.safetensors replaced by the GGUF's weights decoded to float32. */
  private static Path dequantizedFolder(Path gguf, String name) throws IOException {
    Path dir = TestModels.linkedCopy(Eg2TinyModel.dir(), name);
    Files.delete(dir.resolve("model.safetensors"));
    try (Arena arena = Arena.ofConfined()) {
      Eg2Model m = assertInstanceOf(Eg2Model.class, GgufModelLoader.load(gguf, arena).encoder());
      Eg2Weights w = m.weights();
      SafetensorsWriter st = new SafetensorsWriter();
      String p = "language_model.";
      matrix(st, p + "embed_tokens.weight", w.embedTokens().matrix());
      matrix(st, p + "ple.per_layer_model_projection.weight", w.pleProjection());
      vector(st, p + "ple.per_layer_projection_norm.weight", w.pleNorm());
      vector(st, p + "norm.weight", w.finalNorm());
      matrix(st, p + "embedding_projection.weight", w.embeddingProjection());
      for (int l = 0; l < w.layers().size(); l++) {
        Eg2LayerWeights lw = w.layers().get(l);
        String b = p + "layers." + l + ".";
        vector(st, b + "input_layernorm.weight", lw.inputNorm());
        matrix(st, b + "self_attn.q_proj.weight", lw.q());
        matrix(st, b + "self_attn.k_proj.weight", lw.k());
        matrix(st, b + "self_attn.v_proj.weight", lw.v());
        matrix(st, b + "self_attn.o_proj.weight", lw.o());
        vector(st, b + "self_attn.q_norm.weight", lw.qNorm());
        vector(st, b + "self_attn.k_norm.weight", lw.kNorm());
        vector(st, b + "post_attention_layernorm.weight", lw.postAttentionNorm());
        vector(st, b + "pre_feedforward_layernorm.weight", lw.preFeedforwardNorm());
        matrix(st, b + "mlp.gate_proj.weight", lw.gate());
        matrix(st, b + "mlp.up_proj.weight", lw.up());
        matrix(st, b + "mlp.down_proj.weight", lw.down());
        vector(st, b + "post_feedforward_layernorm.weight", lw.postFeedforwardNorm());
        matrix(st, b + "ple_block.per_layer_input_gate.weight", lw.pleGate());
        matrix(st, b + "ple_block.per_layer_projection.weight", lw.pleProjection());
        vector(st, b + "ple_block.post_per_layer_input_norm.weight", lw.plePostNorm());
        vector(st, b + "layer_scalar", new float[] {lw.layerScalar()});
      }
      st.write(dir.resolve("model.safetensors"));
    }
    return dir;
  }

  private static void matrix(SafetensorsWriter st, String name, WeightMatrix m) {
    int cols = m.cols();
    float[] row = new float[cols];
    st.add(
        name,
        new long[] {m.rows(), cols},
        (start, out) -> {
          for (int j = 0; j < out.length; j++) {
            long e = start + j;
            if (j == 0 || e % cols == 0) {
              m.readRow((int) (e / cols), row, 0);
            }
            out[j] = row[(int) (e % cols)];
          }
        });
  }

  private static void vector(SafetensorsWriter st, String name, float[] v) {
    st.add(
        name,
        new long[] {v.length},
        (start, out) -> System.arraycopy(v, (int) start, out, 0, out.length));
  }

  private static byte[] rename(byte[] file, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.UTF_8);
    byte[] t = to.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + f.length <= file.length; i++) {
      for (int j = 0; j < f.length; j++) {
        if (file[i + j] != f[j]) {
          continue outer;
        }
      }
      System.arraycopy(t, 0, file, i, t.length);
      return file;
    }
    throw new AssertionError(from + " not found");
  }
}
