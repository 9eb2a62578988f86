package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.Truncation;
import dev.gemmaembed.testing.TinyModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TEI's {@code truncation_direction} on {@code /embed}. */
class TruncationDirectionApiTest {

  private static Embedder embedder;
  private static EmbeddingServer server;
  private static Http http;
  private static String longText;

  @BeforeAll
  static void start() {
    embedder = TinyModel.embedder();
    server = new EmbeddingServer(ServerConfig.defaults().withPort(0)).start();
    server.ready(embedder);
    http = new Http(server.baseUrl());
    StringBuilder b = new StringBuilder();
    for (int i = 0; b.length() < 12 * embedder.maxSeqLength(); i++) {
      b.append("w").append(i).append(' ');
    }
    longText = b.toString();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private float[] expected(Truncation truncation) {
    return embedder
        .embedTokenIds(
            List.of(embedder.prepare(longText, EmbedOptions.DEFAULT, truncation).ids()), 0)
        .getFirst();
  }

  @Test
  void leftAndRightInAnyCase() {
    for (String direction : List.of("Left", "left", "Right", "RIGHT")) {
      var r =
          http.post(
              "/embed",
              Map.of("inputs", longText, "truncate", true, "truncation_direction", direction));
      assertEquals(200, r.status(), r.body());
      Truncation t = direction.equalsIgnoreCase("left") ? Truncation.CUT_LEFT : Truncation.CUT;
      assertArrayEquals(expected(t), Http.floats(r.json().get(0)), direction);
    }
    var plain = http.post("/embed", Map.of("inputs", longText, "truncate", true));
    assertArrayEquals(expected(Truncation.CUT), Http.floats(plain.json().get(0)));
  }

  @Test
  void unknownDirectionIs400() {
    var r = http.post("/embed", Map.of("inputs", "x", "truncation_direction", "up"));
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("truncation_direction"), r.body());
  }
}
