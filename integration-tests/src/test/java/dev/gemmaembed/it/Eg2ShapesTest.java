package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.testing.Eg2TinyModel;
import dev.gemmaembed.tools.Eg2SyntheticSpec;
import dev.gemmaembed.tools.Eg2SyntheticWriter;
import dev.gemmaembed.tools.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * EmbeddingGemma 2 beyond the tiny shape, against float64 references made by {@code
 * resources/golden/eg2-shapes/make_eg2_fixtures.py} (shared/tools/eg2's writer and reference): two
 * other shapes (13 layers with hidden ≠ heads × head_dim; 4 query heads over 2 kv heads with a 4×
 * wider global head) on 21 sequences up to 1,324 tokens, and the tiny model in BF16 against the
 * reference run on its BF16 weights; each with its weights packed at load and not, to the same
 * bits.
 */
class Eg2ShapesTest {

  /**
   * hidden 96 ≠ 3 heads × 16; 13 layers (global 5, 11, 12 with 1 × 48); radius 16. Same as
   * make_eg2_fixtures.py's "wide13".
   */
  static final Eg2SyntheticSpec WIDE13 =
      new Eg2SyntheticSpec(
          "eg2-wide13", 77, 96, 13, 3, 3, 16, 1, 48, 160, 24, 768, 16, 262144, 262144, 2048, null);

  /** 4 heads over 2 kv heads, head_dim 8 sliding / 32 global, 8 layers, radius 3 ("gqa8"). */
  static final Eg2SyntheticSpec GQA8 =
      new Eg2SyntheticSpec(
          "eg2-gqa8", 5, 48, 8, 4, 2, 8, 2, 32, 64, 8, 768, 3, 262144, 262144, 2048, null);

  @Test
  void otherShapesMatchTheirReferences() throws IOException {
    check(write(WIDE13), "eg2-shapes/wide13.jsonl", 0.9999999, 1e-5);
    check(write(GQA8), "eg2-shapes/gqa8.jsonl", 0.9999999, 1e-5);
  }

  @Test
  void bf16WeightsMatchTheReferenceOnTheSameWeights() {
    check(Eg2TinyModel.bf16Dir(), "eg2-shapes/bf16.jsonl", 0.99999, 1e-4);
  }

  private static Path write(Eg2SyntheticSpec spec) throws IOException {
    Path d = Path.of("target", "test-models", spec.name()).toAbsolutePath();
    if (!Files.exists(d.resolve(".complete"))) {
      Eg2SyntheticWriter.write(spec, SafetensorsWriter.Dtype.F32, d);
      Files.writeString(d.resolve(".complete"), "ok");
    }
    return d;
  }

  private static void check(Path model, String golden, double minCos, double maxAbs) {
    List<Eg2Golden.Case> cases = Eg2Golden.cases(golden);
    List<int[]> ids = new ArrayList<>();
    cases.forEach(c -> ids.add(c.ids()));
    double worstCos = 1;
    double worstAbs = 0;
    try (Embedder e = Embedder.load(model, LoadOptions.defaults().withThreads(2));
        Embedder asStored =
            Embedder.load(model, LoadOptions.defaults().withThreads(2).withPackWeights(false))) {
      List<float[]> vectors = e.embedTokenIds(ids, 0);
      // the weights not packed at load: products decode their panels as they go, to the same bits
      List<float[]> unpacked = asStored.embedTokenIds(ids, 0);
      for (int i = 0; i < ids.size(); i++) {
        assertArrayEquals(vectors.get(i), unpacked.get(i), golden + " unpacked, sequence " + i);
      }
      for (Eg2Golden.Case c : cases) {
        float[][] got = {vectors.get(c.index()), null, null, null};
        for (int k = 0; k < Eg2Golden.MATRYOSHKA.length; k++) {
          got[k + 1] = e.embedTokenIds(List.of(c.ids()), Eg2Golden.MATRYOSHKA[k]).getFirst();
        }
        float[][] want = {c.embedding(), c.matryoshka()[0], c.matryoshka()[1], c.matryoshka()[2]};
        for (int k = 0; k < got.length; k++) {
          double cos = Golden.cosine(got[k], want[k]);
          double abs = Golden.maxAbsDiff(got[k], want[k]);
          worstCos = Math.min(worstCos, cos);
          worstAbs = Math.max(worstAbs, abs);
          assertTrue(
              cos >= minCos && abs <= maxAbs,
              golden
                  + " case "
                  + c.index()
                  + " ("
                  + c.ids().length
                  + " tokens), width "
                  + got[k].length
                  + ": cosine "
                  + cos
                  + ", max |Δ| "
                  + abs);
        }
      }
    }
    System.out.printf(
        "%s: %d cases, worst cosine %.10f, worst max|Δ| %.3g%n",
        golden, cases.size(), worstCos, worstAbs);
  }
}
