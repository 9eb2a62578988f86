package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.tools.SafetensorsWriter;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code kquant} preset reproduces shared/golden/kquant/manifest.json tensor for tensor: the
 * same names and shapes, and the SHA-256 of each tensor's float32 little-endian bytes as the writer
 * would store them (hashed from the generator, so the 270 MB checkpoint is not written; the
 * writer's byte layout is checked on the tiny model by {@link SyntheticManifestTest}).
 */
class KQuantManifestTest {

  @Test
  void everyTensorOfTheKquantPresetMatchesTheManifest() throws Exception {
    JsonNode manifest = Golden.jsonAt("/golden/kquant/manifest.json.gz");
    SyntheticSpec spec = SyntheticSpec.preset("kquant", SyntheticSpec.defaultSeed("kquant"));
    JsonNode p = manifest.get("synthetic_params");
    assertEquals(p.get("name").asText(), spec.name());
    assertEquals(p.get("seed").asLong(), spec.seed());
    assertEquals(SafetensorsWriter.Dtype.F32, spec.dtype());

    Map<String, long[]> tensors =
        new LinkedHashMap<>(SyntheticCheckpointWriter.transformerTensors(spec));
    tensors.put("2_Dense/linear.weight", new long[] {spec.denseDim(), spec.hidden()});
    tensors.put("3_Dense/linear.weight", new long[] {spec.hidden(), spec.denseDim()});
    JsonNode expected = manifest.get("tensors");
    assertEquals(expected.size(), tensors.size(), "tensor count");
    for (Map.Entry<String, long[]> e : tensors.entrySet()) {
      JsonNode t = expected.get(e.getKey());
      assertEquals("F32", t.get("dtype").asText(), e.getKey());
      assertEquals(
          t.get("shape").toString(), Arrays.toString(e.getValue()).replace(" ", ""), e.getKey());
      assertEquals(
          t.get("sha256").asText(),
          sha256(spec, e.getKey(), e.getValue()),
          "sha256 of " + e.getKey());
    }
  }

  private static String sha256(SyntheticSpec spec, String name, long[] shape) throws Exception {
    SafetensorsWriter.Values values = SyntheticCheckpointWriter.values(spec, name, shape);
    long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    float[] chunk = new float[1 << 16];
    ByteBuffer bytes = ByteBuffer.allocate(chunk.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (long start = 0; start < n; start += chunk.length) {
      int len = (int) Math.min(chunk.length, n - start);
      float[] c = len == chunk.length ? chunk : new float[len];
      values.fill(start, c);
      bytes.clear();
      bytes.asFloatBuffer().put(c);
      sha.update(bytes.array(), 0, len * 4);
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
