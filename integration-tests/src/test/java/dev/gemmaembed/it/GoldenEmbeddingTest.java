package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.testing.TinyModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The float32 pipeline on the tiny synthetic model against the float64 NumPy reference ({@code
 * embedding_numpy} of shared/golden/tiny/golden.jsonl): cosine ≥ 0.9999999 and max |Δ| ≤ 1e-5 for
 * every text.
 */
class GoldenEmbeddingTest {

  static final double MIN_COSINE = 0.9999999;
  static final double MAX_ABS = 1e-5;

  private static Embedder embedder;
  private static List<Golden.Case> cases;

  @BeforeAll
  static void load() {
    embedder = Embedder.load(TinyModel.dir(), LoadOptions.defaults().withThreads(2));
    cases = Golden.cases("golden.jsonl", "embedding_numpy");
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void fromTokenIdsMatchesTheReference() {
    double worstCos = 1;
    double worstAbs = 0;
    for (Golden.Case c : cases) {
      float[] v = embedder.embedTokenIds(List.of(c.ids()), 0).getFirst();
      double cos = Golden.cosine(v, c.expected());
      double abs = Golden.maxAbsDiff(v, c.expected());
      worstCos = Math.min(worstCos, cos);
      worstAbs = Math.max(worstAbs, abs);
      assertTrue(
          cos >= MIN_COSINE && abs <= MAX_ABS,
          "text "
              + c.index()
              + " ("
              + c.ids().length
              + " tokens): cosine "
              + cos
              + ", max |Δ| "
              + abs);
    }
    System.out.printf(
        "golden (ids): %d texts, worst cosine %.10f, worst max|Δ| %.3g%n",
        cases.size(), worstCos, worstAbs);
  }

  @Test
  void fromTextTokenizesLikeTheReferenceAndEmbedsTheSame() {
    for (Golden.Case c : cases) {
      int[] ids = embedder.tokenize(c.text(), EmbedOptions.DEFAULT);
      assertArrayEquals(c.ids(), ids, "ids of text " + c.index());
      float[] v = embedder.embed(c.text());
      double cos = Golden.cosine(v, c.expected());
      double abs = Golden.maxAbsDiff(v, c.expected());
      assertTrue(
          cos >= MIN_COSINE && abs <= MAX_ABS,
          "text " + c.index() + ": cosine " + cos + ", max |Δ| " + abs);
    }
  }

  @Test
  void aBatchOfAllTextsEqualsOneAtATime() {
    List<int[]> all = new ArrayList<>();
    cases.forEach(c -> all.add(c.ids()));
    List<float[]> batched = embedder.embedTokenIds(all, 0);
    for (int i = 0; i < cases.size(); i++) {
      float[] alone = embedder.embedTokenIds(List.of(cases.get(i).ids()), 0).getFirst();
      // bitwise: JUnit compares float arrays by Float.floatToIntBits, so 0.0 and -0.0 differ too
      assertArrayEquals(alone, batched.get(i), "text " + i + " alone vs in a batch");
    }
  }

  /**
   * A window radius off by one either way (config sliding_window 6 or 10 instead of 8, i.e. radius
   * 3 or 5 instead of 4) must break the tolerance: the golden test can see window bugs.
   */
  @ParameterizedTest
  @ValueSource(ints = {6, 10})
  void aWrongWindowRadiusFailsTheGoldenTolerance(int window) throws Exception {
    Path dir =
        TestModels.tinyWithConfig(
            "tiny-window-" + window,
            cfg -> cfg.replace("\"sliding_window\" : 8", "\"sliding_window\" : " + window));
    try (Embedder wrong = Embedder.load(dir, LoadOptions.defaults().withThreads(2))) {
      assertEquals(window / 2, wrong.config().slidingRadius());
      double worstCos = 1;
      double worstAbs = 0;
      for (Golden.Case c : cases) {
        float[] v = wrong.embedTokenIds(List.of(c.ids()), 0).getFirst();
        worstCos = Math.min(worstCos, Golden.cosine(v, c.expected()));
        worstAbs = Math.max(worstAbs, Golden.maxAbsDiff(v, c.expected()));
      }
      System.out.printf(
          "radius %d: worst cosine %.7f, worst max|Δ| %.3g%n", window / 2, worstCos, worstAbs);
      assertTrue(worstCos < MIN_COSINE && worstAbs > MAX_ABS, "a wrong window went unnoticed");
    }
  }
}
