package dev.gemmaembed.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.testing.TinyModel;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.output.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GemmaEmbeddingModelTest {

  private static final float TOLERANCE = 1e-6f;
  private static final List<String> TEXTS =
      List.of(
          "Which planet is known as the Red Planet?",
          "Mars, known for its reddish appearance, is often referred to as the Red Planet.",
          "Jupiter is the largest planet in our solar system.",
          "東京は日本の首都です。");

  private static Path dir;
  private static Embedder embedder;

  @BeforeAll
  static void load() {
    dir = TinyModel.dir();
    embedder = Embedder.load(dir); // its own: a test closes it
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void embedAllMatchesTheLibrary() {
    GemmaEmbeddingModel model = GemmaEmbeddingModel.builder().embedder(embedder).build();
    Response<List<Embedding>> r = model.embedAll(TEXTS.stream().map(TextSegment::from).toList());
    int tokens = 0;
    for (int i = 0; i < TEXTS.size(); i++) {
      assertClose(embedder.embed(TEXTS.get(i)), r.content().get(i).vector(), "text " + i);
      tokens += embedder.tokenize(TEXTS.get(i), EmbedOptions.DEFAULT).length;
    }
    assertEquals(tokens, r.tokenUsage().inputTokenCount());
    assertEquals(embedder.dimensions(), model.dimension());
    assertEquals("tiny-1234", model.modelName());
  }

  @Test
  void perCallDimensionsAndInputTypeMapToMatryoshkaAndPrompts() {
    GemmaEmbeddingModel model = GemmaEmbeddingModel.builder().embedder(embedder).build();
    EmbeddingResponse q =
        model.embed(
            EmbeddingRequest.builder()
                .input(TEXTS.get(0))
                .inputType(EmbeddingInputType.QUERY)
                .dimensions(32)
                .build());
    assertClose(
        embedder.embed(TEXTS.get(0), EmbedOptions.query().withDimensions(32)),
        q.embeddings().getFirst().vector(),
        "query/32");
    EmbeddingResponse d =
        model.embed(
            EmbeddingRequest.builder()
                .inputs(TEXTS.get(1), TEXTS.get(2))
                .inputType(EmbeddingInputType.DOCUMENT)
                .build());
    assertClose(embedder.embedDocument(TEXTS.get(1)), d.embeddings().get(0).vector(), "document 1");
    assertClose(embedder.embedDocument(TEXTS.get(2)), d.embeddings().get(1).vector(), "document 2");
    assertEquals("tiny-1234", d.modelName());
  }

  @Test
  void builderDefaultsApplyAndCanBeOverriddenPerCall() {
    GemmaEmbeddingModel model =
        GemmaEmbeddingModel.builder()
            .embedder(embedder)
            .modelName("gemma")
            .dimensions(16)
            .inputType(EmbeddingInputType.DOCUMENT)
            .build();
    assertEquals(16, model.dimension());
    assertEquals("gemma", model.modelName());
    assertClose(
        embedder.embed(TEXTS.get(1), EmbedOptions.document().withDimensions(16)),
        model.embed(TEXTS.get(1)).content().vector(),
        "defaults");
    EmbeddingResponse q =
        model.embed(
            EmbeddingRequest.builder()
                .input(TEXTS.get(0))
                .inputType(EmbeddingInputType.QUERY)
                .build());
    assertClose(
        embedder.embed(TEXTS.get(0), EmbedOptions.query().withDimensions(16)),
        q.embeddings().getFirst().vector(),
        "override input type, keep default dimensions");
  }

  @Test
  void configurablePrompts() {
    GemmaEmbeddingModel model =
        GemmaEmbeddingModel.builder()
            .embedder(embedder)
            .defaultPrompt("STS")
            .queryPrompt("QuestionAnswering")
            .build();
    assertClose(
        embedder.embed(TEXTS.get(2), EmbedOptions.prompt("STS")),
        model.embed(TEXTS.get(2)).content().vector(),
        "default prompt");
    EmbeddingResponse q =
        model.embed(
            EmbeddingRequest.builder()
                .input(TEXTS.get(0))
                .inputType(EmbeddingInputType.QUERY)
                .build());
    assertClose(
        embedder.embed(TEXTS.get(0), EmbedOptions.prompt("QuestionAnswering")),
        q.embeddings().getFirst().vector(),
        "query prompt");
  }

  @Test
  void refusesWhatItCannotHonour() {
    GemmaEmbeddingModel model = GemmaEmbeddingModel.builder().embedder(embedder).build();
    assertThrows(
        UnsupportedFeatureException.class,
        () -> model.embed(EmbeddingRequest.builder().input("x").modelName("other-model").build()));
    assertThrows(
        InvalidInputException.class,
        () ->
            model.embed(
                EmbeddingRequest.builder()
                    .input("x")
                    .dimensions(embedder.dimensions() + 1)
                    .build()));
    assertThrows(
        InvalidInputException.class,
        () -> GemmaEmbeddingModel.builder().embedder(embedder).dimensions(0).build());
    assertThrows(
        InvalidInputException.class,
        () -> GemmaEmbeddingModel.builder().embedder(embedder).queryPrompt("nope").build());
    assertThrows(IllegalStateException.class, () -> GemmaEmbeddingModel.builder().build());
    assertThrows(
        IllegalStateException.class,
        () -> GemmaEmbeddingModel.builder().embedder(embedder).modelPath(dir).build());
  }

  @Test
  void concurrentCallersShareTheModel() throws Exception {
    GemmaEmbeddingModel model = GemmaEmbeddingModel.builder().embedder(embedder).build();
    List<float[]> expected = TEXTS.stream().map(t -> embedder.embed(t)).toList();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      int offset = c;
      futures.add(
          pool.submit(
              () -> {
                for (int r = 0; r < 10; r++) {
                  int i = (offset + r) % TEXTS.size();
                  assertClose(
                      expected.get(i),
                      model.embed(TEXTS.get(i)).content().vector(),
                      "concurrent " + i);
                }
              }));
    }
    pool.shutdown();
    for (Future<?> f : futures) {
      f.get();
    }
  }

  @Test
  void closesOnlyAnEmbedderItLoaded() {
    GemmaEmbeddingModel owned = GemmaEmbeddingModel.builder().modelPath(dir).build();
    assertClose(
        embedder.embed(TEXTS.get(0)), owned.embed(TEXTS.get(0)).content().vector(), "owned");
    owned.close();
    assertThrows(IllegalStateException.class, () -> owned.embed(TEXTS.get(0)));
    GemmaEmbeddingModel shared = GemmaEmbeddingModel.builder().embedder(embedder).build();
    shared.close();
    assertEquals(embedder.dimensions(), embedder.embed("still open").length);
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    float d = 0;
    for (int i = 0; i < expected.length; i++) {
      d = Math.max(d, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(d <= TOLERANCE, what + ": max |Δ| = " + d);
  }
}
