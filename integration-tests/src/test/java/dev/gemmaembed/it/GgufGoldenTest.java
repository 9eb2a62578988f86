package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loading the tiny model's Q8_0 and Q4_0 GGUFs and embedding the golden texts: against {@code
 * embedding_numpy_dequant} (the float64 reference run on the weights dequantized from the same
 * file). The kernels keep float32 activations, so the bar is far above the 0.9999: cosine ≥
 * 0.999999 and max |Δ| ≤ 1e-5. Texts are tokenized with the GGUF's own vocabulary (no
 * tokenizer.json anywhere near a .gguf) and must give the golden ids.
 *
 * <p>Two sources of files: the project's quantizer and llama.cpp's own files (in shared/golden/tiny
 * when present; else the project's, proven the same bytes by their SHA-256, see {@link
 * GgufFixtures#llamaCpp}).
 */
class GgufGoldenTest {

  static final double MIN_COSINE = 0.999999;
  static final double MAX_ABS = 1e-5;

  static Stream<Arguments> files() {
    return Stream.of(
        Arguments.of("ours", "Q8_0", "golden-q8_0.jsonl"),
        Arguments.of("ours", "Q4_0", "golden-q4_0.jsonl"),
        Arguments.of("llama.cpp", "Q8_0", "golden-q8_0.jsonl"),
        Arguments.of("llama.cpp", "Q4_0", "golden-q4_0.jsonl"));
  }

  static Path file(String source, String type) {
    if (source.equals("ours")) {
      return type.equals("Q8_0") ? GgufFixtures.q8_0() : GgufFixtures.q4_0();
    }
    return GgufFixtures.llamaCpp(type);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("files")
  void embedsTheGoldenTextsLikeTheDequantizedReference(String source, String type, String golden) {
    List<GgufFixtures.QuantCase> cases = GgufFixtures.cases(golden);
    try (Embedder e = Embedder.load(file(source, type), LoadOptions.defaults().withThreads(2))) {
      double worstCos = 1;
      double worstAbs = 0;
      double worstLlama = 1;
      List<int[]> all = new ArrayList<>();
      List<float[]> alone = new ArrayList<>();
      for (GgufFixtures.QuantCase c : cases) {
        assertArrayEquals(
            c.ids(), e.tokenize(c.text(), EmbedOptions.DEFAULT), "ids of text " + c.index());
        float[] v = e.embed(c.text());
        double cos = Golden.cosine(v, c.numpyDequant());
        double abs = Golden.maxAbsDiff(v, c.numpyDequant());
        worstCos = Math.min(worstCos, cos);
        worstAbs = Math.max(worstAbs, abs);
        worstLlama = Math.min(worstLlama, Golden.cosine(v, c.llamaCpp()));
        assertTrue(
            cos >= MIN_COSINE && abs <= MAX_ABS,
            type
                + " text "
                + c.index()
                + " ("
                + c.ids().length
                + " tokens): cosine "
                + cos
                + ", max |Δ| "
                + abs);
        all.add(c.ids());
        alone.add(v);
      }
      System.out.printf(
          "%s %s: %d texts, worst cosine vs numpy_dequant %.10f, worst max|Δ| %.3g; "
              + "worst cosine vs llama.cpp (int8 activations) %.7f%n",
          source, type, cases.size(), worstCos, worstAbs, worstLlama);
      List<float[]> batched = e.embedTokenIds(all, 0);
      for (int i = 0; i < cases.size(); i++) {
        assertArrayEquals(
            alone.get(i),
            batched.get(i),
            0f,
            "text " + i + " alone vs in a batch of " + cases.size());
      }
      assertEquals(64, e.dimensions());
    }
  }
}
