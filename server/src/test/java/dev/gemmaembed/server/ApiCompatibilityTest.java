package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.TinyModel;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real clients against the server on the tiny model: LangChain4j's OpenAI embedding model and plain
 * HTTP for the OpenAI, TEI and Ollama shapes, each checked against the library API.
 */
class ApiCompatibilityTest {

  private static final float TOLERANCE = 1e-6f;
  private static final List<String> TEXTS =
      List.of(
          "Which planet is known as the Red Planet?",
          "Mars, known for its reddish appearance, is often referred to as the Red Planet.",
          "",
          "  leading and trailing whitespace\t\n",
          "Ünïcödé — 東京 🚀 emoji and CJK");

  private static Embedder embedder;
  private static EmbeddingServer server;
  private static Http http;

  @BeforeAll
  static void start() {
    embedder = TinyModel.embedder();
    server = new EmbeddingServer(ServerConfig.defaults().withPort(0).withModelName("tiny")).start();
    server.ready(embedder);
    http = new Http(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void langchain4jOpenAiClientGetsTheLibraryVectors() {
    OpenAiEmbeddingModel model =
        OpenAiEmbeddingModel.builder()
            .baseUrl(server.baseUrl() + "/v1")
            .apiKey("unused")
            .modelName("tiny")
            .build();
    List<String> texts =
        TEXTS.stream().filter(t -> !t.isBlank()).toList(); // TextSegment refuses blank text
    Response<List<Embedding>> answer =
        model.embedAll(texts.stream().map(TextSegment::from).toList());
    for (int i = 0; i < texts.size(); i++) {
      assertClose(embedder.embed(texts.get(i)), answer.content().get(i).vector(), "text " + i);
    }
    int tokens = 0;
    for (String t : texts) {
      tokens += embedder.tokenize(t, EmbedOptions.DEFAULT).length;
    }
    assertEquals(tokens, answer.tokenUsage().inputTokenCount());
  }

  @Test
  void langchain4jWithDimensionsBase64AndInputType() {
    OpenAiEmbeddingModel model =
        OpenAiEmbeddingModel.builder()
            .baseUrl(server.baseUrl() + "/v1")
            .apiKey("unused")
            .modelName("tiny")
            .dimensions(32)
            .encodingFormat("base64")
            .customParameters(Map.of("input_type", "query"))
            .build();
    assertEquals(32, model.dimension());
    float[] got = model.embed(TEXTS.get(0)).content().vector();
    assertClose(
        embedder.embed(TEXTS.get(0), EmbedOptions.query().withDimensions(32)),
        got,
        "query/32/base64");
  }

  @Test
  void openAiBase64IsLittleEndianFloat32() {
    var a =
        http.post(
            "/v1/embeddings",
            Map.of("input", TEXTS.get(1), "encoding_format", "base64", "model", "x"));
    assertEquals(200, a.status(), a.body());
    byte[] bytes = Base64.getDecoder().decode(a.json().at("/data/0/embedding").textValue());
    float[] v = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    assertClose(embedder.embed(TEXTS.get(1)), v, "base64");
    assertEquals("list", a.json().get("object").textValue());
    assertEquals("embedding", a.json().at("/data/0/object").textValue());
    assertEquals(0, a.json().at("/data/0/index").intValue());
    assertEquals("tiny", a.json().get("model").textValue());
  }

  @Test
  void openAiTokenIdInputsEmbedLikeTheirText() {
    List<int[]> contents = new ArrayList<>();
    for (String t : TEXTS.subList(0, 2)) {
      int[] ids = embedder.tokenize(t, EmbedOptions.DEFAULT);
      contents.add(Arrays.copyOfRange(ids, 1, ids.length - 1)); // drop <bos>, <eos>
    }
    var many = http.post("/v1/embeddings", Map.of("input", contents));
    assertEquals(200, many.status(), many.body());
    for (int i = 0; i < contents.size(); i++) {
      assertClose(
          embedder.embed(TEXTS.get(i)),
          Http.floats(many.json().at("/data/" + i + "/embedding")),
          "ids " + i);
    }
    var one = http.post("/v1/embeddings", Map.of("input", contents.get(1)));
    assertEquals(200, one.status(), one.body());
    assertClose(
        embedder.embed(TEXTS.get(1)),
        Http.floats(one.json().at("/data/0/embedding")),
        "single id array");
    assertEquals(contents.get(1).length + 2, one.json().at("/usage/prompt_tokens").intValue());
  }

  @Test
  void openAiPromptExtensionAndMatryoshka() {
    var a =
        http.post(
            "/v1/embeddings",
            Map.of("input", List.of(TEXTS.get(0)), "task", "STS", "dimensions", 16));
    assertEquals(200, a.status(), a.body());
    assertClose(
        embedder.embed(TEXTS.get(0), EmbedOptions.prompt("STS").withDimensions(16)),
        Http.floats(a.json().at("/data/0/embedding")),
        "STS/16");
    var d = http.post("/v1/embeddings", Map.of("input", TEXTS.get(1), "input_type", "document"));
    assertClose(
        embedder.embedDocument(TEXTS.get(1)),
        Http.floats(d.json().at("/data/0/embedding")),
        "document");
  }

  @Test
  void teiEmbedTokenizeAndInfo() {
    var a = http.post("/embed", Map.of("inputs", TEXTS, "prompt_name", "query", "dimensions", 48));
    assertEquals(200, a.status(), a.body());
    assertEquals(TEXTS.size(), a.json().size());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertClose(
          embedder.embed(TEXTS.get(i), EmbedOptions.query().withDimensions(48)),
          Http.floats(a.json().get(i)),
          "tei " + i);
    }
    var single = http.post("/embed", Map.of("inputs", TEXTS.get(4), "normalize", true));
    assertClose(embedder.embed(TEXTS.get(4)), Http.floats(single.json().get(0)), "tei single");

    var tok =
        http.post("/tokenize", Map.of("inputs", List.of(TEXTS.get(4)), "prompt_name", "query"));
    assertEquals(200, tok.status(), tok.body());
    int[] expected = embedder.tokenize(TEXTS.get(4), EmbedOptions.query());
    JsonNode tokens = tok.json().get(0);
    assertEquals(expected.length, tokens.size());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], tokens.get(i).get("id").intValue());
    }
    assertTrue(tokens.get(0).get("special").booleanValue());
    assertTrue(tokens.get(0).get("start").isNull());
    assertEquals(
        "task", tokens.get(1).get("text").textValue()); // "task: search result | query: ..."

    var info = http.get("/info");
    assertEquals(200, info.status());
    assertEquals(embedder.dimensions(), info.json().get("dimensions").intValue());
    assertEquals(embedder.maxSeqLength(), info.json().get("max_input_length").intValue());
    assertEquals("tiny", info.json().get("model_id").textValue());
    assertEquals("embeddinggemma", info.json().get("architecture").textValue());
  }

  @Test
  void ollamaEmbed() {
    var a =
        http.post("/api/embed", Map.of("model", "embeddinggemma", "input", TEXTS.subList(0, 3)));
    assertEquals(200, a.status(), a.body());
    assertEquals("embeddinggemma", a.json().get("model").textValue());
    int tokens = 0;
    for (int i = 0; i < 3; i++) {
      assertClose(
          embedder.embed(TEXTS.get(i)),
          Http.floats(a.json().at("/embeddings/" + i)),
          "ollama " + i);
      tokens += embedder.tokenize(TEXTS.get(i), EmbedOptions.DEFAULT).length;
    }
    assertEquals(tokens, a.json().get("prompt_eval_count").intValue());
    var single = http.post("/api/embed", Map.of("model", "m", "input", "hello", "dimensions", 8));
    assertClose(
        embedder.embed("hello", EmbedOptions.DEFAULT.withDimensions(8)),
        Http.floats(single.json().at("/embeddings/0")),
        "ollama single");
  }

  @Test
  void teiRootRoutesAndTheUnversionedOpenAiPath() {
    var root = http.post("/", Map.of("inputs", TEXTS.subList(0, 2)));
    assertEquals(200, root.status(), root.body());
    for (int i = 0; i < 2; i++) {
      assertClose(embedder.embed(TEXTS.get(i)), Http.floats(root.json().get(i)), "POST / " + i);
    }
    var health = http.get("/");
    assertEquals(200, health.status(), health.body());
    assertEquals("ok", health.json().get("status").textValue());
    var openAi = http.post("/embeddings", Map.of("input", TEXTS.get(0), "dimensions", 16));
    assertEquals(200, openAi.status(), openAi.body());
    assertClose(
        embedder.embed(TEXTS.get(0), EmbedOptions.DEFAULT.withDimensions(16)),
        Http.floats(openAi.json().at("/data/0/embedding")),
        "POST /embeddings");
    var method = http.send(http.request("/").DELETE().build());
    assertEquals(405, method.status());
    assertEquals("POST, GET", method.raw().headers().firstValue("Allow").orElse(null));
  }

  @Test
  void ollamaLegacyEmbeddings() {
    var a = http.post("/api/embeddings", Map.of("model", "embeddinggemma", "prompt", TEXTS.get(0)));
    assertEquals(200, a.status(), a.body());
    assertEquals(List.of("embedding"), iterable(a.json().fieldNames()));
    assertClose(
        embedder.embed(TEXTS.get(0)), Http.floats(a.json().get("embedding")), "ollama legacy");
    var longText =
        http.post("/api/embeddings", Map.of("model", "m", "prompt", "word ".repeat(3000)));
    assertClose(
        embedder.embed("word ".repeat(3000)),
        Http.floats(longText.json().get("embedding")),
        "truncated");
    var empty = http.post("/api/embeddings", Map.of("model", "m", "prompt", ""));
    assertEquals(200, empty.status());
    assertEquals(0, empty.json().get("embedding").size());
    var wrong = http.post("/api/embeddings", Map.of("model", "m", "prompt", 42));
    assertEquals(400, wrong.status());
    assertTrue(
        wrong.json().get("error").textValue().contains("'prompt' must be a string"), wrong.body());
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void overLongInputsFollowEachApi() {
    String longText = "word ".repeat(3000);
    float[] truncated =
        embedder.embed(longText); // the library truncates like sentence-transformers

    var openAi = http.post("/v1/embeddings", Map.of("input", longText));
    assertEquals(400, openAi.status(), openAi.body());
    assertEquals("context_length_exceeded", openAi.json().at("/error/code").textValue());
    var openAiCut = http.post("/v1/embeddings", Map.of("input", longText, "truncate", true));
    assertClose(
        truncated, Http.floats(openAiCut.json().at("/data/0/embedding")), "openai truncate");
    assertEquals(embedder.maxSeqLength(), openAiCut.json().at("/usage/prompt_tokens").intValue());

    var tei = http.post("/embed", Map.of("inputs", longText));
    assertEquals(413, tei.status(), tei.body());
    assertEquals("Validation", tei.json().get("error_type").textValue());
    var teiCut = http.post("/embed", Map.of("inputs", longText, "truncate", true));
    assertClose(truncated, Http.floats(teiCut.json().get(0)), "tei truncate");

    var ollama = http.post("/api/embed", Map.of("model", "m", "input", longText));
    assertClose(
        truncated, Http.floats(ollama.json().at("/embeddings/0")), "ollama truncates by default");
    var ollamaStrict =
        http.post("/api/embed", Map.of("model", "m", "input", longText, "truncate", false));
    assertEquals(400, ollamaStrict.status());
    assertTrue(ollamaStrict.json().get("error").textValue().contains("2048"));
  }

  @Test
  void inputExactlyAtTheContextLimitIsNotRefused() {
    // Content of maxSeqLength - 2 tokens fills the context exactly: no truncation, so no 400.
    int[] ids = embedder.tokenize("word ".repeat(3000), EmbedOptions.DEFAULT);
    int[] content = Arrays.copyOfRange(ids, 1, ids.length - 1);
    assertEquals(embedder.maxSeqLength() - 2, content.length);
    var a = http.post("/v1/embeddings", Map.of("input", List.of(content)));
    assertEquals(200, a.status(), a.body());
    var over =
        http.post(
            "/v1/embeddings", Map.of("input", List.of(Arrays.copyOf(content, content.length + 1))));
    assertEquals(400, over.status(), over.body());
  }

  @Test
  void validationErrorsNameTheField() {
    var prompt = http.post("/v1/embeddings", Map.of("input", "x", "input_type", "nonsense"));
    assertEquals(400, prompt.status());
    assertEquals("input_type", prompt.json().at("/error/param").textValue());
    assertTrue(prompt.json().at("/error/message").textValue().contains("query"), prompt.body());
    var dims =
        http.post("/v1/embeddings", Map.of("input", "x", "dimensions", embedder.dimensions() + 1));
    assertEquals(400, dims.status());
    assertEquals("dimensions", dims.json().at("/error/param").textValue());
    var format = http.post("/v1/embeddings", Map.of("input", "x", "encoding_format", "int8"));
    assertEquals(400, format.status());
    var empty = http.post("/v1/embeddings", Map.of("input", List.of()));
    assertEquals(400, empty.status());
    var badId = http.post("/v1/embeddings", Map.of("input", List.of(-5, 3)));
    assertEquals(400, badId.status());
    var idsWithPrompt =
        http.post("/v1/embeddings", Map.of("input", List.of(5, 3), "input_type", "query"));
    assertEquals(400, idsWithPrompt.status());
    var wrongType = http.post("/embed", Map.of("inputs", 42));
    assertEquals(400, wrongType.status());
    assertEquals("Validation", wrongType.json().get("error_type").textValue());
    var normalize = http.post("/embed", Map.of("inputs", "x", "normalize", false));
    assertEquals(400, normalize.status());
    var notFound = http.get("/v2/whatever");
    assertEquals(404, notFound.status());
    var method = http.get("/v1/embeddings");
    assertEquals(405, method.status());
    assertEquals("POST", method.raw().headers().firstValue("Allow").orElse(null));
  }

  @Test
  void healthModelsAndMetrics() {
    var health = http.get("/health");
    assertEquals(200, health.status());
    assertEquals("ok", health.json().get("status").textValue());
    var models = http.get("/v1/models");
    assertEquals("tiny", models.json().at("/data/0/id").textValue());
    http.post("/v1/embeddings", Map.of("input", "count me"));
    var metrics = http.get("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(
        metrics.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    for (String name :
        List.of(
            "gemma_embed_requests_total{endpoint=\"/v1/embeddings\",code=\"200\"}",
            "gemma_embed_request_errors_total",
            "gemma_embed_batch_size_bucket",
            "gemma_embed_queue_depth",
            "gemma_embed_tokens_per_second",
            "gemma_embed_request_duration_seconds_bucket")) {
      assertTrue(metrics.body().contains(name), name + " missing from\n" + metrics.body());
    }
    assertNull(metrics.json());
  }

  static void assertClose(float[] expected, float[] actual, String what) {
    float d = Http.maxAbsDiff(expected, actual);
    assertTrue(d <= TOLERANCE, what + ": max |Δ| = " + d);
  }
}
