package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufTensor;
import dev.gemmaembed.core.gguf.GgufTensorSource;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * mix.gguf of shared/golden/kquant (one type per layer: Q6_K token table, Q2_K, Q3_K, Q4_K, Q5_K,
 * Q4_1/Q5_1, Q5_0/IQ4_NL, IQ4_XS and Q8_0 Dense), both as the project's quantizer writes it from
 * the synthetic kquant model (always) and as llama.cpp wrote it (when shared/ is next to the
 * checkout; skipped visibly otherwise):
 *
 * <ul>
 *   <li>every matrix dequantizes to float32 tensors whose SHA-256 are the regression fixture
 *       mix-dequant-sha256.json (computed from llama.cpp's file and checked against an independent
 *       NumPy dequantization written after gguf-py's quants.py);
 *   <li>the 20 golden texts embed to within cosine ≥ 0.999999 and max |Δ| ≤ 5e-5 of {@code
 *       embedding_numpy_dequant} (the float64 reference run on those dequantized weights), and a
 *       batch gives the same bits as the texts alone.
 * </ul>
 */
class KQuantGoldenTest {

  static final double MIN_COSINE = 0.999999;
  static final double MAX_ABS = 5e-5;

  static Path file(String source) {
    if (source.equals("ours")) {
      return KQuantFixtures.ourMix();
    }
    var mix = KQuantFixtures.llamaCppMix();
    Assumptions.assumeTrue(
        mix.isPresent(), "shared/golden/kquant/mix.gguf is not next to this checkout: skipped");
    return mix.get();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ours", "llama.cpp"})
  void everyMatrixDequantizesToTheRegressionHashes(String source) throws Exception {
    JsonNode expected = Golden.jsonAt("/golden/kquant/mix-dequant-sha256.json.gz");
    int checked = 0;
    try (Arena arena = Arena.ofConfined()) {
      GgufFile f = GgufFile.open(file(source), arena);
      GgufTensorSource src = new GgufTensorSource(f);
      for (GgufTensor t : f.tensors().values()) {
        if (t.ne().length != 2) {
          continue;
        }
        JsonNode e = expected.get(t.name());
        assertEquals(e.get("type").asText(), t.type().name(), t.name());
        int cols = (int) t.ne()[0];
        int rows = (int) t.ne()[1];
        WeightMatrix m = src.matrixByGgufName(t.name(), rows, cols);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        float[] row = new float[cols];
        ByteBuffer b = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
          m.readRow(r, row, 0);
          b.clear();
          b.asFloatBuffer().put(row);
          sha.update(b.array());
        }
        assertEquals(
            e.get("sha256").asText(),
            HexFormat.of().formatHex(sha.digest()),
            "dequantized " + t + " of " + source);
        checked++;
      }
    }
    assertEquals(expected.size(), checked);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ours", "llama.cpp"})
  void embedsTheGoldenTextsLikeTheDequantizedReference(String source) {
    Path mix = file(source);
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
        worstLlama =
            Math.min(worstLlama, Golden.cosine(v, Golden.floats(c.get("embedding_llama_cpp"))));
        assertTrue(
            cos >= MIN_COSINE && abs <= MAX_ABS,
            "text " + i + " (" + ids.length + " tokens): cosine " + cos + ", max |Δ| " + abs);
        all.add(ids);
        alone.add(v);
      }
      System.out.printf(
          "mix.gguf (%s): %d texts, worst cosine vs numpy_dequant %.10f, worst max|Δ| %.3g; "
              + "worst cosine vs llama.cpp (int8 activations) %.7f%n",
          source, cases.size(), worstCos, worstAbs, worstLlama);
      List<float[]> batched = e.embedTokenIds(all, 0);
      for (int i = 0; i < cases.size(); i++) {
        assertArrayEquals(
            alone.get(i),
            batched.get(i),
            0f,
            "text " + i + " alone vs in a batch of " + cases.size());
      }
    }
  }
}
