package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.EmbedOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Ollama's {@code POST /api/embed}: {@code input} a string or array of strings, {@code truncate}
 * (default true, as in Ollama; false refuses over-long inputs with 400), {@code dimensions}. {@code
 * options} and {@code keep_alive} are accepted and ignored: the model stays loaded. Also its older
 * {@code POST /api/embeddings}: one {@code prompt} → {@code {"embedding": [...]}}.
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
    EmbedCall call =
        new EmbedCall(
            inputs,
            EmbedOptions.DEFAULT,
            Json.optPositiveInt(body, "dimensions"),
            Json.optBoolean(body, "truncate", true));
    return service
        .embed(call)
        .thenApply(
            result ->
                Reply.json(
                    Json.write(
                        g -> {
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

  /**
   * The older endpoint: {@code prompt}, one string, always truncated to the context (it has no
   * {@code truncate} field), answered as {@code {"embedding": [...]}}. An empty prompt gets an
   * empty embedding, as Ollama answers it (clients send one to load a model).
   */
  CompletableFuture<Reply> embeddings(ObjectNode body, EmbeddingService service) {
    String prompt = Json.optString(body, "prompt");
    if (prompt == null || prompt.isEmpty()) {
      return CompletableFuture.completedFuture(
          Reply.json(
              Json.write(
                  g -> {
                    g.writeStartObject();
                    g.writeArrayFieldStart("embedding");
                    g.writeEndArray();
                    g.writeEndObject();
                  })));
    }
    EmbedCall call =
        new EmbedCall(List.of(new EmbedCall.Text(prompt)), EmbedOptions.DEFAULT, 0, true);
    return service
        .embed(call)
        .thenApply(
            result ->
                Reply.json(
                    Json.write(
                        g -> {
                          g.writeStartObject();
                          g.writeFieldName("embedding");
                          Json.writeFloats(g, result.vectors().getFirst());
                          g.writeEndObject();
                        })));
  }
}
