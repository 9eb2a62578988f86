package dev.gemmaembed.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.WeightMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One encoder layer of the tiny synthetic model, step by step, against the float64 NumPy
 * reference's intermediate activations ({@code encoder-layers-tiny.json.gz}, made by {@code
 * core/src/test/python/make_layer_fixture.py} from {@code shared/tools/numpy_ref.py}): each step
 * starts from the reference's input of that step, so a wrong step fails by name; then the whole
 * layer, from the layer's input. Two sequences of 11 and 7 tokens share the packed batch; layer 0
 * has sliding attention (radius 4, shorter than the first sequence), layer 5 full.
 */
class EncoderLayerTest {

  private static JsonNode fixture;
  private static ComputePool pool;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in =
        new GZIPInputStream(
            EncoderLayerTest.class.getResourceAsStream("/encoder-layers-tiny.json.gz"))) {
      fixture = new ObjectMapper().readTree(in);
    }
    pool = new ComputePool(2);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void eachStepAndTheWholeLayerMatchTheReference(int which) {
    JsonNode layer = fixture.get("layers").get(which);
    boolean full = layer.get("type").asText().equals("full_attention");
    ModelConfig cfg = config(full);
    int[] lengths = new int[fixture.get("lengths").size()];
    int tokens = 0;
    for (int s = 0; s < lengths.length; s++) {
      lengths[s] = fixture.get("lengths").get(s).asInt();
      tokens += lengths[s];
    }
    JsonNode acts = layer.get("activations");
    EncoderWeights weights = EncoderWeights.load(cfg, new FixtureSource(layer.get("weights")));
    LayerWeights w = weights.layers().getFirst();
    RopeTables rope = new RopeCache(cfg).covering(tokens).forLayer(full);
    String what = "layer " + layer.get("index").asInt() + " ";
    try (Arena arena = Arena.ofShared()) {
      for (WeightMatrix m :
          new WeightMatrix[] {w.q(), w.k(), w.v(), w.o(), w.gate(), w.up(), w.down()}) {
        m.pack(arena);
      }
      EncoderPass p = new EncoderPass(cfg, weights, 128);
      p.begin(pool, tokens, lengths);

      set(p.x, acts, "x_in");
      p.norm(p.x, w.inputNorm(), p.h);
      near(acts, "h_input_norm", p.h, what + "input_layernorm");

      set(p.h, acts, "h_input_norm");
      p.projectQkv(w, rope);
      near(acts, "q_rope", p.q, what + "q projection, q_norm and RoPE");
      near(acts, "k_rope", p.k, what + "k projection, k_norm and RoPE");
      near(acts, "v", p.v, what + "v projection");

      set(p.q, acts, "q_rope");
      set(p.k, acts, "k_rope");
      set(p.v, acts, "v");
      p.attend(cfg.radius(0));
      near(acts, "attention", p.q, what + "attention");

      set(p.q, acts, "attention");
      Matmul.multiply(pool, w.o(), p.q, tokens, p.h);
      near(acts, "o_proj", p.h, what + "o_proj");

      set(p.x, acts, "x_in");
      set(p.h, acts, "o_proj");
      p.addNormed(p.h, w.postAttentionNorm(), p.x);
      near(acts, "x_attention_residual", p.x, what + "x + post_attention_layernorm(attention)");

      set(p.x, acts, "x_attention_residual");
      p.norm(p.x, w.preFeedforwardNorm(), p.h);
      near(acts, "h_pre_feedforward_norm", p.h, what + "pre_feedforward_layernorm");

      set(p.h, acts, "h_pre_feedforward_norm");
      p.feedForward(w);
      near(acts, "feed_forward", p.h, what + "feed-forward");

      set(p.x, acts, "x_attention_residual");
      set(p.h, acts, "feed_forward");
      p.addNormed(p.h, w.postFeedforwardNorm(), p.x);
      near(acts, "x_out", p.x, what + "x + post_feedforward_layernorm(feed-forward)");

      set(p.x, acts, "x_in");
      p.layer(w, rope, cfg.radius(0));
      near(acts, "x_out", p.x, what + "whole layer");
      p.end();
    }
  }

  /** The fixture's config as a one-layer model of the layer's attention type. */
  private static ModelConfig config(boolean full) {
    JsonNode c = fixture.get("config");
    return new ModelConfig(
        1,
        c.get("hidden").asInt(),
        c.get("intermediate").asInt(),
        1,
        c.get("heads").asInt(),
        c.get("kv_heads").asInt(),
        c.get("head_dim").asInt(),
        2048,
        (float) c.get("rms_eps").asDouble(),
        c.get("sliding_radius").asInt(),
        new boolean[] {full},
        c.get("rope_full_base").asDouble(),
        1.0,
        c.get("rope_sliding_base").asDouble(),
        (float) c.get("query_scale").asDouble(),
        false);
  }

  private static float[] floats(JsonNode base64) {
    ByteBuffer b =
        ByteBuffer.wrap(Base64.getDecoder().decode(base64.asText())).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(out);
    return out;
  }

  private static void set(float[] buffer, JsonNode acts, String name) {
    float[] v = floats(acts.get(name));
    System.arraycopy(v, 0, buffer, 0, v.length);
  }

  /**
   * Float32 against the float64 reference: within 4e-6 of the step's largest magnitude (observed
   * worst: 5.3e-7; a radius one too wide in layer 0, or the other layer type's RoPE base, is off by
   * far more).
   */
  private static void near(JsonNode acts, String name, float[] got, String what) {
    float[] want = floats(acts.get(name));
    float scale = 0f;
    for (float v : want) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 0f, what + ": empty reference");
    float worst = 0f;
    int at = -1;
    for (int i = 0; i < want.length; i++) {
      float d = Math.abs(want[i] - got[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    float tol = 4e-6f * scale;
    assertTrue(
        worst <= tol,
        what
            + ": element "
            + at
            + " is "
            + (at < 0 ? "" : got[at])
            + ", reference "
            + (at < 0 ? "" : want[at])
            + " (max |Δ| "
            + worst
            + " > "
            + tol
            + ")");
  }

  /** The fixture layer's tensors under the names of layer 0 of a one-layer model. */
  private record FixtureSource(JsonNode weights) implements TensorSource {

    @Override
    public boolean has(String name) {
      return weights.has(local(name));
    }

    @Override
    public WeightMatrix matrix(String name, int rows, int cols) {
      if (name.equals("embed_tokens.weight")) {
        return F32Matrix.of(new float[rows * cols], rows, cols);
      }
      JsonNode t = tensor(name);
      assertEquals(List.of(rows, cols), shape(t), name);
      return F32Matrix.of(floats(t.get("f32")), rows, cols);
    }

    @Override
    public float[] vector(String name, int n) {
      if (name.equals("norm.weight")) {
        return new float[n];
      }
      JsonNode t = tensor(name);
      assertEquals(List.of(n), shape(t), name);
      return floats(t.get("f32"));
    }

    private JsonNode tensor(String name) {
      JsonNode t = weights.get(local(name));
      if (t == null) {
        throw new UncheckedIOException(new IOException("the fixture has no tensor " + name));
      }
      return t;
    }

    private static String local(String name) {
      return name.startsWith("layers.0.") ? name.substring("layers.0.".length()) : name;
    }

    private static List<Integer> shape(JsonNode t) {
      List<Integer> shape = new ArrayList<>();
      t.get("shape").forEach(d -> shape.add(d.asInt()));
      return shape;
    }
  }
}
