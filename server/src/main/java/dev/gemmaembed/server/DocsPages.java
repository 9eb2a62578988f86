package dev.gemmaembed.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Properties;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The pages for people, in front of the API: {@code GET /openapi.json} always; {@code GET /docs}
 * (Swagger UI, from the {@code org.webjars:swagger-ui} jar) and {@code GET /ui} (the playground)
 * unless turned off. Everything else goes on to the API handler.
 *
 * <p>The pages load without the API key (they hold no data) and ask for it; their own calls carry
 * it. Every asset comes from this server (the Content-Security-Policy says so to the browser), so
 * the pages work offline.
 */
final class DocsPages extends Handler.Wrapper {

  /** Only same-origin assets and calls; Swagger UI sets inline styles. */
  private static final String CSP =
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          + "connect-src 'self'; frame-ancestors 'none'";

  private static final String HTML = "text/html; charset=utf-8";
  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";
  private static final String SWAGGER = "META-INF/resources/webjars/swagger-ui/";

  /** Path → (content type, classpath resource): the only files served. */
  private static final Map<String, Asset> ASSETS =
      Map.of(
          "/docs", new Asset(HTML, "pages/docs.html"),
          "/docs/docs.js", new Asset(JS, "pages/docs.js"),
          "/docs/swagger-ui.css", new Asset(CSS, null),
          "/docs/swagger-ui-bundle.js", new Asset(JS, null),
          "/ui", new Asset(HTML, "pages/ui.html"),
          "/ui/ui.js", new Asset(JS, "pages/ui.js"),
          "/ui/ui.css", new Asset(CSS, "pages/ui.css"));

  private record Asset(String contentType, String resource) {}

  private final boolean pages;
  private final byte[] openApi;
  private final String swaggerDir;

  /**
   * @param pages whether {@code /docs} and {@code /ui} are served ({@code serve --no-ui} turns them
   *     off)
   */
  DocsPages(Handler api, boolean pages, String version) {
    super(api);
    this.pages = pages;
    this.openApi = OpenApiDocument.render(version);
    this.swaggerDir = pages ? SWAGGER + swaggerUiVersion() + "/" : null;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    if (!"GET".equals(request.getMethod())) {
      return super.handle(request, response, callback);
    }
    if (path.equals("/openapi.json")) {
      send(response, callback, Reply.JSON, openApi);
      return true;
    }
    Asset asset = pages ? ASSETS.get(path) : null;
    if (asset == null) {
      return super.handle(request, response, callback);
    }
    String resource =
        asset.resource() != null
            ? asset.resource()
            : swaggerDir + path.substring(path.lastIndexOf('/') + 1);
    response.getHeaders().put("Content-Security-Policy", CSP);
    send(response, callback, asset.contentType(), read(resource));
    return true;
  }

  private static void send(Response response, Callback callback, String contentType, byte[] body) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private static byte[] read(String resource) {
    ClassLoader loader = DocsPages.class.getClassLoader();
    String name = resource.startsWith(SWAGGER) ? resource : "dev/gemmaembed/server/" + resource;
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the server's class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The webjar's version, which names its folder: from its Maven metadata, so no version is written
   * twice.
   */
  private static String swaggerUiVersion() {
    Properties p = new Properties();
    try (InputStream in =
        DocsPages.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "the org.webjars:swagger-ui jar is missing from the class path");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }
}
