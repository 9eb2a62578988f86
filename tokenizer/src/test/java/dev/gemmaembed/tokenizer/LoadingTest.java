package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from files, directories and streams; malformed and unsupported files. */
class LoadingTest {

  static byte[] bundledJson() throws IOException {
    try (InputStream in = GemmaTokenizer.class.getResourceAsStream("gemma3/tokenizer.json.gz")) {
      return new GZIPInputStream(in).readAllBytes();
    }
  }

  private static InputStream utf8(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A tiny valid Gemma-style tokenizer.json; {@code %MODEL%} etc. can be patched by tests. */
  static String tiny(String model, String extra) {
    return """
        {"version":"1.0","truncation":null,"padding":null,
         "added_tokens":[
           {"id":0,"content":"<pad>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
           {"id":1,"content":"<eos>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
           {"id":2,"content":"<bos>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
           {"id":3,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
         "normalizer":{"type":"Replace","pattern":{"String":" "},"content":"\u2581"},
         "pre_tokenizer":{"type":"Split","pattern":{"String":" "},"behavior":"MergedWithPrevious","invert":false},
         "post_processor":{"type":"TemplateProcessing",
            "single":[{"SpecialToken":{"id":"<bos>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
            "pair":[],
            "special_tokens":{"<bos>":{"id":"<bos>","ids":[2],"tokens":["<bos>"]}}},
         "decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"\u2581"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"}]},
         %EXTRA%
         "model":%MODEL%}
        """
        .replace("%MODEL%", model)
        .replace("%EXTRA%", extra);
  }

  static final String TINY_MODEL =
      """
      {"type":"BPE","dropout":null,"unk_token":"<unk>","continuing_subword_prefix":null,
       "end_of_word_suffix":null,"fuse_unk":true,"byte_fallback":false,"ignore_merges":false,
       "vocab":{"<pad>":0,"<eos>":1,"<bos>":2,"<unk>":3,"a":4,"b":5,"\u2581":6,"ab":7,"\u2581ab":8,"c":9,"abc":10},
       "merges":[["a","b"],["\u2581","ab"],["ab","c"]]}
      """;

  @Test
  void tinyTokenizer() {
    GemmaTokenizer t = GemmaTokenizer.fromStreams(utf8(tiny(TINY_MODEL, "")), null);
    assertEquals(11, t.vocabSize());
    assertTrue(t.addsBos());
    assertFalse(t.addsEos());
    assertEquals(1, t.eosId()); // found by name, not added
    assertArrayEquals(new int[] {2, 7, 8, 10}, t.encode("ab ababc"));
    // unknown characters fuse into one <unk> (no byte fallback here)
    assertArrayEquals(new int[] {4, 3, 5}, t.encode("axyzb", false));
    Encoding e = t.encodeWithOffsets("axyzb", false);
    assertArrayEquals(new int[][] {{0, 1}, {1, 4}, {4, 5}}, e.offsets());
    assertEquals("ab ababc", t.decode(t.encode("ab ababc", false)));
  }

  @Test
  void mergesAsStringsAndBeforeVocabulary() {
    String model =
        """
        {"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":false,
         "merges":["a b","\u2581 ab","ab c"],
         "vocab":{"<pad>":0,"<eos>":1,"<bos>":2,"<unk>":3,"a":4,"b":5,"\u2581":6,"ab":7,"\u2581ab":8,"c":9,"abc":10}}
        """;
    GemmaTokenizer t = GemmaTokenizer.fromStreams(utf8(tiny(model, "")), null);
    assertArrayEquals(new int[] {7, 8, 10}, t.encode("ab ababc", false));
  }

  @Test
  void configOverridesTemplate() {
    String cfg =
        """
        {"add_bos_token": true, "add_eos_token": true, "bos_token": "<bos>",
         "eos_token": {"content": "<eos>", "special": true}, "pad_token": "<pad>"}
        """;
    GemmaTokenizer t = GemmaTokenizer.fromStreams(utf8(tiny(TINY_MODEL, "")), utf8(cfg));
    assertArrayEquals(new int[] {2, 7, 1}, t.encode("ab"));
    String noBos = "{\"add_bos_token\": false}";
    GemmaTokenizer u = GemmaTokenizer.fromStreams(utf8(tiny(TINY_MODEL, "")), utf8(noBos));
    assertArrayEquals(new int[] {7}, u.encode("ab"));
    assertFalse(u.addsBos());
  }

  @Test
  void fromFileAndDirectoryReadTheConfigNextToIt(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), tiny(TINY_MODEL, ""));
    assertArrayEquals(
        new int[] {2, 7}, GemmaTokenizer.fromFile(dir.resolve("tokenizer.json")).encode("ab"));
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_eos_token\": true}");
    assertArrayEquals(
        new int[] {2, 7, 1}, GemmaTokenizer.fromFile(dir.resolve("tokenizer.json")).encode("ab"));
    assertArrayEquals(new int[] {2, 7, 1}, GemmaTokenizer.fromDirectory(dir).encode("ab"));
  }

  @Test
  void bundledFileLoadsFromPathAndStream(@TempDir Path dir) throws IOException {
    byte[] json = bundledJson();
    Files.write(dir.resolve("tokenizer.json"), json);
    try (InputStream cfg =
        GemmaTokenizer.class.getResourceAsStream("gemma3/tokenizer_config.json.gz")) {
      Files.write(dir.resolve("tokenizer_config.json"), new GZIPInputStream(cfg).readAllBytes());
    }
    GemmaTokenizer fromDir = GemmaTokenizer.fromDirectory(dir);
    assertArrayEquals(
        new int[] {2, 9259, 236764, 1902, 236888, 1}, fromDir.encode("Hello, world!"));
    // without tokenizer_config.json: the template of tokenizer.json (<bos> $A <eos>)
    GemmaTokenizer plain = GemmaTokenizer.fromStreams(new ByteArrayInputStream(json), null);
    assertArrayEquals(new int[] {2, 9259, 236764, 1902, 236888, 1}, plain.encode("Hello, world!"));
  }

  private static void assertRejected(String json, String... messageParts) {
    TokenizerException e =
        assertThrows(TokenizerException.class, () -> GemmaTokenizer.fromStreams(utf8(json), null));
    for (String part : messageParts) {
      assertTrue(
          e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
  }

  @Test
  void rejectsOtherModelTypes() {
    assertRejected(
        tiny("{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":{\"a\":0}}", ""),
        "tokenizer.json",
        "model.type",
        "WordPiece");
    assertRejected(
        tiny("{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"a\",0.0]]}", ""),
        "model.type",
        "Unigram");
    assertRejected(tiny("{\"vocab\":[[\"a\",0.0]]}", ""), "model.vocab", "Unigram");
    assertRejected(
        tiny(TINY_MODEL, "")
            .replace(
                "\"pre_tokenizer\":{\"type\":\"Split\"",
                "\"pre_tokenizer\":{\"type\":\"ByteLevel\""),
        "pre_tokenizer",
        "ByteLevel");
    assertRejected(
        tiny(TINY_MODEL, "")
            .replace("\"normalizer\":{\"type\":\"Replace\"", "\"normalizer\":{\"type\":\"NFKC\""),
        "normalizer",
        "NFKC");
    assertRejected(tiny(TINY_MODEL.replace("\"dropout\":null", "\"dropout\":0.1"), ""), "dropout");
  }

  @Test
  void rejectsMalformedJson() {
    assertRejected(
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,}}",
        "tokenizer.json",
        "malformed JSON",
        "line");
    assertRejected("", "tokenizer.json");
    assertRejected("[1, 2, 3]", "tokenizer.json", "object");
    assertRejected(tiny(TINY_MODEL, "").substring(0, 500), "tokenizer.json", "malformed JSON");
    assertRejected("{\"model\": {}} trailing", "tokenizer.json");
    TokenizerException e =
        assertThrows(
            TokenizerException.class,
            () -> GemmaTokenizer.fromStreams(utf8(tiny(TINY_MODEL, "")), utf8("{not json")));
    assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
  }

  @Test
  void rejectsMissingOrInconsistentFields() {
    assertRejected("{\"added_tokens\": []}", "missing field 'model'");
    assertRejected(tiny("{\"type\":\"BPE\",\"merges\":[]}", ""), "model", "vocab");
    assertRejected(tiny("{\"type\":\"BPE\",\"vocab\":{\"a\":0}}", ""), "model", "merges");
    assertRejected(
        tiny("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[[\"a\",\"q\"]]}", ""),
        "model.merges",
        "'q'");
    assertRejected(
        tiny("{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[[\"a\",\"b\"]]}", ""),
        "model.merges",
        "'ab'");
    assertRejected(
        tiny("{\"type\":\"BPE\",\"vocab\":{\"a\":\"x\"},\"merges\":[]}", ""), "model.vocab");
    assertRejected(
        tiny("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[[\"a\"]]}", ""), "model.merges");
    assertRejected(
        tiny("{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a\"]}", ""), "model.merges");
    assertRejected(
        tiny("{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"vocab\":{\"a\":0},\"merges\":[]}", ""),
        "model.unk_token");
    assertRejected(
        tiny(TINY_MODEL, "").replace("{\"id\":3,\"content\":\"<unk>\",", "{\"id\":3,"),
        "added_tokens[3].content");
    assertRejected(
        tiny(TINY_MODEL, "").replace("\"ids\":[2]", "\"idz\":[2]"),
        "post_processor.special_tokens");
  }

  @Test
  void missingFilesAndDirectories(@TempDir Path dir) {
    TokenizerException a =
        assertThrows(
            TokenizerException.class, () -> GemmaTokenizer.fromFile(dir.resolve("nope.json")));
    assertTrue(a.getMessage().contains("nope.json"), a.getMessage());
    TokenizerException b =
        assertThrows(TokenizerException.class, () -> GemmaTokenizer.fromDirectory(dir));
    assertTrue(b.getMessage().contains("tokenizer.json"), b.getMessage());
  }
}
