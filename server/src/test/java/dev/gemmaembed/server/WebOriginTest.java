package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Web pages cannot drive the server: Host, Origin and body-type checks, and CORS for allowed
 * origins.
 */
class WebOriginTest {

  private static final String JSON = "application/json";
  private static final String BODY = "{\"input\": \"hello\"}";
  private static EmbeddingServer server;
  private static int port;

  @BeforeAll
  static void start() {
    server =
        new EmbeddingServer(
                ServerConfig.defaults()
                    .withPort(0)
                    .withCorsOrigins(List.of("https://app.example"))
                    .withAllowedHosts(List.of("embed.internal")))
            .start();
    server.ready(TinyModel.embedder());
    port = server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static RawHttp.Answer post(String host, String headers, String type, String body) {
    return RawHttp.post(port, "/v1/embeddings", host, headers, type, body);
  }

  @Test
  void plainJsonFromLocalToolsIsServed() {
    assertEquals(200, post("127.0.0.1:" + port, "", JSON, BODY).status());
    assertEquals(200, post("localhost:" + port, "", JSON, BODY).status());
    assertEquals(200, post("[::1]:" + port, "", JSON, BODY).status());
    assertEquals(200, post("LOCALHOST", "", JSON, BODY).status());
    assertEquals(200, post("embed.internal:8080", "", JSON, BODY).status());
  }

  @Test
  void curlStyleBodiesWithoutOriginAreServed() {
    // Ollama's documented `curl -d '{...}'` sends a form type; scripts may send text/plain or none.
    var ollama =
        RawHttp.post(
            port,
            "/api/embed",
            "localhost:" + port,
            "",
            "application/x-www-form-urlencoded",
            "{\"model\": \"m\", \"input\": \"hello\"}");
    assertEquals(200, ollama.status(), ollama.body());
    assertEquals(200, post("localhost", "", "text/plain;charset=UTF-8", BODY).status());
    assertEquals(200, post("localhost", "", null, BODY).status());
  }

  @Test
  void foreignHostIsRefused() {
    var rebound = post("attacker.example:" + port, "", JSON, BODY);
    assertEquals(403, rebound.status(), rebound.body());
    assertTrue(
        rebound.json().at("/error/message").textValue().contains("--allowed-host"), rebound.body());
    var tei = RawHttp.post(port, "/tokenize", "192.168.1.20", "", JSON, "{\"inputs\": \"a\"}");
    assertEquals(403, tei.status());
    assertEquals("Validation", tei.json().get("error_type").textValue());
    // Load balancers probe /health by address.
    var health =
        RawHttp.exchange(
            port, "GET /health HTTP/1.1\r\nHost: 10.0.0.7\r\nConnection: close\r\n\r\n", "");
    assertEquals(200, health.status());
  }

  @Test
  void foreignOriginIsRefusedWhateverTheBodyType() {
    var simple = post("localhost:" + port, "Origin: https://evil.example\r\n", "text/plain", BODY);
    assertEquals(403, simple.status(), simple.body());
    assertNull(simple.header("Access-Control-Allow-Origin"));
    var json = post("localhost:" + port, "Origin: https://evil.example\r\n", JSON, BODY);
    assertEquals(403, json.status());
    assertEquals(403, post("localhost:" + port, "Origin: null\r\n", JSON, BODY).status());
  }

  @Test
  void ownOriginNeedsJson() {
    String own = "Origin: http://localhost:" + port + "\r\n";
    assertEquals(200, post("localhost:" + port, own, JSON, BODY).status());
    var simple = post("localhost:" + port, own, "text/plain", BODY);
    assertEquals(415, simple.status(), simple.body());
    assertEquals(
        415, post("localhost:" + port, own, "application/x-www-form-urlencoded", BODY).status());
  }

  @Test
  void multipartIsRefused() {
    var multipart = post("localhost", "", "multipart/form-data; boundary=x", "--x--");
    assertEquals(415, multipart.status(), multipart.body());
    assertTrue(multipart.json().at("/error/message").textValue().contains("application/json"));
  }

  @Test
  void allowedOriginGetsCors() {
    String origin = "Origin: https://app.example\r\n";
    var ok = post("localhost:" + port, origin, JSON, BODY);
    assertEquals(200, ok.status(), ok.body());
    assertEquals("https://app.example", ok.header("Access-Control-Allow-Origin"));
    // Its page still may not send a simple body.
    assertEquals(415, post("localhost:" + port, origin, "text/plain", BODY).status());

    var preflight =
        RawHttp.exchange(
            port,
            "OPTIONS /v1/embeddings HTTP/1.1\r\nHost: localhost\r\n"
                + origin
                + "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
            "");
    assertEquals(204, preflight.status(), preflight.body());
    assertEquals("https://app.example", preflight.header("Access-Control-Allow-Origin"));
    assertTrue(preflight.header("Access-Control-Allow-Headers").contains("Authorization"));
    var foreign =
        RawHttp.exchange(
            port,
            "OPTIONS /v1/embeddings HTTP/1.1\r\nHost: localhost\r\n"
                + "Origin: https://evil.example\r\nConnection: close\r\n\r\n",
            "");
    assertEquals(403, foreign.status());
    assertNull(foreign.header("Access-Control-Allow-Origin"));
  }

  @Test
  void hostRules() {
    RequestGuard loopback = new RequestGuard(ServerConfig.defaults());
    assertTrue(loopback.hostAllowed("127.0.0.1:8080"));
    assertFalse(loopback.hostAllowed("127.0.0.1.evil.example"));
    assertFalse(loopback.hostAllowed("0.0.0.0:8080"));
    RequestGuard open = new RequestGuard(ServerConfig.defaults().withHost("0.0.0.0"));
    assertFalse(
        open.hostAllowed("192.168.1.20:8080"), "every interface without a key: Host still checked");
    assertTrue(open.hostAllowed("localhost:8080"));
    RequestGuard keyed =
        new RequestGuard(ServerConfig.defaults().withHost("0.0.0.0").withApiKey("k"));
    assertTrue(keyed.hostAllowed("192.168.1.20:8080"), "every interface with a key: any Host");
    RequestGuard bound = new RequestGuard(ServerConfig.defaults().withHost("192.168.1.20"));
    assertTrue(bound.hostAllowed("192.168.1.20:9000"));
    RequestGuard v6 = new RequestGuard(ServerConfig.defaults().withHost("fe80::1"));
    assertTrue(v6.hostAllowed("[FE80::1]:9000"));
    assertEquals("[::1]", RequestGuard.hostName("[::1]:80"));
  }

  @Test
  void originSyntax() {
    assertTrue(RequestGuard.isOrigin("https://app.example:8443"));
    assertFalse(RequestGuard.isOrigin("https://app.example/"));
    assertFalse(RequestGuard.isOrigin("app.example"));
  }
}
