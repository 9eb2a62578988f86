package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.testing.Eg2TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The tiny EG2 model carries the Gemma 3 tokenizer as a stand-in for Gemma 4's (a tokenizer.json of
 * the same kind): with that file edited — other special ids, another added token, another
 * normalizer and pre-tokenizer — an EG2 folder tokenizes by what the file says, not by Gemma 3
 * assumptions.
 */
class Eg2TokenizerFileTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void specialIdsComeFromTheFile() throws IOException {
    Path dir =
        edited(
            "eg2-tok-specials",
            tok -> {
              ObjectNode pp = (ObjectNode) tok.get("post_processor");
              ArrayNode single = (ArrayNode) pp.get("single");
              ((ObjectNode) single.get(0).get("SpecialToken")).put("id", "<start_of_turn>");
              ((ObjectNode) single.get(2).get("SpecialToken")).put("id", "<end_of_turn>");
              ObjectNode st = (ObjectNode) pp.get("special_tokens");
              st.putObject("<start_of_turn>").put("id", "<start_of_turn>").putArray("ids").add(105);
              st.putObject("<end_of_turn>").put("id", "<end_of_turn>").putArray("ids").add(106);
            },
            cfg -> cfg.put("bos_token", "<start_of_turn>").put("eos_token", "<end_of_turn>"));
    try (Embedder e = Embedder.load(dir)) {
      assertArrayEquals(
          new int[] {105, 9259, 1902, 106}, e.tokenize("Hello world", EmbedOptions.DEFAULT));
    }
  }

  @Test
  void anAddedTokenOfTheFileIsMatched() throws IOException {
    Path dir =
        edited(
            "eg2-tok-added",
            tok ->
                ((ArrayNode) tok.get("added_tokens"))
                    .addObject()
                    .put("id", 1000)
                    .put("content", "ZQXJ")
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", false),
            cfg -> {});
    try (Embedder plain = Embedder.load(Eg2TinyModel.dir());
        Embedder e = Embedder.load(dir)) {
      assertFalse(contains(plain.tokenize("helloZQXJworld", EmbedOptions.DEFAULT), 1000));
      assertTrue(contains(e.tokenize("helloZQXJworld", EmbedOptions.DEFAULT), 1000));
    }
  }

  @Test
  void theFilesNormalizerApplies() throws IOException {
    Path dir =
        edited(
            "eg2-tok-normalizer",
            tok -> {
              ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
              ArrayNode list = seq.putArray("normalizers");
              list.add(tok.get("normalizer"));
              list.addObject()
                  .put("type", "Replace")
                  .put("content", "e")
                  .putObject("pattern")
                  .put("String", "a");
              tok.set("normalizer", seq);
            },
            cfg -> {});
    try (Embedder plain = Embedder.load(Eg2TinyModel.dir());
        Embedder e = Embedder.load(dir)) {
      // "a" becomes "e" before the vocabulary is consulted
      assertArrayEquals(
          plain.tokenize("the cet set", EmbedOptions.DEFAULT),
          e.tokenize("the cat sat", EmbedOptions.DEFAULT));
    }
  }

  @Test
  void theFilesPreTokenizerApplies() throws IOException {
    Path dir =
        edited(
            "eg2-tok-split",
            tok ->
                tok.putObject("pre_tokenizer")
                    .put("type", "Split")
                    .put("behavior", "MergedWithPrevious")
                    .put("invert", false)
                    .putObject("pattern")
                    .put("String", "h"),
            cfg -> {});
    try (Embedder plain = Embedder.load(Eg2TinyModel.dir());
        Embedder e = Embedder.load(dir)) {
      // "there" is split after the "h": the pieces of "th" then those of "ere"
      int[] expected =
          IntStream.concat(
                  IntStream.concat(
                      IntStream.of(2),
                      IntStream.concat(
                          Arrays.stream(content(plain.tokenize("th", EmbedOptions.DEFAULT))),
                          Arrays.stream(content(plain.tokenize("ere", EmbedOptions.DEFAULT))))),
                  IntStream.of(1))
              .toArray();
      assertArrayEquals(expected, e.tokenize("there", EmbedOptions.DEFAULT));
      assertFalse(
          Arrays.equals(expected, plain.tokenize("there", EmbedOptions.DEFAULT)),
          "the split must matter");
    }
  }

  private static boolean contains(int[] ids, int id) {
    return Arrays.stream(ids).anyMatch(i -> i == id);
  }

  private static int[] content(int[] ids) {
    return Arrays.copyOfRange(ids, 1, ids.length - 1);
  }

  private static Path edited(
      String name, Consumer<ObjectNode> tokenizer, Consumer<ObjectNode> config) throws IOException {
    Path dir = TestModels.linkedCopy(Eg2TinyModel.dir(), name);
    rewrite(dir.resolve("tokenizer.json"), tokenizer);
    rewrite(dir.resolve("tokenizer_config.json"), config);
    return dir;
  }

  private static void rewrite(Path file, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode n = (ObjectNode) JSON.readTree(Files.readAllBytes(file));
    edit.accept(n);
    Files.delete(file);
    Files.write(file, JSON.writeValueAsBytes(n));
  }
}
