package dev.gemmaembed.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.kernels.WeightType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class Eg2ConfigReaderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path NAME = Path.of("config.json");

  /**
   * The release's text_config as the converter writes it (rope_parameters null, per_layer_config
   * keyed "5" …).
   */
  static final String RELEASE =
      """
      {"architectures":["EmbeddingGemma2Model"],"model_type":"embedding_gemma2",
       "text_config":{"model_type":"embedding_gemma2_text","vocab_size":262144,"hidden_size":512,
         "intermediate_size":2048,"num_hidden_layers":24,"num_attention_heads":4,"num_key_value_heads":2,
         "head_dim":256,"per_layer_config":{"5":{"head_dim":512,"num_key_value_heads":1},
           "11":{"head_dim":512,"num_key_value_heads":1},"17":{"head_dim":512,"num_key_value_heads":1},
           "23":{"head_dim":512,"num_key_value_heads":1}},
         "hidden_size_per_layer_input":512,"embedding_dim":768,"sliding_window":512,"rope_parameters":null,
         "rms_norm_eps":1e-6,"hidden_activation":"gelu_pytorch_tanh","max_position_embeddings":262144},
       "vision_config":null,"audio_config":null}""";

  private static Eg2Config parse(Consumer<ObjectNode> editTextConfig) throws Exception {
    ObjectNode top = (ObjectNode) JSON.readTree(RELEASE);
    editTextConfig.accept((ObjectNode) top.get("text_config"));
    return Eg2ConfigReader.parse(NAME, JSON.writeValueAsBytes(top));
  }

  private static String error(Consumer<ObjectNode> editTextConfig) {
    return assertThrows(ConfigException.class, () -> parse(editTextConfig)).getMessage();
  }

  @Test
  void readsTheReleaseConfigWithTheSpecDefaults() throws Exception {
    Eg2Config c = parse(t -> {});
    assertEquals(512, c.radius());
    int[] dims = new int[24];
    int[] kv = new int[24];
    boolean[] full = new boolean[24];
    for (int l = 0; l < 24; l++) {
      full[l] = (l + 1) % 6 == 0;
      dims[l] = full[l] ? 512 : 256;
      kv[l] = full[l] ? 1 : 2;
    }
    assertArrayEquals(full, c.fullAttention());
    assertArrayEquals(dims, c.headDim());
    assertArrayEquals(kv, c.kvHeads());
    assertEquals(Eg2Rope.plain(1e4), c.slidingRope());
    assertEquals(Eg2Rope.plain(1e6), c.fullRope());
    assertEquals(-1, c.radius(5));
    assertEquals(512, c.radius(4));
    assertEquals(22.625f, c.embedScale(WeightType.BF16));
    assertEquals((float) Math.sqrt(512), c.embedScale(WeightType.F32));
    assertEquals(2048, c.maxQueryWidth());
    assertEquals(512, c.maxKeyWidth());
  }

  @Test
  void zeroPaddedPerLayerKeysNameTheSameLayers() throws Exception {
    Eg2Config c =
        parse(
            t -> {
              ObjectNode plc = t.putObject("per_layer_config");
              plc.putObject("05").put("head_dim", 128).put("num_key_value_heads", 4);
              plc.putObject("011").put("head_dim", 64);
            });
    assertEquals(128, c.headDim()[5]);
    assertEquals(4, c.kvHeads()[5]);
    assertEquals(64, c.headDim()[11]);
    assertEquals(2, c.kvHeads()[11]); // left out: the top-level value
    assertEquals(512, c.headDim()[17]); // a global layer not listed: transformers' 512 × 1
    assertEquals(1, c.kvHeads()[17]);
  }

  @Test
  void theLastLayerIsAlwaysGlobalAndLayerTypesAreRead() throws Exception {
    Eg2Config c =
        parse(
            t -> {
              t.put("num_hidden_layers", 3);
              t.remove("per_layer_config");
              t.putArray("layer_types")
                  .add("full_attention")
                  .add("sliding_attention")
                  .add("sliding_attention");
            });
    assertArrayEquals(new boolean[] {true, false, true}, c.fullAttention());
  }

  @Test
  void transformersBuilderKeysShapeTheDefaults() throws Exception {
    Eg2Config c =
        parse(
            t -> {
              t.remove("per_layer_config");
              t.put("sliding_window_pattern", 4);
              t.put("global_head_dim", 128);
              t.put("num_global_key_value_heads", 4);
            });
    for (int l = 0; l < 24; l++) {
      boolean full = (l + 1) % 4 == 0 || l == 23;
      assertEquals(full, c.fullAttention()[l], "layer " + l);
      assertEquals(full ? 128 : 256, c.headDim()[l]);
      assertEquals(full ? 4 : 2, c.kvHeads()[l]);
    }
  }

  @Test
  void proportionalRopeRotatesTheFirstPairsWithTheFullHeadDimInTheExponent() throws Exception {
    Eg2Config c =
        parse(
            t ->
                t.putObject("rope_parameters")
                    .putObject("full_attention")
                    .put("rope_type", "proportional")
                    .put("partial_rotary_factor", 0.25)
                    .put("rope_theta", 1e6));
    Eg2Rope r = c.fullRope();
    assertEquals(64, r.rotatedPairs(512));
    float[] f = r.inverseFrequencies(512);
    assertEquals(256, f.length);
    assertEquals(1f, f[0]);
    assertEquals(1f / (float) Math.pow(1e6, (float) 126 / 512), f[63]);
    assertEquals(0f, f[64]);
    assertEquals(0f, f[255]);
    assertEquals(Eg2Rope.plain(1e4), c.slidingRope()); // the absent type keeps its default
  }

  @Test
  void badInputNamesTheField() {
    assertTrue(
        error(t -> ((ObjectNode) t.get("per_layer_config")).putObject("24").put("head_dim", 512))
            .contains("text_config.per_layer_config.24"));
    assertTrue(
        error(t -> ((ObjectNode) t.get("per_layer_config")).putObject("-1").put("head_dim", 512))
            .contains("per_layer_config.-1"));
    assertTrue(
        error(t -> ((ObjectNode) t.get("per_layer_config")).putObject("five"))
            .contains("per_layer_config.five"));
    assertTrue(
        error(t -> t.putArray("layer_types").add("sliding_attention"))
            .contains("text_config.layer_types"));
    assertTrue(
        error(
                t ->
                    t.putObject("rope_parameters")
                        .putObject("sliding_attention")
                        .put("rope_type", "yarn"))
            .contains("rope_parameters.sliding_attention.rope_type"));
    assertTrue(error(t -> t.put("sliding_window", 0)).contains("text_config.sliding_window"));
    assertTrue(error(t -> t.put("sliding_window", -3)).contains("text_config.sliding_window"));
    assertTrue(
        error(t -> t.remove("hidden_size_per_layer_input"))
            .contains("text_config.hidden_size_per_layer_input"));
    assertTrue(
        error(t -> t.put("vocab_size_per_layer_input", 262144))
            .contains("vocab_size_per_layer_input"));
    assertTrue(
        error(t -> ((ObjectNode) t.get("per_layer_config").get("5")).put("num_key_value_heads", 3))
            .contains("per_layer_config.5"));
    assertTrue(
        error(t -> ((ObjectNode) t.get("per_layer_config").get("11")).put("num_attention_heads", 8))
            .contains("per_layer_config.11.num_attention_heads"));
  }

  @Test
  void aMissingTextConfigIsNamed() {
    String msg =
        assertThrows(
                ConfigException.class,
                () ->
                    Eg2ConfigReader.parse(
                        NAME,
                        "{\"model_type\":\"embedding_gemma2\"}".getBytes(StandardCharsets.UTF_8)))
            .getMessage();
    assertTrue(msg.contains("text_config"), msg);
  }

  @Test
  void anUnknownModelTypeListsTheSupportedOnes(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path cfg = dir.resolve("config.json");
    java.nio.file.Files.writeString(cfg, "{\"model_type\":\"bert\"}");
    String msg = assertThrows(ConfigException.class, () -> Architecture.of(cfg)).getMessage();
    assertTrue(
        msg.contains("'bert'") && msg.contains("gemma3_text") && msg.contains("embedding_gemma2"),
        msg);
    assertEquals(1, msg.lines().count());
  }
}
