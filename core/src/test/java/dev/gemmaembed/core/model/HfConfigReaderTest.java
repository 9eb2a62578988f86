package dev.gemmaembed.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigReaderTest {

  @TempDir Path dir;

  static final String V4 =
      """
      {"model_type":"gemma3_text","use_bidirectional_attention":true,"hidden_activation":"gelu_pytorch_tanh",
       "vocab_size":262144,"hidden_size":768,"intermediate_size":1152,"num_hidden_layers":24,
       "num_attention_heads":3,"num_key_value_heads":1,"head_dim":256,"max_position_embeddings":2048,
       "rms_norm_eps":1e-6,"sliding_window":512,"query_pre_attn_scalar":256,"rope_theta":1000000.0,
       "rope_local_base_freq":10000.0,"rope_scaling":null,"attn_logit_softcapping":null,
       "_sliding_window_pattern":6}""";

  private Path write(String json) throws IOException {
    Path p = dir.resolve("config.json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void readsTransformers4Keys() throws IOException {
    ModelConfig c = HfConfigReader.read(write(V4));
    assertEquals(256, c.slidingRadius());
    assertEquals(0.0625f, c.queryScale());
    assertEquals(1e6, c.ropeFullBase());
    assertEquals(1e4, c.ropeSlidingBase());
    boolean[] full = new boolean[24];
    for (int i : new int[] {5, 11, 17, 23}) {
      full[i] = true;
    }
    assertArrayEquals(full, c.fullAttention());
    assertEquals(27.712812f, c.embedScale(), 1e-6f);
  }

  @Test
  void readsTransformers5RopeParametersAndLayerTypes() throws IOException {
    String v5 =
        V4.replace("\"rope_theta\":1000000.0,", "")
            .replace("\"rope_local_base_freq\":10000.0,", "")
            .replace(
                "\"_sliding_window_pattern\":6",
                """
            "rope_parameters":{"full_attention":{"rope_type":"default","rope_theta":1000000.0},
                               "sliding_attention":{"rope_type":"default","rope_theta":10000.0}},
            "layer_types":["sliding_attention","full_attention","sliding_attention","sliding_attention",
              "sliding_attention","full_attention","sliding_attention","sliding_attention","sliding_attention",
              "sliding_attention","sliding_attention","full_attention","sliding_attention","sliding_attention",
              "sliding_attention","sliding_attention","sliding_attention","full_attention","sliding_attention",
              "sliding_attention","sliding_attention","sliding_attention","sliding_attention","full_attention"]""");
    ModelConfig c = HfConfigReader.read(write(v5));
    assertEquals(1e6, c.ropeFullBase());
    assertEquals(1e4, c.ropeSlidingBase());
    assertTrue(c.fullAttention()[1]);
    assertEquals(-1, c.radius(1));
    assertEquals(256, c.radius(0));
  }

  @Test
  void missingKeyIsNamedWithTheFile() throws IOException {
    Path p = write(V4.replace("\"head_dim\":256,", ""));
    ConfigException e = assertThrows(ConfigException.class, () -> HfConfigReader.read(p));
    assertTrue(e.getMessage().contains("missing key 'head_dim'"), e.getMessage());
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
  }

  @Test
  void causalModelsAreRejected() throws IOException {
    Path p =
        write(
            V4.replace(
                "\"use_bidirectional_attention\":true", "\"use_bidirectional_attention\":false"));
    ConfigException e = assertThrows(ConfigException.class, () -> HfConfigReader.read(p));
    assertTrue(e.getMessage().contains("use_bidirectional_attention"), e.getMessage());
  }

  @Test
  void wrongTypesAndMalformedJson() throws IOException {
    Path p = write(V4.replace("\"hidden_size\":768", "\"hidden_size\":\"big\""));
    assertTrue(
        assertThrows(ConfigException.class, () -> HfConfigReader.read(p))
            .getMessage()
            .contains("'hidden_size' must be an integer"));
    Path bad = write("{\"model_type\": ");
    assertTrue(
        assertThrows(ConfigException.class, () -> HfConfigReader.read(bad))
            .getMessage()
            .contains("malformed JSON"));
    ConfigException none =
        assertThrows(ConfigException.class, () -> HfConfigReader.read(dir.resolve("nope.json")));
    assertTrue(none.getMessage().contains("file not found"));
  }
}
