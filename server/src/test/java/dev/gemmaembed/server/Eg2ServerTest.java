package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.Eg2TinyModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI, TEI and Ollama routes serve an EmbeddingGemma 2 model, and /info names its
 * architecture.
 */
class Eg2ServerTest {

  private static final List<String> TEXTS =
      List.of("Which planet is known as the Red Planet?", "", "東京 🚀");

  private static Embedder embedder;
  private static EmbeddingServer server;
  private static Http http;

  @BeforeAll
  static void start() {
    embedder = Embedder.load(Eg2TinyModel.dir());
    server =
        new EmbeddingServer(ServerConfig.defaults().withPort(0).withModelName("eg2-tiny")).start();
    server.ready(embedder);
    http = new Http(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    server.close();
    embedder.close();
  }

  @Test
  void everyDialectReturnsTheLibraryVectors() {
    var openAi =
        http.post("/v1/embeddings", Map.of("input", TEXTS, "task", "STS", "dimensions", 256));
    assertEquals(200, openAi.status(), openAi.body());
    for (int i = 0; i < TEXTS.size(); i++) {
      ApiCompatibilityTest.assertClose(
          embedder.embed(TEXTS.get(i), EmbedOptions.prompt("STS").withDimensions(256)),
          Http.floats(openAi.json().at("/data/" + i + "/embedding")),
          "openai " + i);
    }
    var tei = http.post("/embed", Map.of("inputs", TEXTS, "prompt_name", "Summarization"));
    assertEquals(200, tei.status(), tei.body());
    for (int i = 0; i < TEXTS.size(); i++) {
      ApiCompatibilityTest.assertClose(
          embedder.embed(TEXTS.get(i), EmbedOptions.prompt("Summarization")),
          Http.floats(tei.json().get(i)),
          "tei " + i);
    }
    var ollama = http.post("/api/embed", Map.of("model", "eg2-tiny", "input", TEXTS));
    assertEquals(200, ollama.status(), ollama.body());
    for (int i = 0; i < TEXTS.size(); i++) {
      ApiCompatibilityTest.assertClose(
          embedder.embed(TEXTS.get(i)),
          Http.floats(ollama.json().at("/embeddings/" + i)),
          "ollama " + i);
    }
  }

  @Test
  void infoNamesTheArchitecture() {
    var info = http.get("/info");
    assertEquals(200, info.status());
    assertEquals("embeddinggemma2", info.json().get("architecture").textValue());
    assertEquals(768, info.json().get("dimensions").intValue());
    assertEquals(2048, info.json().get("max_input_length").intValue());
  }
}
