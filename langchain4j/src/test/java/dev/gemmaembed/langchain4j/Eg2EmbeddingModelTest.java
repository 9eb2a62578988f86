package dev.gemmaembed.langchain4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.Eg2TinyModel;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The LangChain4j model over an EmbeddingGemma 2 Embedder gives the library's vectors and width.
 */
class Eg2EmbeddingModelTest {

  @Test
  void embedAllMatchesTheLibrary() {
    List<String> texts = List.of("Which planet is known as the Red Planet?", "東京は日本の首都です。");
    try (Embedder embedder = Embedder.load(Eg2TinyModel.dir())) {
      GemmaEmbeddingModel model = GemmaEmbeddingModel.builder().embedder(embedder).build();
      Response<List<Embedding>> r = model.embedAll(texts.stream().map(TextSegment::from).toList());
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(
            embedder.embed(texts.get(i), EmbedOptions.DEFAULT), r.content().get(i).vector(), 1e-6f);
      }
      assertEquals(768, model.dimension());
    }
  }
}
