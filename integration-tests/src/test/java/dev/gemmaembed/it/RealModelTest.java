package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gemmaembed.core.Embedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The model card's example on the real google/embeddinggemma-300m weights (spec §7). Runs only when
 * a downloaded copy is found — env GEMMA_EMBED_REAL_MODEL, or the Hugging Face cache — and is
 * reported as skipped otherwise (the weights cannot be downloaded on the build machines).
 */
class RealModelTest {

  @Test
  void modelCardExampleGivesThePublishedCosines() {
    Optional<Path> dir = findRealModel();
    assumeTrue(
        dir.isPresent(), "no real google/embeddinggemma-300m found (set GEMMA_EMBED_REAL_MODEL)");
    try (Embedder e = Embedder.load(dir.get())) {
      float[] q = e.embedQuery("Which planet is known as the Red Planet?");
      List<String> docs =
          List.of(
              "Venus is often called Earth's twin because of its similar size and proximity.",
              "Mars, known for its reddish appearance, is often referred to as the Red Planet.",
              "Jupiter, the largest planet in our solar system, has a prominent red spot.",
              "Saturn, famous for its rings, is sometimes mistaken for the Red Planet.");
      double[] expected = {0.3011, 0.6359, 0.4930, 0.4889};
      for (int i = 0; i < docs.size(); i++) {
        double cos = Golden.cosine(q, e.embedDocument(docs.get(i)));
        System.out.printf("real model: query vs document %d cosine %.6f%n", i, cos);
        assertEquals(expected[i], cos, 0.001, "document " + i);
      }
    }
  }

  static Optional<Path> findRealModel() {
    String env = System.getenv("GEMMA_EMBED_REAL_MODEL");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env));
    }
    String hubCache = System.getenv("HF_HUB_CACHE");
    String hfHome = System.getenv("HF_HOME");
    Path hub =
        hubCache != null
            ? Path.of(hubCache)
            : hfHome != null
                ? Path.of(hfHome, "hub")
                : Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    Path repo = hub.resolve("models--google--embeddinggemma-300m");
    try {
      Path ref = repo.resolve("refs").resolve("main");
      if (Files.isRegularFile(ref)) {
        Path snap = repo.resolve("snapshots").resolve(Files.readString(ref).strip());
        if (Files.isRegularFile(snap.resolve("model.safetensors"))) {
          return Optional.of(snap);
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
