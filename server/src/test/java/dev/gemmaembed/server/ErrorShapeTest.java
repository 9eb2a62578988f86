package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.Utf8;
import dev.gemmaembed.testing.TinyModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jetty's own errors and internal failures come back as JSON, naming no exception; bad UTF-8 is a
 * 400.
 */
class ErrorShapeTest {

  /** Content ids the backend below fails on. */
  private static final int[] FAILING = {5, 5, 5, 5, 5};

  private static EmbeddingServer server;
  private static int port;

  @BeforeAll
  static void start() {
    Embedder embedder = TinyModel.embedder();
    server = new EmbeddingServer(ServerConfig.defaults().withPort(0)).start();
    server.ready(
        embedder,
        sequences -> {
          if (sequences.size() == 1
              && sequences.getFirst().length == 7
              && java.util.Arrays.equals(sequences.getFirst(), 1, 6, FAILING, 0, 5)) {
            throw new IllegalStateException(
                "java.lang.IllegalStateException: boom at Secret.java:12");
          }
          return embedder.embedTokenIds(sequences, 0);
        });
    port = server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertJsonNoHtml(RawHttp.Answer a) {
    assertTrue(a.header("Content-Type").startsWith("application/json"), a.headers());
    assertFalse(
        a.body().contains("<html") || a.body().contains("Exception") || a.body().contains("java."),
        a.body());
    a.json();
  }

  @Test
  void malformedRequestLine() {
    var a = RawHttp.exchange(port, "GARBAGE\r\n\r\n", "");
    assertEquals(400, a.status(), a.body());
    assertJsonNoHtml(a);
  }

  @Test
  void headersTooLarge() {
    var a =
        RawHttp.exchange(
            port,
            "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n",
            "");
    assertEquals(431, a.status(), a.body());
    assertJsonNoHtml(a);
  }

  @Test
  void unknownVersion() {
    var a = RawHttp.exchange(port, "GET /health HTTP/7.1\r\nHost: localhost\r\n\r\n", "");
    assertTrue(a.status() == 505 || a.status() == 400, a.status() + " " + a.body());
    assertJsonNoHtml(a);
  }

  @Test
  void internalFailureNamesNoClass() {
    var a =
        RawHttp.post(
            port,
            "/v1/embeddings",
            "localhost",
            "",
            "application/json",
            "{\"input\": [5, 5, 5, 5, 5]}");
    assertEquals(500, a.status(), a.body());
    assertJsonNoHtml(a);
    assertEquals("server_error", a.json().at("/error/type").textValue());
  }

  @Test
  void overlongUtf8IsInvalidInput() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("{\"inputs\": \"a".getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF});
    body.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));
    byte[] bytes = body.toByteArray();
    try (RawHttp c = new RawHttp(port)) {
      c.send(
          "POST /embed HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
              + bytes.length
              + "\r\nConnection: close\r\n\r\n",
          bytes);
      var a = c.answer();
      assertEquals(400, a.status(), a.body());
      assertTrue(
          a.json().get("error").textValue().contains("not valid UTF-8 (byte offset 13)"), a.body());
    }
  }

  @Test
  void nulBytesAreMalformedJsonNotAnEncodingGuess() {
    // Jackson guessed UCS-4 from these bytes and failed with an I/O error (a 500); found by
    // RequestBodyFuzzTest.
    var ex =
        org.junit.jupiter.api.Assertions.assertThrows(
            ApiException.class, () -> Json.parseObject(new byte[] {0, 0, 0x3C, 0}));
    assertEquals(ApiException.Kind.BAD_REQUEST, ex.kind());
  }

  @Test
  void utf8Validator() {
    assertEquals(
        -1, Utf8.firstInvalid("a\u00e9\u6771\ud83d\ude80\uffff".getBytes(StandardCharsets.UTF_8)));
    for (int[] bad :
        List.of(
            new int[] {0xE0, 0x80, 0xAF},
            new int[] {0xC0, 0xAF},
            new int[] {0xC1, 0xBF},
            new int[] {0xED, 0xA0, 0x80},
            new int[] {0xF0, 0x80, 0x80, 0xAF},
            new int[] {0xF4, 0x90, 0x80, 0x80},
            new int[] {0xF5, 0x80, 0x80, 0x80},
            new int[] {0x80},
            new int[] {0xE2, 0x82},
            new int[] {0xE2, 0x28, 0xA1})) {
      byte[] b = new byte[bad.length + 1];
      b[0] = 'x';
      for (int i = 0; i < bad.length; i++) {
        b[i + 1] = (byte) bad[i];
      }
      assertEquals(1, Utf8.firstInvalid(b), () -> java.util.Arrays.toString(bad));
    }
  }

  @Test
  void jsonFromThePlainClientStillWorks() {
    var ok = new Http(server.baseUrl()).post("/embed", Map.of("inputs", "fine"));
    assertEquals(200, ok.status(), ok.body());
  }
}
