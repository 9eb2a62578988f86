package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.EmbedOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Ollama's {@code POST /api/embed}: {@code input} a string or array of strings, {@code truncate}
 * (default true, as in Ollama; false refuses over-long inputs with 400), {@code dimensions}.
 * {@code options} and {@code keep_alive} are accepted and ignored: the model stays loaded.
 */
final class OllamaApi {

  private final String modelName;

  OllamaApi(String modelName) {
    this.modelName = modelName;
  }

  CompletableFuture<Reply> embed(ObjectNode body, EmbeddingService service) {
    long start = System.nanoTime();
    String model = Json.optString(body, "model");
    List<EmbedCall.Input> inputs = Json.texts(body, "input");
    EmbedCall call = new EmbedCall(inputs, EmbedOptions.DEFAULT, Json.optPositiveInt(body, "dimensions"),
        Json.optBoolean(body, "truncate", true));
    return service.embed(call).thenApply(result -> Reply.json(Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("model", model != null ? model : modelName);
      g.writeArrayFieldStart("embeddings");
      for (float[] v : result.vectors()) {
        Json.writeFloats(g, v);
      }
      g.writeEndArray();
      g.writeNumberField("total_duration", System.nanoTime() - start);
      g.writeNumberField("load_duration", 0);
      g.writeNumberField("prompt_eval_count", result.tokens());
      g.writeEndObject();
    })));
  }
}
