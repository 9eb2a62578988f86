package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The server's OpenAPI 3.1 description, {@code GET /openapi.json}: written once, by hand, as {@code
 * openapi.json} next to this class (every route of {@code ApiHandler} and the pages; a test holds
 * the two together), with {@code info.version} set to the running version.
 */
final class OpenApiDocument {

  static final String RESOURCE = "openapi.json";

  private OpenApiDocument() {}

  /** The document as served: the resource with this server's version. */
  static byte[] render(String version) {
    ObjectNode doc = load();
    ((ObjectNode) doc.get("info")).put("version", version);
    try {
      return Json.MAPPER.writeValueAsBytes(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the server's jar");
      }
      return (ObjectNode) Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
