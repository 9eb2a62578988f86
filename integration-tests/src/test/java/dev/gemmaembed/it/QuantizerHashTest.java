package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.gguf.GgufArray;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufValue;
import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tools.HfSource;
import dev.gemmaembed.tools.QuantType;
import dev.gemmaembed.tools.SourceTensor;
import dev.gemmaembed.tools.TensorEncoder;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quantizer against llama.cpp's: every tensor of the tiny model, converted (+1 on norms) and
 * encoded in the type gguf-manifest.json lists for it, reproduces the SHA-256 of llama.cpp's data
 * for both files, in llama.cpp's tensor order; and the whole files the tool writes are byte for
 * byte llama.cpp's (same header, metadata keys and values, tensor infos, alignment and padding).
 */
class QuantizerHashTest {

  /**
   * SHA-256 of shared/golden/tiny/embeddinggemma-synthetic-tiny-{Q8_0,Q4_0}.gguf (llama-quantize
   * output).
   */
  static final Map<String, String> LLAMA_CPP_FILE_SHA256 =
      Map.of(
          "embeddinggemma-synthetic-tiny-Q8_0.gguf",
              "e06362314b39eccc2c518975697e2825483fa5871c60a129af38522eb0cfdd17",
          "embeddinggemma-synthetic-tiny-Q4_0.gguf",
              "6bcdaaf533ba50760fb784b7f920cf7f7b99ed553d4e2dff4601b9957e701ef7");

  @ParameterizedTest
  @CsvSource({"embeddinggemma-synthetic-tiny-Q8_0.gguf", "embeddinggemma-synthetic-tiny-Q4_0.gguf"})
  void everyTensorReproducesLlamaCppsHash(String file) throws Exception {
    JsonNode manifest = Golden.json("gguf-manifest.json").get(file);
    List<String> expectedOrder = new ArrayList<>();
    manifest.fieldNames().forEachRemaining(expectedOrder::add);
    List<String> order = new ArrayList<>();
    try (Arena arena = Arena.ofConfined()) {
      for (SourceTensor t : HfSource.open(TinyModel.dir(), arena).tensors()) {
        JsonNode m = manifest.get(t.ggufName());
        order.add(t.ggufName());
        WeightType type = WeightType.valueOf(m.get("type").asText());
        byte[] bytes = TensorEncoder.encode(t, type);
        assertEquals(m.get("n_bytes").asLong(), bytes.length, t.ggufName());
        assertEquals(
            m.get("sha256").asText(), sha256(bytes), "sha256 of " + t.ggufName() + " as " + type);
      }
    }
    assertEquals(expectedOrder, order, "tensor order");
  }

  @ParameterizedTest
  @CsvSource({"embeddinggemma-synthetic-tiny-Q8_0.gguf", "embeddinggemma-synthetic-tiny-Q4_0.gguf"})
  void theWrittenFileIsLlamaCppsFileByteForByte(String file) throws Exception {
    Path ours = file.contains("Q8_0") ? GgufFixtures.q8_0() : GgufFixtures.q4_0();
    assertEquals(LLAMA_CPP_FILE_SHA256.get(file), GgufFixtures.sha256(ours), file);
  }

  /**
   * Every --type writes llama.cpp's metadata: the same keys in the same order with the same types
   * and values (the vocabulary arrays included), except {@code general.file_type}. Compared with
   * llama.cpp's own Q8_0 file when shared/ is present, else with ours (which {@link
   * #theWrittenFileIsLlamaCppsFileByteForByte} proves identical to it).
   */
  @ParameterizedTest
  @CsvSource({"f32", "f16", "q8_0", "q4_0", "mixed"})
  void everyTypeWritesLlamaCppsMetadata(String type) throws Exception {
    Path reference =
        GgufFixtures.sharedTiny()
            .map(d -> d.resolve("embeddinggemma-synthetic-tiny-Q8_0.gguf"))
            .orElseGet(GgufFixtures::q8_0);
    try (Arena arena = Arena.ofConfined()) {
      GgufFile theirs = GgufFile.open(reference, arena);
      GgufFile ours = GgufFile.open(GgufFixtures.of(QuantType.parse(type)), arena);
      assertEquals(
          List.copyOf(theirs.metadata().keySet()),
          List.copyOf(ours.metadata().keySet()),
          "metadata keys");
      for (Map.Entry<String, GgufValue> e : theirs.metadata().entrySet()) {
        GgufValue mine = ours.metadata().get(e.getKey());
        assertEquals(e.getValue().type(), mine.type(), e.getKey());
        if (e.getKey().equals("general.file_type")) {
          assertEquals(QuantType.parse(type).fileType(), mine.asLong());
        } else if (e.getKey().equals("general.name")) {
          assertEquals(e.getValue().asString(), mine.asString());
        } else if (mine.value() instanceof GgufArray a) {
          GgufArray b = e.getValue().asArray();
          assertEquals(b.length(), a.length(), e.getKey());
          for (int i = 0; i < a.length(); i++) {
            String at = e.getKey() + "[" + i + "]";
            switch (a.elementType()) {
              case STRING -> assertEquals(b.stringAt(i), a.stringAt(i), at);
              case FLOAT32 -> assertEquals(b.doubleAt(i), a.doubleAt(i), at);
              default -> assertEquals(b.longAt(i), a.longAt(i), at);
            }
          }
        } else {
          assertEquals(e.getValue().value(), mine.value(), e.getKey());
        }
      }
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
