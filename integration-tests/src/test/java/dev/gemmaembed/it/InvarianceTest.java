package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.testing.TinyModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Property tests: a text's vector is bitwise identical whether embedded alone or in any batch (any
 * companions, lengths, positions, batch-size limits), with any thread count, and with the weights
 * packed at load or not ({@link LoadOptions#packWeights()}).
 */
class InvarianceTest {

  private static final Random RNG = new Random(20261127);
  private static final List<Embedder> EMBEDDERS = new ArrayList<>();
  private static List<String> texts;

  @BeforeAll
  static void load() {
    for (int threads : new int[] {1, 2, 3}) {
      EMBEDDERS.add(Embedder.load(TinyModel.dir(), LoadOptions.defaults().withThreads(threads)));
    }
    // small batch budget: forces multi-batch splits at varying places
    EMBEDDERS.add(
        Embedder.load(
            TinyModel.dir(), LoadOptions.defaults().withThreads(2).withMaxBatchTokens(97)));
    // weights as stored: products decode their panels as they go
    EMBEDDERS.add(
        Embedder.load(
            TinyModel.dir(), LoadOptions.defaults().withThreads(2).withPackWeights(false)));
    EMBEDDERS.add(
        Embedder.load(
            TinyModel.dir(),
            LoadOptions.defaults().withThreads(3).withMaxBatchTokens(97).withPackWeights(false)));
    texts = new ArrayList<>();
    Golden.cases("golden.jsonl", "embedding_numpy").forEach(c -> texts.add(c.text()));
    for (int i = 0; i < 40; i++) {
      texts.add(randomText(1 + RNG.nextInt(120)));
    }
  }

  @AfterAll
  static void close() {
    EMBEDDERS.forEach(Embedder::close);
  }

  static String randomText(int words) {
    String[] vocab = {
      "alpha", "Straße", "東京", "🚀", "x", "1234", "the", "naïve", "code()", "\t", "über", "وصل"
    };
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(vocab[RNG.nextInt(vocab.length)]).append(RNG.nextBoolean() ? " " : "");
    }
    return sb.toString();
  }

  @Test
  void vectorsDoNotDependOnBatchPositionOrThreads() {
    Embedder reference = EMBEDDERS.getFirst();
    List<float[]> alone = new ArrayList<>();
    for (String t : texts) {
      alone.add(reference.embed(t, EmbedOptions.DEFAULT));
    }
    for (int round = 0; round < 12; round++) {
      Embedder e = EMBEDDERS.get(round % EMBEDDERS.size());
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, RNG);
      List<Integer> pick = order.subList(0, 1 + RNG.nextInt(texts.size()));
      List<String> batch = pick.stream().map(texts::get).toList();
      List<float[]> got = e.embedAll(batch, EmbedOptions.DEFAULT);
      for (int k = 0; k < pick.size(); k++) {
        assertArrayEquals(
            alone.get(pick.get(k)),
            got.get(k),
            "text "
                + pick.get(k)
                + " at position "
                + k
                + " of "
                + pick.size()
                + ", "
                + e.threads()
                + " threads");
      }
    }
    // Every text in one call: batches over a quarter of the budget get full-budget buffer sets,
    // whose feed-forward tiles live in the query and key buffers (single texts use their own).
    int tokens =
        texts.stream().mapToInt(t -> reference.tokenize(t, EmbedOptions.DEFAULT).length).sum();
    assertTrue(tokens > LoadOptions.DEFAULT_MAX_BATCH_TOKENS / 4, tokens + " tokens");
    for (Embedder e : EMBEDDERS) {
      List<float[]> got = e.embedAll(texts, EmbedOptions.DEFAULT);
      for (int k = 0; k < texts.size(); k++) {
        assertArrayEquals(
            alone.get(k), got.get(k), "text " + k + " of all, " + e.threads() + " threads");
      }
    }
  }
}
