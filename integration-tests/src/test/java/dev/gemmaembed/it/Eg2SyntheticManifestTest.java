package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.TensorInfo;
import dev.gemmaembed.testing.Eg2TinyModel;
import dev.gemmaembed.tools.Eg2SyntheticSpec;
import dev.gemmaembed.tools.Eg2SyntheticWriter;
import java.lang.foreign.Arena;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Java EG2 writer reproduces shared/golden/eg2-tiny/manifest.json tensor for tensor (names,
 * dtypes, shapes, SHA-256 of the little-endian bytes), and writes no tensor the manifest lacks.
 */
class Eg2SyntheticManifestTest {

  @Test
  void everyTensorMatchesTheManifest() throws Exception {
    JsonNode tensors = Eg2Golden.json("eg2-tiny/manifest.json").get("tensors");
    TreeSet<String> expectedNames = new TreeSet<>();
    tensors.properties().forEach(e -> expectedNames.add(e.getKey()));
    assertEquals(
        expectedNames,
        new TreeSet<>(Eg2SyntheticWriter.tensors(Eg2SyntheticSpec.tiny(2026)).keySet()));
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st =
          SafetensorsFile.open(Eg2TinyModel.dir().resolve("model.safetensors"), arena);
      assertEquals(expectedNames, new TreeSet<>(st.tensors().keySet()));
      for (Map.Entry<String, JsonNode> e : tensors.properties()) {
        TensorInfo t = st.require(e.getKey());
        JsonNode spec = e.getValue();
        assertEquals(spec.get("dtype").asText(), t.dtype().name(), e.getKey());
        long[] shape = new long[spec.get("shape").size()];
        Arrays.setAll(shape, i -> spec.get("shape").get(i).asLong());
        assertArrayEquals(shape, t.shape(), e.getKey());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(st.bytes(t).asByteBuffer());
        assertEquals(
            spec.get("sha256").asText(),
            HexFormat.of().formatHex(sha.digest()),
            "sha256 of " + e.getKey());
      }
    }
    assertEquals(107, expectedNames.size());
  }

  /**
   * The whole file is byte for byte the script's: F32 against the manifest's file hash; BF16
   * against the hash of {@code make_synthetic_eg2.py --preset tiny --dtype bfloat16 --out DIR}'s
   * model.safetensors (recorded 2026-12-07 from shared/tools/eg2).
   */
  @Test
  void theFilesAreTheScriptsByteForByte() throws Exception {
    String f32 =
        Eg2Golden.json("eg2-tiny/manifest.json")
            .get("file_sha256")
            .get("model.safetensors")
            .asText();
    assertEquals(f32, sha256(Eg2TinyModel.dir().resolve("model.safetensors")));
    assertEquals(
        "74077cc91acf3060534b6d0e0554b2d62779c21b9afcd249af78d9a88308f1b2",
        sha256(Eg2TinyModel.bf16Dir().resolve("model.safetensors")));
  }

  private static String sha256(java.nio.file.Path file) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (var in = java.nio.file.Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
