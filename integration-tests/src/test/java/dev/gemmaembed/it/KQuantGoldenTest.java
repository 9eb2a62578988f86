package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's {@code shared/golden/kquant/mix.gguf} (one type per layer: Q6_K token table, Q2_K,
 * Q3_K, Q4_K, Q5_K, Q4_1/Q5_1, Q5_0/IQ4_NL, IQ4_XS and Q8_0 Dense) against
 * {@code embedding_numpy_dequant}, the float64 reference run on the weights dequantized from the
 * same file: cosine ≥ 0.999999 and max |Δ| ≤ 5e-5 for every text, and a batch gives the same bits
 * as texts alone. Skips (visibly) where shared/ is not next to the checkout.
 */
class KQuantGoldenTest {

  static final double MIN_COSINE = 0.999999;
  static final double MAX_ABS = 5e-5;

  static Path mix() {
    String prop = System.getProperty("gemma.shared");
    Path shared = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
    Path mix = shared.resolve("golden").resolve("kquant").resolve("mix.gguf");
    Assumptions.assumeTrue(Files.isRegularFile(mix), "shared/golden/kquant/mix.gguf is not next to this checkout: skipped");
    return mix;
  }

  @Test
  void embedsTheGoldenTextsLikeTheDequantizedReference() {
    Path mix = mix();
    List<JsonNode> cases = Golden.linesAt("/golden/kquant/golden-mix.jsonl.gz");
    try (Embedder e = Embedder.load(mix, LoadOptions.defaults().withThreads(2))) {
      double worstCos = 1;
      double worstAbs = 0;
      double worstLlama = 1;
      List<int[]> all = new ArrayList<>();
      List<float[]> alone = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        JsonNode c = cases.get(i);
        int[] ids = Golden.ints(c.get("ids"));
        float[] ref = Golden.floats(c.get("embedding_numpy_dequant"));
        String text = c.get("text").asText();
        assertArrayEquals(ids, e.tokenize(text, EmbedOptions.DEFAULT), "ids of text " + i);
        float[] v = e.embed(text);
        double cos = Golden.cosine(v, ref);
        double abs = Golden.maxAbsDiff(v, ref);
        worstCos = Math.min(worstCos, cos);
        worstAbs = Math.max(worstAbs, abs);
        worstLlama = Math.min(worstLlama, Golden.cosine(v, Golden.floats(c.get("embedding_llama_cpp"))));
        assertTrue(cos >= MIN_COSINE && abs <= MAX_ABS, "text " + i + " (" + ids.length + " tokens): cosine " + cos
            + ", max |Δ| " + abs);
        all.add(ids);
        alone.add(v);
      }
      System.out.printf("mix.gguf: %d texts, worst cosine vs numpy_dequant %.10f, worst max|Δ| %.3g; "
          + "worst cosine vs llama.cpp (int8 activations) %.7f%n", cases.size(), worstCos, worstAbs, worstLlama);
      List<float[]> batched = e.embedTokenIds(all, 0);
      for (int i = 0; i < cases.size(); i++) {
        assertArrayEquals(alone.get(i), batched.get(i), 0f, "text " + i + " alone vs in a batch of " + cases.size());
      }
    }
  }
}
