package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.TensorInfo;
import dev.gemmaembed.testing.TinyModel;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The synthetic writer reproduces every tensor of shared/golden/tiny/manifest.json bit for bit. */
class SyntheticManifestTest {

  @Test
  void everyTensorHashMatchesTheManifest() throws Exception {
    JsonNode tensors = Golden.json("manifest.json").get("tensors");
    int checked = 0;
    try (Arena arena = Arena.ofConfined()) {
      for (Map.Entry<String, JsonNode> e : tensors.properties()) {
        String name = e.getKey();
        JsonNode spec = e.getValue();
        String file = spec.get("file").asText();
        String tensorName = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
        SafetensorsFile st = SafetensorsFile.open(TinyModel.dir().resolve(file), arena);
        TensorInfo t = st.require(tensorName);
        assertEquals(spec.get("dtype").asText(), t.dtype().name(), name);
        assertEquals(
            spec.get("shape").toString(),
            java.util.Arrays.toString(t.shape()).replace(" ", ""),
            name);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(st.bytes(t).asByteBuffer());
        assertEquals(
            spec.get("sha256").asText(),
            HexFormat.of().formatHex(sha.digest()),
            "sha256 of " + name);
        checked++;
      }
    }
    assertEquals(82, checked);
    assertTrue(ValueLayout.JAVA_FLOAT.byteSize() == 4);
  }
}
