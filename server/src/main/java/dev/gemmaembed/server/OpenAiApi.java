package dev.gemmaembed.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.EmbedOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * OpenAI's embeddings API: {@code POST /v1/embeddings} and {@code GET /v1/models}.
 *
 * <p>{@code input} is a string, an array of strings, one array of token ids or an array of them
 * (token ids of a text's content: {@code <bos>}/{@code <eos>} are added here, as the tokenizer adds
 * them to text). Extensions: {@code input_type} (or {@code task}) names one of the model's prompts
 * ({@code query}, {@code document}, {@code STS}, …) for text inputs; {@code truncate: true} cuts
 * inputs longer than the context instead of refusing them with 400, OpenAI's behaviour; {@code
 * precision} stores the vectors as int8, uint8, binary or ubinary ({@link StoredPrecision}).
 */
final class OpenAiApi {

  private final String modelName;

  OpenAiApi(String modelName) {
    this.modelName = modelName;
  }

  CompletableFuture<Reply> embeddings(ObjectNode body, EmbeddingService service) {
    List<EmbedCall.Input> inputs = inputs(body);
    String format = Json.optString(body, "encoding_format");
    if (format != null && !format.equals("float") && !format.equals("base64")) {
      throw ApiException.badRequest(
          "'encoding_format' must be \"float\" or \"base64\", got \"" + format + "\"",
          "encoding_format");
    }
    boolean base64 = "base64".equals(format);
    String inputType = Json.optString(body, "input_type");
    String task = Json.optString(body, "task");
    if (inputType != null && task != null && !inputType.equals(task)) {
      throw ApiException.badRequest(
          "give 'input_type' or 'task', not two different prompts", "input_type");
    }
    EmbedOptions prompt =
        Prompting.options(
            inputType != null ? inputType : task,
            inputType != null ? "input_type" : "task",
            service.embedder(),
            inputs);
    EmbedCall call =
        new EmbedCall(
            inputs,
            prompt,
            Json.optPositiveInt(body, "dimensions"),
            Json.optBoolean(body, "truncate", false));
    StoredPrecision precision = service.precision(body, call.dimensions(), inputs.size());
    return service
        .embed(call)
        .thenApply(result -> Reply.json(Json.write(g -> render(g, result, base64, precision))));
  }

  Reply models() {
    return Reply.json(
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("object", "list");
              g.writeArrayFieldStart("data");
              g.writeStartObject();
              g.writeStringField("id", modelName);
              g.writeStringField("object", "model");
              g.writeNumberField("created", 0);
              g.writeStringField("owned_by", "gemma-embed");
              g.writeEndObject();
              g.writeEndArray();
              g.writeEndObject();
            }));
  }

  private void render(
      JsonGenerator g, EmbeddingService.Result result, boolean base64, StoredPrecision precision)
      throws IOException {
    List<byte[]> stored = precision.isFloat() ? null : precision.store(result.vectors());
    g.writeStartObject();
    g.writeStringField("object", "list");
    g.writeArrayFieldStart("data");
    for (int i = 0; i < result.vectors().size(); i++) {
      float[] v = result.vectors().get(i);
      g.writeStartObject();
      g.writeStringField("object", "embedding");
      g.writeNumberField("index", i);
      g.writeFieldName("embedding");
      if (stored != null) {
        precision.write(g, stored.get(i), base64);
      } else if (base64) {
        g.writeString(base64(v));
      } else {
        Json.writeFloats(g, v);
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("model", modelName);
    g.writeObjectFieldStart("usage");
    g.writeNumberField("prompt_tokens", result.tokens());
    g.writeNumberField("total_tokens", result.tokens());
    g.writeEndObject();
    g.writeEndObject();
  }

  /** Little-endian float32, base64: what the OpenAI clients decode. */
  static String base64(float[] v) {
    ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static List<EmbedCall.Input> inputs(ObjectNode body) {
    JsonNode n = body.get("input");
    if (n == null || n.isNull()) {
      throw ApiException.badRequest("'input' is required", "input");
    }
    if (n.isTextual()) {
      return List.of(new EmbedCall.Text(n.textValue()));
    }
    if (!n.isArray()) {
      throw ApiException.badRequest(
          "'input' must be a string, an array of strings, an array of token ids or an "
              + "array of token-id arrays, got "
              + Json.kind(n),
          "input");
    }
    if (n.isEmpty()) {
      throw ApiException.badRequest("'input' must not be empty", "input");
    }
    JsonNode first = n.get(0);
    if (first.isNumber()) {
      return List.of(new EmbedCall.TokenIds(Json.tokenIds(n, "input", "input")));
    }
    if (first.isArray()) {
      List<EmbedCall.Input> out = new ArrayList<>(n.size());
      for (int i = 0; i < n.size(); i++) {
        JsonNode e = n.get(i);
        if (!e.isArray()) {
          throw ApiException.badRequest(
              "'input["
                  + i
                  + "]' must be an array of token ids like the others, got "
                  + Json.kind(e),
              "input");
        }
        out.add(new EmbedCall.TokenIds(Json.tokenIds(e, "input[" + i + "]", "input")));
      }
      return out;
    }
    return Json.texts(body, "input");
  }
}
