package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.Prompts;
import dev.gemmaembed.core.model.Architecture;
import dev.gemmaembed.testing.Eg2TinyModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EmbeddingGemma 2 on the tiny synthetic model against the float64 NumPy reference of
 * shared/golden/eg2-tiny/golden.jsonl: every case from its ids, from its {@code input}, and from
 * its {@code text} with its prompt, to cosine ≥ 0.9999999 and max |Δ| ≤ 1e-5, Matryoshka prefixes
 * too; and the negative controls the spec names must miss that bar.
 */
class Eg2GoldenTest {

  static final double MIN_COSINE = 0.9999999;
  static final double MAX_ABS = 1e-5;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Embedder embedder;
  private static List<Eg2Golden.Case> cases;

  @BeforeAll
  static void load() {
    embedder = Embedder.load(Eg2TinyModel.dir(), LoadOptions.defaults().withThreads(2));
    cases = Eg2Golden.cases("eg2-tiny/golden.jsonl");
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void theLoaderPicksTheArchitectureFromTheConfig() {
    assertEquals(Architecture.EMBEDDING_GEMMA2, embedder.architecture());
    assertEquals(768, embedder.dimensions());
    assertEquals(2048, embedder.maxSeqLength());
    // the file's 20 prompts (the shared Prompts adds EmbeddingGemma's model-card alias
    // FactVerification)
    Prompts.EMBEDDING_GEMMA2.forEach(
        (name, prefix) -> assertEquals(prefix, embedder.prompts().all().get(name), name));
    assertEquals(
        "task: sentence similarity | query: ",
        embedder.prompts().find("Summarization").orElseThrow());
  }

  @Test
  void fromTokenIdsMatchesTheReference() {
    List<int[]> ids = new ArrayList<>();
    cases.forEach(c -> ids.add(c.ids()));
    Worst w = new Worst();
    List<float[]> vectors = embedder.embedTokenIds(ids, 0);
    for (Eg2Golden.Case c : cases) {
      w.check(c, vectors.get(c.index()), c.embedding(), "ids");
    }
    System.out.printf(
        "eg2 golden (ids): %d cases, worst cosine %.10f, worst max|Δ| %.3g%n",
        cases.size(), w.cos, w.abs);
  }

  @Test
  void fromTheInputAsIsMatchesTheReference() {
    Worst w = new Worst();
    for (Eg2Golden.Case c : cases) {
      assertArrayEquals(
          c.ids(), embedder.tokenize(c.input(), EmbedOptions.DEFAULT), "ids of input " + c.index());
      w.check(c, embedder.embed(c.input()), c.embedding(), "input");
    }
    System.out.printf("eg2 golden (input): worst cosine %.10f, worst max|Δ| %.3g%n", w.cos, w.abs);
  }

  @Test
  void fromTheTextWithItsPromptMatchesTheReference() {
    Worst w = new Worst();
    for (Eg2Golden.Case c : cases) {
      EmbedOptions o =
          c.promptName() == null ? EmbedOptions.DEFAULT : EmbedOptions.prompt(c.promptName());
      assertArrayEquals(
          c.ids(),
          embedder.tokenize(c.text(), o),
          "ids of text " + c.index() + " with " + c.promptName());
      w.check(c, embedder.embed(c.text(), o), c.embedding(), "text + prompt");
    }
    System.out.printf(
        "eg2 golden (text + prompt): worst cosine %.10f, worst max|Δ| %.3g%n", w.cos, w.abs);
  }

  @Test
  void matryoshkaPrefixesMatchTheReference() {
    Worst w = new Worst();
    for (Eg2Golden.Case c : cases) {
      for (int k = 0; k < Eg2Golden.MATRYOSHKA.length; k++) {
        int dims = Eg2Golden.MATRYOSHKA[k];
        float[] v = embedder.embedTokenIds(List.of(c.ids()), dims).getFirst();
        assertEquals(dims, v.length);
        w.check(c, v, c.matryoshka()[k], "matryoshka " + dims);
      }
    }
    System.out.printf(
        "eg2 golden (matryoshka): worst cosine %.10f, worst max|Δ| %.3g%n", w.cos, w.abs);
  }

  @Test
  void noPromptIsAddedByDefault() {
    Eg2Golden.Case plain = cases.getFirst();
    assertNull(plain.promptName());
    assertArrayEquals(plain.ids(), embedder.tokenize(plain.text(), EmbedOptions.DEFAULT));
  }

  @Test
  void batchesAndThreadCountsGiveBitwiseTheSameVectors() {
    List<int[]> all = new ArrayList<>();
    cases.forEach(c -> all.add(c.ids()));
    List<float[]> batched = embedder.embedTokenIds(all, 0);
    try (Embedder one = Embedder.load(Eg2TinyModel.dir(), LoadOptions.defaults().withThreads(1));
        Embedder three =
            Embedder.load(
                Eg2TinyModel.dir(), LoadOptions.defaults().withThreads(3).withMaxBatchTokens(97))) {
      List<float[]> small = three.embedTokenIds(all, 0);
      for (Eg2Golden.Case c : cases) {
        float[] alone = one.embedTokenIds(List.of(c.ids()), 0).getFirst();
        assertArrayEquals(
            alone, batched.get(c.index()), "case " + c.index() + " alone vs in a batch");
        assertArrayEquals(
            alone, small.get(c.index()), "case " + c.index() + " with 3 threads, 97-token batches");
      }
    }
  }

  /** The spec's negative controls: each shifts the longest texts beyond the bar. */
  @Test
  void aRadiusOffByOneFailsTheBar() {
    assertMissesTheBar("radius 7", cfg -> cfg.put("sliding_window", 7));
    assertMissesTheBar("radius 9", cfg -> cfg.put("sliding_window", 9));
  }

  @Test
  void theOldHalfWindowReadingFailsTheBar() {
    assertMissesTheBar("radius 8 // 2 + 1", cfg -> cfg.put("sliding_window", 8 / 2 + 1));
  }

  @Test
  void proportionalRopeOnTheGlobalLayerFailsTheBar() {
    assertMissesTheBar(
        "proportional 0.25",
        cfg ->
            ((ObjectNode) cfg.get("rope_parameters").get("full_attention"))
                .put("rope_type", "proportional")
                .put("partial_rotary_factor", 0.25));
  }

  private static void assertMissesTheBar(String label, Consumer<ObjectNode> editTextConfig) {
    Path dir;
    try {
      dir =
          TestModels.withConfig(
              Eg2TinyModel.dir(),
              "eg2-" + label.replaceAll("[^a-z0-9.]", "-"),
              text -> {
                try {
                  ObjectNode cfg = (ObjectNode) JSON.readTree(text);
                  editTextConfig.accept((ObjectNode) cfg.get("text_config"));
                  return JSON.writeValueAsString(cfg);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Embedder wrong = Embedder.load(dir, LoadOptions.defaults().withThreads(2))) {
      double worstCos = 1;
      double worstAbs = 0;
      for (Eg2Golden.Case c : cases) {
        float[] v = wrong.embedTokenIds(List.of(c.ids()), 0).getFirst();
        worstCos = Math.min(worstCos, Golden.cosine(v, c.embedding()));
        worstAbs = Math.max(worstAbs, Golden.maxAbsDiff(v, c.embedding()));
      }
      System.out.printf(
          "eg2 negative control %s: worst cosine %.4f, worst max|Δ| %.3g%n",
          label, worstCos, worstAbs);
      assertTrue(worstCos < MIN_COSINE && worstAbs > MAX_ABS, label + " went unnoticed");
    }
  }

  private static final class Worst {
    double cos = 1;
    double abs;

    void check(Eg2Golden.Case c, float[] v, float[] expected, String how) {
      double cs = Golden.cosine(v, expected);
      double ab = Golden.maxAbsDiff(v, expected);
      cos = Math.min(cos, cs);
      abs = Math.max(abs, ab);
      assertTrue(
          cs >= MIN_COSINE && ab <= MAX_ABS,
          how
              + ", case "
              + c.index()
              + " ("
              + c.ids().length
              + " tokens): cosine "
              + cs
              + ", max |Δ| "
              + ab);
    }
  }
}
