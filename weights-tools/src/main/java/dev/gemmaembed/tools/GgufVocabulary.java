package dev.gemmaembed.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.core.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.ggml.*} vocabulary llama.cpp's converter writes for a Hugging Face {@code
 * tokenizer.json} without {@code tokenizer.model} (SentencePiece style, model "llama"):
 *
 * <ul>
 *   <li>tokens: the BPE vocabulary by id (added tokens past it are dropped, as the embedding table
 *       has no rows for them);
 *   <li>types: 3 (control) for added tokens that are special or look special to llama.cpp ({@code
 *       <pad>}, {@code <mask>}, {@code <2mass>}, {@code [@BOS@]}, {@code <|…|>}, {@code
 *       <unused…>}); 4 (user-defined) for other added tokens, written with U+2581 as a space; 6
 *       (byte) for {@code <0xNN>}; 1 (normal) otherwise;
 *   <li>scores: −1000 for added tokens, 0 for byte pieces and for pieces no merge produces, and −(r
 *       + 1) for a piece first produced by merge rank r, so that merging by highest score follows
 *       the merge order.
 * </ul>
 *
 * <p>These rules reproduce the vocabulary arrays of the llama.cpp-made EmbeddingGemma GGUFs exactly
 * (all 262,144 tokens, scores and types). tokenizer.json is read with a streaming parser: its 515k
 * merges never become a JSON tree.
 */
public record GgufVocabulary(List<String> tokens, float[] scores, int[] types) {

  public static final int NORMAL = 1;
  public static final int CONTROL = 3;
  public static final int USER_DEFINED = 4;
  public static final int BYTE = 6;

  private static final ObjectMapper JSON = new ObjectMapper();

  public static GgufVocabulary fromTokenizerJson(Path tokenizerJson) {
    try (InputStream in = Files.newInputStream(tokenizerJson)) {
      return read(tokenizerJson, in);
    } catch (IOException e) {
      throw new ConfigException(tokenizerJson, "cannot read: " + e.getMessage(), e);
    }
  }

  private static GgufVocabulary read(Path file, InputStream in) throws IOException {
    Map<String, Integer> vocab = null;
    List<String> merged = new ArrayList<>();
    JsonNode added = null;
    try (JsonParser p = new JsonFactory(JSON).createParser(in)) {
      expect(file, p.nextToken() == JsonToken.START_OBJECT, "must be a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "added_tokens" -> added = p.readValueAsTree();
          case "model" -> {
            expect(file, p.currentToken() == JsonToken.START_OBJECT, "'model' must be an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.currentName();
              p.nextToken();
              switch (f) {
                case "type" ->
                    expect(
                        file,
                        p.getText().equals("BPE"),
                        "model.type '" + p.getText() + "' is not BPE");
                case "vocab" -> vocab = readVocab(file, p);
                case "merges" -> readMerges(file, p, merged);
                default -> p.skipChildren();
              }
            }
          }
          default -> p.skipChildren();
        }
      }
    }
    expect(file, vocab != null, "model.vocab is missing");
    return build(file, vocab, merged, added);
  }

  private static GgufVocabulary build(
      Path file, Map<String, Integer> vocab, List<String> merged, JsonNode added) {
    int n = vocab.size();
    String[] tokens = new String[n];
    vocab.forEach(
        (piece, id) -> {
          expect(
              file,
              id >= 0 && id < n && tokens[id] == null,
              "model.vocab ids must be 0.." + (n - 1) + " without gaps");
          tokens[id] = piece;
        });
    int[] firstRank = new int[n];
    Arrays.fill(firstRank, -1);
    for (int r = 0; r < merged.size(); r++) {
      Integer id = vocab.get(merged.get(r));
      if (id != null && firstRank[id] < 0) {
        firstRank[id] = r;
      }
    }
    float[] scores = new float[n];
    int[] types = new int[n];
    for (int id = 0; id < n; id++) {
      if (isByte(tokens[id])) {
        types[id] = BYTE;
      } else {
        types[id] = NORMAL;
        scores[id] = firstRank[id] < 0 ? 0f : -(firstRank[id] + 1f);
      }
    }
    if (added != null) {
      expect(file, added.isArray(), "added_tokens must be an array");
      for (JsonNode a : added) {
        int id = a.path("id").asInt(-1);
        String content = a.path("content").asText(null);
        expect(file, id >= 0 && content != null, "added_tokens entries need an id and a content");
        if (id >= n) {
          continue;
        }
        boolean control = a.path("special").asBoolean(false) || looksSpecial(content);
        types[id] = control ? CONTROL : USER_DEFINED;
        tokens[id] = control ? content : content.replace('\u2581', ' ');
        scores[id] = -1000f;
      }
    }
    return new GgufVocabulary(List.of(tokens), scores, types);
  }

  /**
   * llama.cpp's heuristic for added tokens that ought to be control tokens even when not marked
   * special.
   */
  static boolean looksSpecial(String t) {
    return t.equals("<pad>")
        || t.equals("<mask>")
        || t.equals("<2mass>")
        || t.equals("[@BOS@]")
        || (t.startsWith("<|") && t.endsWith("|>"))
        || (t.startsWith("<\uFF5C") && t.endsWith("\uFF5C>"))
        || (t.startsWith("<unused") && t.endsWith(">"));
  }

  private static boolean isByte(String piece) {
    return piece.length() == 6
        && piece.startsWith("<0x")
        && piece.endsWith(">")
        && Character.digit(piece.charAt(3), 16) >= 0
        && Character.digit(piece.charAt(4), 16) >= 0;
  }

  private static Map<String, Integer> readVocab(Path file, JsonParser p) throws IOException {
    expect(file, p.currentToken() == JsonToken.START_OBJECT, "model.vocab must be an object");
    Map<String, Integer> vocab = new HashMap<>(1 << 19);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String piece = p.currentName();
      expect(
          file,
          p.nextToken() == JsonToken.VALUE_NUMBER_INT,
          "model.vocab['" + piece + "'] must be an integer id");
      vocab.put(piece, p.getIntValue());
    }
    return vocab;
  }

  /** Merges as "a b" strings (older files) or ["a", "b"] pairs; keeps each merge's result a + b. */
  private static void readMerges(Path file, JsonParser p, List<String> merged) throws IOException {
    expect(file, p.currentToken() == JsonToken.START_ARRAY, "model.merges must be an array");
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        String m = p.getText();
        int space = m.indexOf(' ');
        expect(file, space > 0, "merge '" + m + "' is not 'left right'");
        merged.add(m.substring(0, space) + m.substring(space + 1));
      } else {
        expect(file, p.currentToken() == JsonToken.START_ARRAY, "merges must be strings or pairs");
        expect(file, p.nextToken() == JsonToken.VALUE_STRING, "merge pairs hold two strings");
        String left = p.getText();
        expect(file, p.nextToken() == JsonToken.VALUE_STRING, "merge pairs hold two strings");
        String right = p.getText();
        expect(file, p.nextToken() == JsonToken.END_ARRAY, "merge pairs hold two strings");
        merged.add(left + right);
      }
    }
  }

  private static void expect(Path file, boolean ok, String message) {
    if (!ok) {
      throw new ConfigException(file, message);
    }
  }
}
