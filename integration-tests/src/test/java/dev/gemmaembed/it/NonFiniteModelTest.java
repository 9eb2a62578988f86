package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.GemmaEmbedException;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.NonFiniteOutputException;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufTensor;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files that used to load and then give vectors of NaN with no error: config values out of
 * range (GGUF metadata and config.json) are refused at load naming the key; NaN in the norm weights
 * or the Dense layers is refused at load naming the tensor; NaN anywhere else stops the first
 * embedding with a {@link NonFiniteOutputException} instead of returning NaN.
 */
class NonFiniteModelTest {

  @TempDir static Path dir;
  private static byte[] q8;
  private static long dataOffset;
  private static java.util.Map<String, GgufTensor> tensors;

  @BeforeAll
  static void readFixture() throws Exception {
    q8 = Files.readAllBytes(GgufFixtures.q8_0());
    try (Arena arena = Arena.ofConfined()) {
      GgufFile f = GgufFile.open(GgufFixtures.q8_0(), arena);
      dataOffset = f.dataOffset();
      tensors = f.tensors();
    }
  }

  private static Path write(byte[] bytes) throws Exception {
    Path f = Files.createTempFile(dir, "hostile", ".gguf");
    Files.write(f, bytes);
    return f;
  }

  /**
   * A copy of the Q8_0 file with the FLOAT32 metadata value of {@code key} set to {@code value}.
   */
  private static byte[] withFloat(String key, float value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] pattern =
        ByteBuffer.allocate(8 + k.length + 4)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(k.length)
            .put(k)
            .putInt(6)
            .array(); // 6 = FLOAT32
    for (int i = 0; i + pattern.length <= q8.length; i++) {
      if (Arrays.equals(q8, i, i + pattern.length, pattern, 0, pattern.length)) {
        byte[] b = q8.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(i + pattern.length, value);
        return b;
      }
    }
    throw new AssertionError(key + " is not a FLOAT32 key of the fixture");
  }

  /** A copy of the Q8_0 file with the UINT32 metadata value of {@code key} set to {@code value}. */
  private static byte[] withUInt32(String key, int value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] pattern =
        ByteBuffer.allocate(8 + k.length + 4)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(k.length)
            .put(k)
            .putInt(4)
            .array(); // 4 = UINT32
    for (int i = 0; i + pattern.length <= q8.length; i++) {
      if (Arrays.equals(q8, i, i + pattern.length, pattern, 0, pattern.length)) {
        byte[] b = q8.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(i + pattern.length, value);
        return b;
      }
    }
    throw new AssertionError(key + " is not a UINT32 key of the fixture");
  }

  /**
   * A copy with the 2-byte little-endian {@code bits} written at byte {@code at} of tensor {@code
   * name}'s data.
   */
  private static byte[] withTensorBytes(String name, long at, short bits) {
    byte[] b = q8.clone();
    GgufTensor t = tensors.get(name);
    ByteBuffer.wrap(b)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putShort((int) (dataOffset + t.offset() + at), bits);
    return b;
  }

  private static String refusedAtLoad(Class<? extends GemmaEmbedException> type, Path model) {
    GemmaEmbedException e =
        assertThrows(
            type, () -> Embedder.load(model, LoadOptions.defaults().withThreads(1)).close());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void ggufConfigValuesOutOfRangeAreRefusedNamingTheKey() throws Exception {
    String a = "gemma-embedding.";
    for (String key :
        List.of("rope.freq_base", "rope.freq_base_swa", "attention.layer_norm_rms_epsilon")) {
      for (float bad : new float[] {-1f, 0f, Float.NaN, Float.POSITIVE_INFINITY}) {
        Path f = write(withFloat(a + key, bad));
        String msg = refusedAtLoad(ConfigException.class, f);
        assertTrue(msg.startsWith(f.toString()) && msg.contains("metadata '" + a + key + "'"), msg);
      }
    }
    Path tinyBase = write(withFloat(a + "rope.freq_base", 1e-30f));
    assertTrue(refusedAtLoad(ConfigException.class, tinyBase).contains("at least 1"));
    // sizes are bounded before anything is allocated by them (a per-layer array of 2^31 − 1 took 28
    // s)
    Path layers = write(withUInt32(a + "block_count", Integer.MAX_VALUE));
    assertTrue(
        refusedAtLoad(ConfigException.class, layers)
            .contains(
                "metadata '"
                    + a
                    + "block_count': 2147483647 is "
                    + "above the supported maximum 1024"));
    Path oneToken = write(withUInt32(a + "context_length", 1));
    String msg = refusedAtLoad(ConfigException.class, oneToken);
    assertTrue(
        msg.contains("metadata '" + a + "context_length'") && msg.contains("must be at least 3"),
        msg);
  }

  @Test
  void configJsonValuesOutOfRangeAreRefusedNamingTheKey() throws Exception {
    String[][] cases = {
      {"query_pre_attn_scalar", "0"},
      {"query_pre_attn_scalar", "-4"},
      {"rope_theta", "-1"},
      {"rope_theta", "1e400"},
      {"rope_local_base_freq", "0"},
      {"rms_norm_eps", "-1e-06"},
      {"rms_norm_eps", "0"},
      {"rms_norm_eps", "1e-60"},
      {"max_position_embeddings", "1"},
    };
    for (String[] c : cases) {
      Path model =
          TestModels.tinyWithConfig(
              "range-" + c[0],
              text -> {
                String edited =
                    text.replaceFirst(
                        "\"" + c[0] + "\"\\s*:\\s*[^,\\n]+", "\"" + c[0] + "\": " + c[1]);
                assertTrue(edited.contains("\"" + c[0] + "\": " + c[1]), edited);
                return edited;
              });
      String msg = refusedAtLoad(ConfigException.class, model);
      assertTrue(
          msg.contains("config.json") && msg.contains("key '" + c[0] + "'"), c[1] + ": " + msg);
    }
  }

  @Test
  void maxSeqLengthOfOneIsRefusedAtLoad() throws Exception {
    Path model = TestModels.tinyCopy("max-seq-1");
    Path sbert = model.resolve("sentence_bert_config.json");
    Files.delete(sbert);
    Files.writeString(sbert, "{\"max_seq_length\": 1, \"do_lower_case\": false}");
    String msg = refusedAtLoad(ConfigException.class, model);
    assertTrue(
        msg.contains("sentence_bert_config.json") && msg.contains("key 'max_seq_length'"), msg);

    Files.delete(sbert);
    Files.writeString(sbert, "{\"max_seq_length\": 3, \"do_lower_case\": false}");
    try (Embedder e = Embedder.load(model, LoadOptions.defaults().withThreads(1))) {
      assertEquals(
          3,
          e.tokenize("a long text of many tokens", dev.gemmaembed.core.EmbedOptions.DEFAULT)
              .length);
      assertTrue(allFinite(e.embed("a long text of many tokens")));
    }
  }

  @Test
  void nanNormWeightsAndDenseLayersAreRefusedAtLoadNamingTheTensor() throws Exception {
    short nan = (short) 0x7fc0; // the upper half of float32 NaN 0x7fc00000, little-endian at byte 2
    Path norm = write(withTensorBytes("blk.0.attn_norm.weight", 2, nan));
    String msg = refusedAtLoad(CheckpointException.class, norm);
    assertTrue(msg.contains("tensor 'blk.0.attn_norm.weight' holds NaN at index 0"), msg);

    Path finalNorm = write(withTensorBytes("output_norm.weight", 4 * 5 + 2, nan));
    assertTrue(
        refusedAtLoad(CheckpointException.class, finalNorm)
            .contains("'output_norm.weight' holds NaN at index 5"));

    short f16Nan = (short) 0x7e00; // the scale of a Q8_0 block
    Path dense = write(withTensorBytes("dense_2.weight", 0, f16Nan));
    msg = refusedAtLoad(CheckpointException.class, dense);
    assertTrue(msg.contains("tensor 'dense_2.weight' holds NaN at row 0, column 0"), msg);
  }

  /**
   * The model folder's copy with element {@code index} of {@code tensor} in safetensors file {@code
   * file} set to {@code value}.
   */
  private static Path withSafetensorsValue(
      String name, String file, String tensor, int index, float value) throws Exception {
    Path model = TestModels.tinyCopy(name);
    Path target = model.resolve(file);
    byte[] bytes = Files.readAllBytes(target.toRealPath());
    Files.delete(target); // a link to the shared model: replaced by a patched copy
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) bb.getLong(0);
    com.fasterxml.jackson.databind.JsonNode header =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Arrays.copyOfRange(bytes, 8, 8 + headerLength));
    long begin = header.get(tensor).get("data_offsets").get(0).asLong();
    bb.putFloat((int) (8 + headerLength + begin + 4L * index), value);
    Files.write(target, bytes);
    return model;
  }

  @Test
  void safetensorsNormAndDenseWeightsAreCheckedToo() throws Exception {
    Path norm =
        withSafetensorsValue(
            "nan-norm",
            "model.safetensors",
            "layers.3.post_feedforward_layernorm.weight",
            7,
            Float.NaN);
    String msg = refusedAtLoad(CheckpointException.class, norm);
    assertTrue(
        msg.contains("tensor 'layers.3.post_feedforward_layernorm.weight' holds NaN at index 7"),
        msg);

    Path dense =
        withSafetensorsValue(
            "inf-dense",
            "3_Dense/model.safetensors",
            "linear.weight",
            64 * 2 + 5,
            Float.POSITIVE_INFINITY);
    msg = refusedAtLoad(CheckpointException.class, dense);
    assertTrue(
        msg.contains(
            "3_Dense/model.safetensors: tensor 'linear.weight' holds Infinity at row 0, column 133"),
        msg);
  }

  @Test
  void nanElsewhereStopsTheEmbeddingWithATypedError() throws Exception {
    short f16Nan = (short) 0x7e00;
    Path attention = write(withTensorBytes("blk.2.attn_q.weight", 0, f16Nan));
    try (Embedder e = Embedder.load(attention, LoadOptions.defaults().withThreads(1))) {
      NonFiniteOutputException x =
          assertThrows(NonFiniteOutputException.class, () -> e.embed("hello world"));
      assertTrue(
          x.getMessage().startsWith(attention.toString())
              && x.getMessage().contains("the encoder's weight " + "matrices hold NaN"),
          x.getMessage());
      assertThrows(
          NonFiniteOutputException.class,
          () -> e.embedAll(List.of("a", "b", "c"), dev.gemmaembed.core.EmbedOptions.DEFAULT));
    }
    // the token table of 64 columns is 2 Q8_0 blocks of 34 bytes per row: poison the row of "hello"
    int hello;
    try (Embedder e = Embedder.load(GgufFixtures.q8_0(), LoadOptions.defaults().withThreads(1))) {
      hello = e.tokenize("hello", dev.gemmaembed.core.EmbedOptions.DEFAULT)[1];
    }
    Path table = write(withTensorBytes("token_embd.weight", hello * 68L, f16Nan));
    try (Embedder e = Embedder.load(table, LoadOptions.defaults().withThreads(1))) {
      assertTrue(allFinite(e.embed("goodbye")), "other rows are fine");
      NonFiniteOutputException x =
          assertThrows(NonFiniteOutputException.class, () -> e.embed("hello"));
      assertTrue(
          x.getMessage().contains("row " + hello + " of the token embedding table"),
          x.getMessage());
    }
  }

  private static boolean allFinite(float[] v) {
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }
}
