package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.tools.SourceTensor;
import dev.gemmaembed.tools.TensorEncoder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pure quantizers against llama.cpp's {@code llama-quantize --pure} output of the kquant model
 * and of its mix.gguf (shared/golden/kquant/gguf-manifest.json, copied into the test resources):
 * every matrix, the 262,144-row token table included, encoded in the file's type for it, has
 * llama.cpp's SHA-256.
 */
class KQuantQuantizerTest {

  /** Rows encoded per parallel task of the token table. */
  private static final int CHUNK_ROWS = 4096;

  /**
   * {@code MIX.gguf} is llama.cpp's mix.gguf: per layer a different type, IQ4_NL and IQ4_XS (whose
   * quantizers search with 7 tries per side, as {@code llama-quantize} runs them) included.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Q4_K", "Q5_K", "Q6_K", "Q3_K", "Q2_K", "Q4_1", "Q5_0", "Q5_1", "MIX"})
  void everyMatrixIsLlamaCppsBytes(String type) throws Exception {
    JsonNode manifest = Golden.jsonAt("/golden/kquant/gguf-manifest.json.gz").get(type + ".gguf");
    Map<String, SourceTensor> matrices = KQuantFixtures.matrices();
    List<String> differing = new ArrayList<>();
    int checked = 0;
    for (var e : manifest.properties()) {
      JsonNode m = e.getValue();
      if (m.get("ne").size() < 2) {
        continue;
      }
      WeightType t = WeightType.valueOf(m.get("type").asText());
      if (!type.equals("MIX")) {
        assertEquals(type, t.name(), e.getKey() + " in a --pure file");
      }
      SourceTensor src = matrices.get(e.getKey());
      String sha = sha256(src, t);
      if (!m.get("sha256").asText().equals(sha)) {
        differing.add(e.getKey());
      }
      checked++;
    }
    System.out.printf(
        "%s: %d of %d matrices byte-identical to llama.cpp%s%n",
        type,
        checked - differing.size(),
        checked,
        differing.isEmpty() ? "" : "; differing: " + differing);
    assertEquals(matrices.size(), checked, "matrices in the manifest");
    assertTrue(differing.isEmpty(), type + " differs from llama.cpp in " + differing);
  }

  /** SHA-256 of the encoded tensor, its row ranges encoded in parallel and hashed in order. */
  static String sha256(SourceTensor src, WeightType type) throws Exception {
    int rows = src.rowCount();
    int chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    int batch = 16;
    for (int c0 = 0; c0 < chunks; c0 += batch) {
      int from = c0;
      List<byte[]> parts =
          IntStream.range(from, Math.min(chunks, from + batch))
              .parallel()
              .mapToObj(
                  c -> {
                    int r0 = c * CHUNK_ROWS;
                    int n = Math.min(CHUNK_ROWS, rows - r0);
                    SourceTensor slice =
                        new SourceTensor(
                            src.ggufName(),
                            new long[] {src.cols(), n},
                            (r, dst) -> src.rows().read(r0 + r, dst));
                    return TensorEncoder.encode(slice, type);
                  })
              .toList();
      parts.forEach(sha::update);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
