package dev.gemmaembed.springai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.testing.TinyModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;

class GemmaEmbeddingModelTest {

  private static final List<String> TEXTS =
      List.of(
          "Which planet is known as the Red Planet?",
          "Mars, known for its reddish appearance, is often referred to as the Red Planet.",
          "東京は日本の首都です。");

  private final Embedder embedder = TinyModel.embedder();
  private final GemmaEmbeddingModel model =
      GemmaEmbeddingModel.builder().embedder(embedder).build();

  @Test
  void stringsAreQueriesBitwiseAsTheLibrary() {
    EmbeddingResponse r = model.call(new EmbeddingRequest(TEXTS, null));
    List<float[]> expected = embedder.embedAll(TEXTS, EmbedOptions.query());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertArrayEquals(expected.get(i), r.getResults().get(i).getOutput(), "text " + i);
      assertEquals(i, r.getResults().get(i).getIndex());
    }
    assertArrayEquals(embedder.embedQuery(TEXTS.get(0)), model.embed(TEXTS.get(0)));
    assertEquals(embedder.dimensions(), model.dimensions());
  }

  @Test
  void documentsGetTheDocumentPromptAndTheirTitle() {
    Document untitled = new Document(TEXTS.get(1));
    Document titled = new Document(TEXTS.get(1), Map.of("title", "Mars"));
    assertArrayEquals(embedder.embedDocument(TEXTS.get(1)), model.embed(untitled));
    assertArrayEquals(embedder.embedDocument("Mars", TEXTS.get(1)), model.embed(titled));
    List<float[]> both =
        model.embed(
            List.of(untitled, titled),
            EmbeddingOptions.builder().dimensions(32).build(),
            new TokenCountBatchingStrategy());
    assertArrayEquals(
        embedder.embed(TEXTS.get(1), EmbedOptions.document().withDimensions(32)), both.get(0));
    assertArrayEquals(
        embedder.embed(TEXTS.get(1), EmbedOptions.document("Mars").withDimensions(32)),
        both.get(1));
  }

  @Test
  void titleKeyAndPromptsAreConfigurable() {
    GemmaEmbeddingModel custom =
        GemmaEmbeddingModel.builder()
            .embedder(embedder)
            .titleKey("heading")
            .queryPrompt(null)
            .documentPrompt("STS")
            .build();
    assertArrayEquals(embedder.embed(TEXTS.get(0)), custom.embed(TEXTS.get(0)));
    // under a prompt other than the model's document prompt, a title has no place
    assertArrayEquals(
        embedder.embed(TEXTS.get(1), EmbedOptions.prompt("STS")),
        custom.embed(new Document(TEXTS.get(1), Map.of("heading", "Mars"))));
  }

  @Test
  void dimensionsCutByMatryoshkaPerCallOrByDefault() {
    GemmaEmbeddingModel narrow =
        GemmaEmbeddingModel.builder().embedder(embedder).dimensions(16).build();
    assertEquals(16, narrow.dimensions());
    assertArrayEquals(
        embedder.embed(TEXTS.get(0), EmbedOptions.query().withDimensions(16)),
        narrow.embed(TEXTS.get(0)));
    float[] perCall =
        narrow
            .call(new EmbeddingRequest(TEXTS, EmbeddingOptions.builder().dimensions(32).build()))
            .getResults()
            .get(2)
            .getOutput();
    assertArrayEquals(
        embedder.embed(TEXTS.get(2), EmbedOptions.query().withDimensions(32)), perCall);
  }

  @Test
  void optionsTheModelLacksGetCoresError() {
    int tooWide = embedder.dimensions() + 1;
    InvalidOptionException perCall =
        assertThrows(
            InvalidOptionException.class,
            () ->
                model.call(
                    new EmbeddingRequest(
                        TEXTS, EmbeddingOptions.builder().dimensions(tooWide).build())));
    assertEquals(InvalidOptionException.Option.DIMENSIONS, perCall.option());
    assertThrows(
        InvalidOptionException.class,
        () -> GemmaEmbeddingModel.builder().embedder(embedder).dimensions(tooWide).build());
    InvalidOptionException prompt =
        assertThrows(
            InvalidOptionException.class,
            () ->
                GemmaEmbeddingModel.builder()
                    .embedder(embedder)
                    .documentPrompt("no-such-prompt")
                    .build());
    assertEquals(InvalidOptionException.Option.PROMPT_NAME, prompt.option());
    assertThrows(
        InvalidInputException.class,
        () ->
            model.call(
                new EmbeddingRequest(
                    TEXTS, EmbeddingOptions.builder().model("another-model").build())));
  }
}
