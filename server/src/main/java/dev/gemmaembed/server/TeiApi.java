package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Truncation;
import dev.gemmaembed.tokenizer.Encoding;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Hugging Face text-embeddings-inference's API: {@code POST /embed}, {@code POST /tokenize} and
 * {@code GET /info}. As in TEI, {@code truncate} defaults to false and an input longer than the
 * context, or a request with too many inputs, is a 413 validation error; with {@code truncate},
 * {@code truncation_direction} {@code Right} (default) or {@code Left} (any case) says which end is
 * cut. Extension: {@code precision} stores the vectors as int8, uint8, binary or ubinary ({@link
 * StoredPrecision}).
 */
final class TeiApi {

  private final ServerConfig config;

  TeiApi(ServerConfig config) {
    this.config = config;
  }

  CompletableFuture<Reply> embed(ObjectNode body, EmbeddingService service) {
    List<EmbedCall.Input> inputs = Json.texts(body, "inputs");
    if (!Json.optBoolean(body, "normalize", true)) {
      throw ApiException.badRequest(
          "'normalize': false is not available: this model's sentence-transformers "
              + "pipeline ends in a Normalize module, so its embeddings are always unit length",
          "normalize");
    }
    String direction = Json.optString(body, "truncation_direction");
    if (direction != null
        && !direction.equalsIgnoreCase("right")
        && !direction.equalsIgnoreCase("left")) {
      throw ApiException.badRequest(
          "'truncation_direction' must be \"Right\" (the default, what "
              + "sentence-transformers does) or \"Left\", got \""
              + direction
              + "\"",
          "truncation_direction");
    }
    boolean left = direction != null && direction.equalsIgnoreCase("left");
    EmbedOptions prompt =
        Prompting.options(
            Json.optString(body, "prompt_name"), "prompt_name", service.embedder(), inputs);
    EmbedCall call =
        new EmbedCall(
            inputs,
            prompt,
            Json.optPositiveInt(body, "dimensions"),
            !Json.optBoolean(body, "truncate", false)
                ? Truncation.REFUSE
                : left ? Truncation.CUT_LEFT : Truncation.CUT);
    StoredPrecision precision = service.precision(body, call.dimensions(), inputs.size());
    return service
        .embed(call)
        .thenApply(
            result ->
                Reply.json(
                    Json.write(
                        g -> {
                          g.writeStartArray();
                          if (precision.isFloat()) {
                            for (float[] v : result.vectors()) {
                              Json.writeFloats(g, v);
                            }
                          } else {
                            for (byte[] v : precision.store(result.vectors())) {
                              precision.write(g, v, false);
                            }
                          }
                          g.writeEndArray();
                        })));
  }

  /**
   * Tokens of each input as {@code {id, text, special, start, stop}}, with {@code start}/{@code
   * stop} code-point offsets into the tokenized string (prompt + input, stripped); null for the
   * template's {@code <bos>}/{@code <eos>}, which cover no text.
   *
   * <p>Checks the request and takes the tokenizer's memory for its longest input from {@code lease}
   * (413 beyond the per-request share) up front; the returned writer then tokenizes one input at a
   * time while the reply streams, so only one input's tokens are held.
   */
  Json.Writer tokenize(ObjectNode body, EmbeddingService service, MemoryBudget.Lease lease) {
    List<EmbedCall.Input> inputs = Json.texts(body, "inputs");
    if (inputs.size() > config.maxInputs()) {
      throw new ApiException(
          ApiException.Kind.TOO_MANY_INPUTS,
          inputs.size() + " inputs in one request; this server takes at most " + config.maxInputs(),
          "inputs");
    }
    boolean addSpecial = Json.optBoolean(body, "add_special_tokens", true);
    EmbedOptions prompt =
        Prompting.options(
            Json.optString(body, "prompt_name"), "prompt_name", service.embedder(), inputs);
    GemmaTokenizer tokenizer = service.embedder().tokenizer();
    List<String> texts = new ArrayList<>(inputs.size());
    long longest = 0;
    for (EmbedCall.Input input : inputs) {
      String text = service.encoder().promptedText(((EmbedCall.Text) input).text(), prompt);
      texts.add(text);
      longest = Math.max(longest, MemoryBudget.utf8Length(text));
    }
    lease.grow(
        (longest + 2) * MemoryBudget.TOKENIZE_BYTES_PER_UTF8_BYTE,
        "tokenizing " + longest + " UTF-8 bytes with offsets");
    return g -> {
      g.writeStartArray();
      for (String text : texts) {
        Encoding e = tokenizer.encodeWithOffsets(text, addSpecial);
        g.writeStartArray();
        for (int t = 0; t < e.size(); t++) {
          // Template tokens (<bos>, <eos>) cover no text: report their piece and no offsets.
          boolean added = e.utf16Start(t) == e.utf16End(t);
          g.writeStartObject();
          g.writeNumberField("id", e.id(t));
          g.writeStringField(
              "text",
              added ? tokenizer.piece(e.id(t)) : text.substring(e.utf16Start(t), e.utf16End(t)));
          g.writeBooleanField("special", tokenizer.isSpecial(e.id(t)));
          if (added) {
            g.writeNullField("start");
            g.writeNullField("stop");
          } else {
            g.writeNumberField("start", e.start(t));
            g.writeNumberField("stop", e.end(t));
          }
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndArray();
    };
  }

  Reply info(EmbeddingService service, String version) {
    return Reply.json(
        Json.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("model_id", config.modelName());
              g.writeStringField("architecture", service.embedder().architecture().displayName());
              g.writeNullField("model_sha");
              g.writeStringField("model_dtype", "float32");
              g.writeObjectFieldStart("model_type");
              g.writeObjectFieldStart("embedding");
              g.writeStringField("pooling", "mean");
              g.writeEndObject();
              g.writeEndObject();
              g.writeNumberField("max_concurrent_requests", config.maxConcurrent());
              g.writeNumberField("max_input_length", service.encoder().maxSeqLength());
              g.writeNumberField("max_batch_tokens", config.maxBatchTokens());
              g.writeNullField("max_batch_requests");
              g.writeNumberField("max_client_batch_size", config.maxInputs());
              g.writeNumberField("dimensions", service.dimensions());
              g.writeArrayFieldStart("prompts");
              for (String name : service.embedder().prompts().all().keySet()) {
                g.writeString(name);
              }
              g.writeEndArray();
              g.writeStringField("version", version);
              g.writeEndObject();
            }));
  }
}
