package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.Precision;
import dev.gemmaembed.core.QuantizationRange;
import dev.gemmaembed.testing.TinyModel;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code precision} extension on the OpenAI and TEI routes, against core's {@link Precision} on
 * library vectors.
 */
class PrecisionApiTest {

  private static final List<String> TEXTS = List.of("alpha", "beta gamma", "the red planet");

  private static Embedder embedder;
  private static EmbeddingServer server;
  private static EmbeddingServer calibrated;
  private static QuantizationRange calibration;
  private static Http http;

  @BeforeAll
  static void start() {
    embedder = TinyModel.embedder();
    server = new EmbeddingServer(ServerConfig.defaults().withPort(0)).start();
    server.ready(embedder);
    http = new Http(server.baseUrl());
    calibration =
        QuantizationRange.of(
            embedder.embedAll(
                List.of("one", "two", "three", "four"), EmbedOptions.DEFAULT.withDimensions(32)),
            "calibration");
    calibrated = new EmbeddingServer(ServerConfig.defaults().withPort(0)).start();
    calibrated.ready(embedder, new ServingOptions(calibration, 0));
  }

  @AfterAll
  static void stop() {
    server.close();
    calibrated.close();
  }

  private static int[] ints(JsonNode array) {
    int[] v = new int[array.size()];
    for (int i = 0; i < v.length; i++) {
      assertTrue(array.get(i).isIntegralNumber(), array.toString());
      v[i] = array.get(i).intValue();
    }
    return v;
  }

  private static int[] values(Precision p, byte[] stored) {
    int[] v = new int[stored.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = p.value(stored[i]);
    }
    return v;
  }

  @Test
  void openAiBinaryAsIntegersAndBase64PackedBytes() {
    List<float[]> want = embedder.embedAll(TEXTS, EmbedOptions.DEFAULT.withDimensions(32));
    var ints =
        http.post(
            "/v1/embeddings", Map.of("input", TEXTS, "dimensions", 32, "precision", "binary"));
    assertEquals(200, ints.status(), ints.body());
    var b64 =
        http.post(
            "/v1/embeddings",
            Map.of(
                "input",
                TEXTS,
                "dimensions",
                32,
                "precision",
                "ubinary",
                "encoding_format",
                "base64"));
    assertEquals(200, b64.status(), b64.body());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertArrayEquals(
          values(Precision.BINARY, Precision.BINARY.quantize(want.get(i), null)),
          ints(ints.json().at("/data/" + i + "/embedding")),
          "text " + i);
      assertArrayEquals(
          Precision.UBINARY.quantize(want.get(i), null),
          Base64.getDecoder().decode(b64.json().at("/data/" + i + "/embedding").textValue()),
          "text " + i);
    }
  }

  @Test
  void teiInt8TakesTheRangeOfTheRequestWithoutCalibration() {
    List<float[]> want = embedder.embedAll(TEXTS, EmbedOptions.DEFAULT);
    QuantizationRange range = QuantizationRange.of(want, "library");
    var r = http.post("/embed", Map.of("inputs", TEXTS, "precision", "int8"));
    assertEquals(200, r.status(), r.body());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertArrayEquals(
          values(Precision.INT8, Precision.INT8.quantize(want.get(i), range)),
          ints(r.json().get(i)));
    }
  }

  @Test
  void calibratedServerUsesItsRangeEvenForOneInput() {
    float[] want = embedder.embed("alpha", EmbedOptions.DEFAULT.withDimensions(32));
    var r =
        new Http(calibrated.baseUrl())
            .post(
                "/v1/embeddings", Map.of("input", "alpha", "dimensions", 32, "precision", "uint8"));
    assertEquals(200, r.status(), r.body());
    assertArrayEquals(
        values(Precision.UINT8, Precision.UINT8.quantize(want, calibration)),
        ints(r.json().at("/data/0/embedding")));
    var wrongWidth =
        new Http(calibrated.baseUrl())
            .post("/embed", Map.of("inputs", List.of("a", "b"), "precision", "int8"));
    assertEquals(400, wrongWidth.status(), wrongWidth.body());
    assertTrue(
        wrongWidth.body().contains("have 32 dimensions but the output has 64"), wrongWidth.body());
  }

  @Test
  void refusalsAre400() {
    var unknown = http.post("/v1/embeddings", Map.of("input", "x", "precision", "int4"));
    assertEquals(400, unknown.status(), unknown.body());
    assertTrue(
        unknown.body().contains("unknown precision") && unknown.body().contains("precision"),
        unknown.body());
    var odd = http.post("/embed", Map.of("inputs", "x", "dimensions", 12, "precision", "binary"));
    assertEquals(400, odd.status(), odd.body());
    assertTrue(odd.body().contains("multiple of 8, got 12"), odd.body());
    var one = http.post("/embed", Map.of("inputs", "x", "precision", "uint8"));
    assertEquals(400, one.status(), one.body());
    assertTrue(one.body().contains("at least 2 inputs"), one.body());
    var same = http.post("/embed", Map.of("inputs", List.of("x", "x"), "precision", "uint8"));
    assertEquals(400, same.status(), same.body());
    assertTrue(same.body().contains("same value"), same.body());
  }
}
