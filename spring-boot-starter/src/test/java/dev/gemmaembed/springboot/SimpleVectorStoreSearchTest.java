package dev.gemmaembed.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemmaembed.core.Embedder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Spring AI's in-memory vector store, fed and searched through the auto-configured model. */
@SpringBootTest(classes = TestApp.class)
class SimpleVectorStoreSearchTest {

  @DynamicPropertySource
  static void model(DynamicPropertyRegistry registry) {
    TestApp.tinyModel(registry);
  }

  @Autowired EmbeddingModel model;

  @Autowired Embedder embedder;

  @Test
  void similaritySearchRanksAsTheLibrarysCosines() {
    List<Document> docs =
        List.of(
            new Document(
                "mars", "Mars is often referred to as the Red Planet.", Map.of("title", "Mars")),
            new Document("jupiter", "Jupiter is the largest planet in our solar system.", Map.of()),
            new Document(
                "bread", "Knead the dough and let it rise for an hour.", Map.of("title", "Baking")),
            new Document("tokyo", "東京は日本の首都です。", Map.of()));
    SimpleVectorStore store = SimpleVectorStore.builder(model).build();
    store.add(docs);
    String query = "Which planet is known as the Red Planet?";

    List<Document> found =
        store.similaritySearch(SearchRequest.builder().query(query).topK(3).build());

    // the same ranking computed by hand: query prompt against document prompt (title when given)
    float[] q = embedder.embedQuery(query);
    List<Map.Entry<String, Double>> expected = new ArrayList<>();
    for (Document d : docs) {
      Object title = d.getMetadata().get("title");
      float[] v =
          title == null
              ? embedder.embedDocument(d.getText())
              : embedder.embedDocument(title.toString(), d.getText());
      expected.add(Map.entry(d.getId(), cosine(q, v)));
    }
    expected.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
    assertEquals(
        expected.subList(0, 3).stream().map(Map.Entry::getKey).toList(),
        found.stream().map(Document::getId).toList());
    for (int i = 0; i < 3; i++) {
      assertEquals(expected.get(i).getValue(), found.get(i).getScore(), 1e-6, found.get(i).getId());
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
