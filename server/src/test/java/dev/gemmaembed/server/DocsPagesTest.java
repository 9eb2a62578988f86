package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.testing.TinyModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * GET /openapi.json against the live routes, both ways; /docs and /ui, their assets, --no-ui and
 * the API key.
 */
class DocsPagesTest {

  private static final String KEY = "pages-test-key";
  private static final Set<String> PAGES = Set.of("GET /openapi.json", "GET /docs", "GET /ui");

  private static EmbeddingServer start(ServerConfig config, boolean pages) {
    EmbeddingServer server = new EmbeddingServer(config, pages).start();
    server.ready(TinyModel.embedder());
    return server;
  }

  private static Set<String> documented(JsonNode doc) {
    Set<String> ops = new HashSet<>();
    doc.get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        op -> ops.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));
    return ops;
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteAnswers() {
    try (EmbeddingServer server =
        start(ServerConfig.defaults().withPort(0).withApiKey(KEY), true)) {
      Http http = new Http(server.baseUrl(), KEY);
      Http.Answer answer = http.get("/openapi.json");
      assertEquals(200, answer.status());
      JsonNode doc = answer.json();
      assertEquals("3.1.0", doc.get("openapi").asText());

      Set<String> routes = new HashSet<>(PAGES);
      for (ApiHandler.Route r : ApiHandler.Route.values()) {
        routes.add(r.method + " " + r.path);
      }
      assertEquals(routes, documented(doc), "the document's operations and the server's routes");

      Map<String, Object> bodies =
          Map.of(
              "/v1/embeddings",
              Map.of("input", "hello"),
              "/embeddings",
              Map.of("input", "hello"),
              "/embed",
              Map.of("inputs", "hello"),
              "/",
              Map.of("inputs", "hello"),
              "/tokenize",
              Map.of("inputs", "hello"),
              "/api/embed",
              Map.of("input", "hello"),
              "/api/embeddings",
              Map.of("prompt", "hello"));
      List<String> failed = new ArrayList<>();
      for (String op : documented(doc)) {
        String method = op.substring(0, op.indexOf(' '));
        String path = op.substring(op.indexOf(' ') + 1);
        Http.Answer a = method.equals("GET") ? http.get(path) : http.post(path, bodies.get(path));
        if (a.status() != 200) {
          failed.add(op + " -> " + a.status() + " " + a.body());
        }
        // what the document says each answer looks like, at the top level
        JsonNode ok =
            doc.at(
                "/paths/"
                    + path.replace("/", "~1")
                    + "/"
                    + method.toLowerCase(Locale.ROOT)
                    + "/responses/200/content");
        assertTrue(
            ok.has(a.raw().headers().firstValue("Content-Type").orElse("").split(";")[0]),
            op + " answers " + a.raw().headers().firstValue("Content-Type") + ", documented " + ok);
      }
      assertEquals(List.of(), failed);
      assertEquals(
          doc.at("/info/version").asText(), http.get("/info").json().get("version").asText());
    }
  }

  @Test
  void pagesLoadWithoutTheKeyAndComeOnlyFromThisServer() {
    try (EmbeddingServer server =
        start(ServerConfig.defaults().withPort(0).withApiKey(KEY), true)) {
      Http anonymous = new Http(server.baseUrl());
      for (String path :
          List.of(
              "/docs",
              "/docs/docs.js",
              "/docs/swagger-ui.css",
              "/docs/swagger-ui-bundle.js",
              "/ui",
              "/ui/ui.js",
              "/ui/ui.css",
              "/openapi.json")) {
        Http.Answer a = anonymous.get(path);
        assertEquals(200, a.status(), path);
        assertTrue(a.body().length() > 100, path);
        if (!path.equals("/openapi.json")) {
          assertTrue(
              a.raw()
                  .headers()
                  .firstValue("Content-Security-Policy")
                  .orElse("")
                  .startsWith("default-src 'self'"),
              path);
          assertTrue(
              !a.body().contains("https://") || path.endsWith("swagger-ui-bundle.js"),
              path + " refers to another server");
        }
      }
      // the API behind them still wants the key
      assertEquals(401, anonymous.get("/info").status());
      assertEquals(404, anonymous.get("/ui/../openapi.json.bak").status());
    }
  }

  @Test
  void noUiTurnsThePagesOffButKeepsTheDocument() {
    try (EmbeddingServer server = start(ServerConfig.defaults().withPort(0), false)) {
      Http http = new Http(server.baseUrl());
      assertEquals(404, http.get("/docs").status());
      assertEquals(404, http.get("/ui").status());
      assertEquals(404, http.get("/docs/swagger-ui-bundle.js").status());
      assertEquals(200, http.get("/openapi.json").status());
      assertNotEquals(404, http.get("/health").status());
    }
  }
}
