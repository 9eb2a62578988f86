package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.Passage;
import dev.gemmaembed.core.PassageSplitter;
import dev.gemmaembed.core.Truncation;
import dev.gemmaembed.testing.TinyModel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PassageSplitter} (core) on the tiny model's tokenizer and window: sizes, overlap, line
 * cuts, line ranges and the fit of prompt + title + passage.
 */
class PassageSplitterTest {

  private static Embedder embedder;

  @BeforeAll
  static void load() {
    embedder = TinyModel.embedder();
  }

  /** Numbered lines of a few words each (10–20 tokens), some blank. */
  private static String lines(int count, long seed) {
    Random random = new Random(seed);
    String[] words = {
      "pump", "oil", "filter", "valve", "weekly", "pressure", "the", "and", "Größe"
    };
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      if (i % 9 == 0) {
        b.append('\n');
        continue;
      }
      b.append("Line ").append(i).append(':');
      for (int w = 0, n = 3 + random.nextInt(6); w < n; w++) {
        b.append(' ').append(words[random.nextInt(words.length)]);
      }
      b.append(".\n");
    }
    return b.toString();
  }

  private static int tokens(String text) {
    return embedder.tokenizer().encode(text, false).length;
  }

  private static int newlinesBefore(String text, int at) {
    return (int) text.substring(0, at).chars().filter(c -> c == '\n').count();
  }

  /** Order, coverage, text, token and line bookkeeping that every split must satisfy. */
  private static void checkPassages(String text, List<Passage> passages, int size, int overlap) {
    assertEquals(0, passages.getFirst().start());
    assertEquals(text.length(), passages.getLast().end());
    int total = tokens(text);
    assertEquals(total, passages.getLast().firstToken() + passages.getLast().tokens());
    for (int i = 0; i < passages.size(); i++) {
      Passage p = passages.get(i);
      assertEquals(i, p.index());
      assertEquals(text.substring(p.start(), p.end()), p.text());
      assertTrue(p.tokens() >= 1 && p.tokens() <= size, "passage " + i + ": " + p.tokens());
      assertEquals(1 + newlinesBefore(text, p.start()), p.firstLine(), "passage " + i);
      assertEquals(
          1 + newlinesBefore(text, Math.max(p.start(), p.end() - 1)), p.lastLine(), "passage " + i);
      if (i > 0) {
        Passage before = passages.get(i - 1);
        int shared = before.firstToken() + before.tokens() - p.firstToken();
        assertTrue(
            shared >= overlap && shared <= overlap + overlap / 5,
            "passage " + i + " shares " + shared + " tokens, overlap " + overlap);
        if (shared > overlap) {
          assertEquals('\n', text.charAt(p.start() - 1), "moved back to a line start");
        }
        assertTrue(p.start() < before.end() || overlap == 0, "passage " + i);
        assertTrue(p.start() > before.start(), "passage " + i + " moves forward");
      }
    }
  }

  @Test
  void aShortTextIsOnePassageTheWholeText() {
    PassageSplitter splitter = new PassageSplitter(embedder, 64, 8);
    String text = "  Mars is red.\nVenus is hot.\n\n";
    List<Passage> passages = splitter.split(text, EmbedOptions.document());
    assertEquals(1, passages.size());
    Passage p = passages.getFirst();
    assertEquals(text, p.text());
    assertEquals(1, p.firstLine());
    assertEquals(3, p.lastLine(), "the last character, a line break, ends line 3");
    assertEquals(tokens(text), p.tokens());
    assertEquals(
        List.of(""),
        splitter.split("", EmbedOptions.document()).stream().map(Passage::text).toList());
  }

  @Test
  void longTextsAreCutAtLineBoundariesInTheLastFifth() {
    String text = lines(400, 1);
    for (int size : new int[] {16, 64, 128, 512}) {
      for (int overlap : new int[] {0, 5, size / 4}) {
        PassageSplitter splitter = new PassageSplitter(embedder, size, overlap);
        List<Passage> passages = splitter.split(text, EmbedOptions.document("manual.txt"));
        checkPassages(text, passages, size, overlap);
        assertTrue(passages.size() > 1);
        for (Passage p : passages.subList(0, passages.size() - 1)) {
          // a line is at most ~20 tokens: above 100 tokens, the last fifth always holds a boundary
          if (size >= 128) {
            assertTrue(p.text().endsWith("\n"), size + "/" + overlap + ": " + p);
            assertTrue(p.tokens() >= size - size / 5, size + "/" + overlap + ": " + p.tokens());
          }
          if (p.text().endsWith("\n")) {
            assertEquals(p.lastLine() + 1, 1 + newlinesBefore(text, p.end()));
          }
        }
      }
    }
  }

  @Test
  void withoutLineBreaksPassagesAreFull() {
    String text = "word ".repeat(1000);
    PassageSplitter splitter = new PassageSplitter(embedder, 100, 10);
    List<Passage> passages = splitter.split(text, EmbedOptions.document());
    checkPassages(text, passages, 100, 10);
    for (Passage p : passages.subList(0, passages.size() - 1)) {
      assertEquals(100, p.tokens());
      assertEquals(1, p.firstLine());
      assertEquals(1, p.lastLine());
    }
  }

  /**
   * A passage as large as the window: prompt, title and {@code <bos>}/{@code <eos>} take their
   * room, and what the encoder runs is never truncated.
   */
  @Test
  void promptTitleAndPassageFitTheWindow() {
    int window = embedder.maxSeqLength();
    String text = lines(1200, 2) + "word ".repeat(3000);
    String title = "A long title of a file with many words in it ".repeat(8);
    for (EmbedOptions options : List.of(EmbedOptions.document(), EmbedOptions.document(title))) {
      PassageSplitter splitter = new PassageSplitter(embedder, window, 100);
      List<Passage> passages = splitter.split(text, options);
      checkPassages(text, passages, window, 100);
      int longest = 0;
      for (Passage p : passages) {
        int[] ids = embedder.prepare(p.text(), options, Truncation.REFUSE).ids();
        assertTrue(ids.length <= window);
        longest = Math.max(longest, ids.length);
      }
      assertTrue(longest > window - 30, "passages fill the window: " + longest);
    }
  }

  @Test
  void sizesOutsideTheRulesAreRefusedNamingTheOption() {
    int window = embedder.maxSeqLength();
    var small =
        assertThrows(InvalidOptionException.class, () -> new PassageSplitter(embedder, 15, 0));
    assertEquals(InvalidOptionException.Option.PASSAGE_TOKENS, small.option());
    assertTrue(small.getMessage().contains("16 to " + window + " tokens"), small.getMessage());
    var large =
        assertThrows(
            InvalidOptionException.class, () -> new PassageSplitter(embedder, window + 1, 0));
    assertEquals(InvalidOptionException.Option.PASSAGE_TOKENS, large.option());
    var overlap =
        assertThrows(InvalidOptionException.class, () -> new PassageSplitter(embedder, 64, 64));
    assertEquals(InvalidOptionException.Option.OVERLAP, overlap.option());
    assertTrue(overlap.getMessage().contains("less than the passage size (64 tokens)"));
    assertThrows(InvalidOptionException.class, () -> new PassageSplitter(embedder, 64, -1));
    new PassageSplitter(embedder, 16, 15);
    new PassageSplitter(embedder, window, 0);
  }
}
