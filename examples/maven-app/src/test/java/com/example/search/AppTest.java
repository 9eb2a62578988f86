package com.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppTest {

  @Test
  void ranksEveryDocumentBestFirst() throws Exception {
    Path model = Path.of("target", "tiny-model");
    SyntheticCheckpointWriter.write(SyntheticSpec.tiny(1234), model);
    try (Embedder embedder = Embedder.load(model)) {
      List<App.Hit> hits = App.rank(embedder, "Which planet is red?", App.DOCUMENTS);
      assertEquals(App.DOCUMENTS.size(), hits.size());
      for (int i = 1; i < hits.size(); i++) {
        assertTrue(hits.get(i - 1).score() >= hits.get(i).score(), hits.toString());
      }
      assertTrue(Math.abs(hits.getFirst().score()) <= 1.0001, hits.toString());
    }
  }
}
