package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.TokenEmbeddings;
import dev.gemmaembed.testing.TinyModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Embedder#embedTokens} on the tiny model against the float64 reference's final-norm hidden
 * states (token-embeddings/tiny-hidden.jsonl.gz, made by scripts/make-token-embeddings-fixture.py
 * with shared/tools/numpy_ref.py): max |Δ| ≤ 1e-5 on every token of 12 golden texts.
 */
class TokenEmbeddingsGoldenTest {

  record Case(String text, int[] ids, float[] hidden, int width) {}

  private static Embedder embedder;
  private static List<Case> cases;

  @BeforeAll
  static void load() throws IOException {
    embedder = Embedder.load(TinyModel.dir(), LoadOptions.defaults().withThreads(2));
    cases = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (var in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(
                    TokenEmbeddingsGoldenTest.class.getResourceAsStream(
                        "/token-embeddings/tiny-hidden.jsonl.gz")),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode n = json.readTree(line);
        int[] ids = new int[n.get("ids").size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = n.get("ids").get(i).intValue();
        }
        byte[] raw = Base64.getDecoder().decode(n.get("hidden").textValue());
        float[] hidden = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(hidden);
        cases.add(new Case(n.get("text").textValue(), ids, hidden, n.get("width").intValue()));
      }
    }
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void finalNormHiddenStatesMatchTheReference() {
    assertEquals(12, cases.size());
    List<TokenEmbeddings> got =
        embedder.embedTokens(cases.stream().map(Case::text).toList(), EmbedOptions.DEFAULT);
    double worst = 0;
    for (int c = 0; c < cases.size(); c++) {
      Case k = cases.get(c);
      TokenEmbeddings t = got.get(c);
      assertArrayEquals(k.ids(), t.ids(), "text " + c);
      assertEquals(k.width(), t.width());
      assertEquals(k.hidden().length, t.vectors().length);
      for (int i = 0; i < k.hidden().length; i++) {
        double d = Math.abs(k.hidden()[i] - t.vectors()[i]);
        worst = Math.max(worst, d);
        assertTrue(
            d <= 1e-5,
            "text " + c + ", token " + i / k.width() + ", dim " + i % k.width() + ": |Δ| " + d);
      }
    }
    System.out.printf("token embeddings: %d texts, worst max|Δ| %.3g%n", cases.size(), worst);
  }

  @Test
  void offsetsAreCodePointsOfThePromptedTextAndTemplateTokensHaveNone() {
    TokenEmbeddings t =
        embedder.embedTokens(List.of("Hello 🚀 world"), EmbedOptions.query()).getFirst();
    String prompted = embedder.promptedText("Hello 🚀 world", EmbedOptions.query());
    assertArrayEquals(embedder.tokenize("Hello 🚀 world", EmbedOptions.query()), t.ids());
    assertEquals(-1, t.starts()[0]);
    assertEquals(-1, t.ends()[t.size() - 1]);
    StringBuilder rebuilt = new StringBuilder();
    int[] cps = prompted.codePoints().toArray();
    for (int i = 1; i < t.size() - 1; i++) {
      rebuilt.append(new String(cps, t.starts()[i], t.ends()[i] - t.starts()[i]));
    }
    assertEquals(prompted, rebuilt.toString());
  }

  @Test
  void aCutTextEndsInEosAndDimensionsAreRefused() {
    String longText = "word ".repeat(embedder.maxSeqLength() + 10);
    TokenEmbeddings t = embedder.embedTokens(List.of(longText), EmbedOptions.DEFAULT).getFirst();
    assertEquals(embedder.maxSeqLength(), t.size());
    assertEquals(1, t.ids()[t.size() - 1]);
    assertEquals(-1, t.starts()[t.size() - 1]);
    assertThrows(
        InvalidOptionException.class,
        () -> embedder.embedTokens(List.of("x"), EmbedOptions.DEFAULT.withDimensions(32)));
  }
}
