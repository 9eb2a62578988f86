package dev.gemmaembed.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Request parsing with messages that name the field at fault, and streaming response writing. */
final class Json {

  /**
   * Bodies are already capped by ServerConfig.maxBodyBytes; the nesting cap bounds what the body
   * limit alone does not (a body of a million '[' would recurse deeply in the tree builder).
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(64).build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private Json() {}

  /**
   * The body as a JSON object, or a 400 that says what is wrong with it. The body is read as UTF-8
   * (the caller checked it is): from bytes Jackson would guess UTF-16 or UTF-32 from NUL bytes, and
   * fail on some guesses with an I/O error instead of a parse error.
   */
  static ObjectNode parseObject(byte[] body) {
    JsonNode node;
    try {
      node =
          MAPPER.readTree(
              new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          "malformed JSON body: "
              + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")"),
          null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (node == null || node.isMissingNode()) {
      throw ApiException.badRequest("the request body is empty; expected a JSON object", null);
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(
          "the request body must be a JSON object, got " + kind(node), null);
    }
    return (ObjectNode) node;
  }

  static String optString(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.badRequest("'" + field + "' must be a string, got " + kind(n), field);
    }
    return n.textValue();
  }

  static boolean optBoolean(ObjectNode o, String field, boolean fallback) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw ApiException.badRequest("'" + field + "' must be true or false, got " + kind(n), field);
    }
    return n.booleanValue();
  }

  /** A positive integer field, or 0 when absent. */
  static int optPositiveInt(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
      throw ApiException.badRequest("'" + field + "' must be a positive integer, got " + n, field);
    }
    return n.intValue();
  }

  /** A string or an array of strings. */
  static List<EmbedCall.Input> texts(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      throw ApiException.badRequest("'" + field + "' is required", field);
    }
    if (n.isTextual()) {
      return List.of(new EmbedCall.Text(n.textValue()));
    }
    if (!n.isArray()) {
      throw ApiException.badRequest(
          "'" + field + "' must be a string or an array of strings, got " + kind(n), field);
    }
    List<EmbedCall.Input> out = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      JsonNode e = n.get(i);
      if (!e.isTextual()) {
        throw ApiException.badRequest(
            "'" + field + "[" + i + "]' must be a string, got " + kind(e), field);
      }
      out.add(new EmbedCall.Text(e.textValue()));
    }
    return out;
  }

  /** An array of integers as token ids; {@code where} names it in messages. */
  static int[] tokenIds(JsonNode array, String where, String field) {
    if (array.isEmpty()) {
      throw ApiException.badRequest("'" + where + "' must not be an empty token array", field);
    }
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode e = array.get(i);
      if (!e.isIntegralNumber() || !e.canConvertToInt()) {
        throw ApiException.badRequest(
            "'" + where + "[" + i + "]' must be an integer token id, got " + kind(e), field);
      }
      ids[i] = e.intValue();
    }
    return ids;
  }

  static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Writes a response body with a streaming generator (embeddings are large float arrays). */
  static byte[] write(Writer body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      write(out, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes a response body to {@code out} as it is generated (a streamed reply). */
  static void write(java.io.OutputStream out, Writer body) throws IOException {
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      body.write(g);
    }
  }

  static void writeFloats(JsonGenerator g, float[] v) throws IOException {
    g.writeStartArray(v, v.length);
    for (float x : v) {
      g.writeNumber(x);
    }
    g.writeEndArray();
  }

  @FunctionalInterface
  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }
}
