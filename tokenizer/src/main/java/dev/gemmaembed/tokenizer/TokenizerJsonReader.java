package dev.gemmaembed.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a Hugging Face {@code tokenizer.json} (BPE model of the SentencePiece/Gemma kind) with
 * Jackson's streaming parser: the large {@code model.vocab} and {@code model.merges} are consumed
 * token by token (merge strings are resolved straight from the parser's character buffer, without
 * allocating), the small sections are read as trees. Gzip-compressed input is detected by its magic
 * bytes.
 */
final class TokenizerJsonReader {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNameLength(Integer.MAX_VALUE)
                  .build())
          .build();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private final String source;

  // model section
  private String modelType;
  private boolean sawModel;
  private boolean sawVocab;
  private boolean sawMerges;
  private PieceTable pieces;
  private PieceIndex index;
  private int[] mLeft = new int[1024];
  private int[] mRight = new int[1024];
  private int[] mResult = new int[1024];
  private int mCount;
  private List<String[]> deferredMerges; // merges seen before the vocabulary
  private String unkToken;
  private boolean fuseUnk;
  private boolean byteFallback;
  private boolean ignoreMerges;
  private JsonNode dropout;
  private JsonNode continuingSubwordPrefix;
  private JsonNode endOfWordSuffix;

  private TokenizerJsonReader(String source) {
    this.source = source;
  }

  static InputStream maybeGunzip(InputStream in) throws IOException {
    BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
    b.mark(2);
    int m0 = b.read();
    int m1 = b.read();
    b.reset();
    if (m0 == 0x1f && m1 == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16);
    }
    return b;
  }

  /** Reads tokenizer.json and optional tokenizer_config.json into a definition. */
  static Definition read(
      InputStream tokenizerJson, String source, InputStream config, String configSource) {
    TokenizerJsonReader r = new TokenizerJsonReader(source);
    Map<String, JsonNode> sections = r.parseTokenizer(tokenizerJson);
    JsonNode cfg = null;
    if (config != null) {
      cfg = readTree(config, configSource);
      if (!cfg.isObject()) {
        throw new TokenizerException(configSource + ": expected a JSON object");
      }
    }
    return r.build(sections, cfg, configSource);
  }

  static JsonNode readTree(InputStream in, String source) {
    try (InputStream s = maybeGunzip(in)) {
      JsonNode n = MAPPER.readTree(s);
      if (n == null || n.isMissingNode()) throw new TokenizerException(source + ": empty file");
      return n;
    } catch (JsonProcessingException e) {
      throw malformed(source, e);
    } catch (IOException e) {
      throw new TokenizerException(source + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static TokenizerException malformed(String source, JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    String where =
        loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    return new TokenizerException(
        source + ": malformed JSON" + where + ": " + e.getOriginalMessage(), e);
  }

  private TokenizerException fail(String field, String message) {
    return new TokenizerException(source + ": " + field + ": " + message);
  }

  private Map<String, JsonNode> parseTokenizer(InputStream in) {
    Map<String, JsonNode> sections = new HashMap<>();
    try (InputStream s = maybeGunzip(in);
        JsonParser p = MAPPER.createParser(s)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new TokenizerException(source + ": expected a JSON object at the top level");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("model")) {
          parseModel(p, t);
        } else {
          JsonNode node = MAPPER.readTree(p);
          sections.put(name, node);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new TokenizerException(source + ": malformed JSON at the top level");
      }
      if (p.nextToken() != null) {
        throw new TokenizerException(source + ": trailing content after the JSON object");
      }
    } catch (JsonProcessingException e) {
      throw malformed(source, e);
    } catch (IOException e) {
      throw new TokenizerException(source + ": cannot read: " + e.getMessage(), e);
    }
    return sections;
  }

  private void parseModel(JsonParser p, JsonToken t) throws IOException {
    sawModel = true;
    if (t != JsonToken.START_OBJECT) throw fail("model", "expected an object");
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "type" -> {
          if (v != JsonToken.VALUE_STRING) throw fail("model.type", "expected a string");
          modelType = p.getText();
          if (!modelType.equals("BPE")) {
            throw fail("model.type", "'" + modelType + "' is not supported (only BPE)");
          }
        }
        case "vocab" -> parseVocab(p, v);
        case "merges" -> parseMerges(p, v);
        case "unk_token" -> unkToken = v == JsonToken.VALUE_NULL ? null : stringValue(p, v, name);
        case "fuse_unk" -> fuseUnk = boolValue(p, v, name);
        case "byte_fallback" -> byteFallback = boolValue(p, v, name);
        case "ignore_merges" -> ignoreMerges = boolValue(p, v, name);
        case "dropout" -> dropout = MAPPER.readTree(p);
        case "continuing_subword_prefix" -> continuingSubwordPrefix = MAPPER.readTree(p);
        case "end_of_word_suffix" -> endOfWordSuffix = MAPPER.readTree(p);
        default -> p.skipChildren();
      }
    }
  }

  private String stringValue(JsonParser p, JsonToken v, String name) throws IOException {
    if (v != JsonToken.VALUE_STRING) throw fail("model." + name, "expected a string");
    return p.getText();
  }

  private boolean boolValue(JsonParser p, JsonToken v, String name) throws IOException {
    if (v == JsonToken.VALUE_TRUE) return true;
    if (v == JsonToken.VALUE_FALSE || v == JsonToken.VALUE_NULL) return false;
    throw fail("model." + name, "expected a boolean");
  }

  private void parseVocab(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      throw fail(
          "model.vocab",
          "expected an object {piece: id} (a "
              + (t == JsonToken.START_ARRAY ? "list vocabulary is a Unigram model" : t)
              + ")");
    }
    sawVocab = true;
    String[] names = new String[1 << 16];
    int[] ids = new int[1 << 16];
    int n = 0;
    int maxId = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String piece = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw fail("model.vocab", "id of '" + piece + "' is not an integer");
      }
      int id = p.getIntValue();
      if (id < 0) throw fail("model.vocab", "negative id " + id + " for '" + piece + "'");
      if (n == names.length) {
        names = Arrays.copyOf(names, n * 2);
        ids = Arrays.copyOf(ids, n * 2);
      }
      names[n] = piece;
      ids[n] = id;
      n++;
      if (id > maxId) maxId = id;
    }
    if (maxId > 50_000_000) throw fail("model.vocab", "id " + maxId + " is implausibly large");
    String[] ps = new String[maxId + 1];
    for (int i = 0; i < n; i++) {
      if (ps[ids[i]] != null) {
        throw fail(
            "model.vocab",
            "id " + ids[i] + " is used by both '" + ps[ids[i]] + "' and '" + names[i] + "'");
      }
      ps[ids[i]] = names[i];
    }
    pieces = PieceTable.of(ps);
    index = new PieceIndex(pieces);
    if (deferredMerges != null) {
      for (String[] m : deferredMerges) addMerge(m[0], m[1]);
      deferredMerges = null;
    }
  }

  private void parseMerges(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) throw fail("model.merges", "expected an array");
    sawMerges = true;
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      if (e == JsonToken.START_ARRAY) {
        if (p.nextToken() != JsonToken.VALUE_STRING) throw badMerge();
        int a = index == null ? -2 : lookup(p);
        String as = index == null ? p.getText() : null;
        if (p.nextToken() != JsonToken.VALUE_STRING) throw badMerge();
        int b = index == null ? -2 : lookup(p);
        String bs = index == null ? p.getText() : null;
        if (p.nextToken() != JsonToken.END_ARRAY) throw badMerge();
        if (index == null) {
          defer(as, bs);
        } else {
          addMerge(a, b);
        }
      } else if (e == JsonToken.VALUE_STRING) {
        String s = p.getText();
        int sp = s.indexOf(' ');
        if (sp < 0 || s.indexOf(' ', sp + 1) >= 0) {
          throw fail("model.merges", "merge '" + s + "' is not two pieces separated by one space");
        }
        if (index == null) {
          defer(s.substring(0, sp), s.substring(sp + 1));
        } else {
          addMerge(s.substring(0, sp), s.substring(sp + 1));
        }
      } else {
        throw badMerge();
      }
    }
  }

  private TokenizerException badMerge() {
    return fail("model.merges", "entry " + mCount + " is not a pair of strings");
  }

  private void defer(String a, String b) {
    if (deferredMerges == null) deferredMerges = new ArrayList<>();
    deferredMerges.add(new String[] {a, b});
  }

  private int lookup(JsonParser p) throws IOException {
    char[] buf = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    int id = index.get(buf, off, len);
    if (id < 0) {
      throw fail(
          "model.merges",
          "piece '"
              + new String(buf, off, len)
              + "' of merge "
              + mCount
              + " is not in model.vocab");
    }
    return id;
  }

  private void addMerge(String a, String b) {
    int ia = index.get(a);
    int ib = index.get(b);
    if (ia < 0 || ib < 0) {
      throw fail(
          "model.merges",
          "piece '" + (ia < 0 ? a : b) + "' of merge " + mCount + " is not in model.vocab");
    }
    addMerge(ia, ib);
  }

  private void addMerge(int a, int b) {
    int r = index.getConcat(a, b);
    if (r < 0) {
      String pa = pieces.get(a);
      String pb = pieces.get(b);
      throw fail(
          "model.merges",
          "merge "
              + mCount
              + " ('"
              + pa
              + "', '"
              + pb
              + "') produces '"
              + pa
              + pb
              + "', which is not in model.vocab");
    }
    if (mCount == mLeft.length) {
      int cap = mCount * 2;
      mLeft = Arrays.copyOf(mLeft, cap);
      mRight = Arrays.copyOf(mRight, cap);
      mResult = Arrays.copyOf(mResult, cap);
    }
    mLeft[mCount] = a;
    mRight[mCount] = b;
    mResult[mCount] = r;
    mCount++;
  }

  private Definition build(Map<String, JsonNode> s, JsonNode cfg, String cfgSource) {
    if (!sawModel) throw new TokenizerException(source + ": missing field 'model'");
    if (!sawVocab) throw fail("model", "missing field 'vocab'");
    if (!sawMerges) {
      throw fail(
          "model",
          "missing field 'merges'" + (modelType == null ? " (only BPE models are supported)" : ""));
    }
    if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
      throw fail("model.dropout", "BPE dropout is not supported");
    }
    if (continuingSubwordPrefix != null
        && !continuingSubwordPrefix.isNull()
        && !continuingSubwordPrefix.asText().isEmpty()) {
      throw fail("model.continuing_subword_prefix", "is not supported");
    }
    if (endOfWordSuffix != null
        && !endOfWordSuffix.isNull()
        && !endOfWordSuffix.asText().isEmpty()) {
      throw fail("model.end_of_word_suffix", "is not supported");
    }
    int unkId = -1;
    if (unkToken != null) {
      unkId = index.get(unkToken);
      if (unkId < 0) throw fail("model.unk_token", "'" + unkToken + "' is not in model.vocab");
    }
    MergeTable merges = new MergeTable(mLeft, mRight, mResult, mCount);

    // normalizer
    StringBuilder from = new StringBuilder();
    StringBuilder to = new StringBuilder();
    parseNormalizer(s.get("normalizer"), "normalizer", from, to);
    char[] normFrom = from.toString().toCharArray();
    char[] normTo = to.toString().toCharArray();

    int splitChar = parsePreTokenizer(s.get("pre_tokenizer"), "pre_tokenizer");
    if (splitChar >= 0) {
      // a split character the normalizer always replaces can never be seen: drop the split
      boolean replaced = false;
      boolean produced = false;
      for (int i = 0; i < normFrom.length; i++) {
        if (normFrom[i] == splitChar) replaced = true;
        if (normTo[i] == splitChar) produced = true;
      }
      if (replaced && !produced) splitChar = -1;
    }

    List<AddedToken> added = parseAddedTokens(s.get("added_tokens"));
    Map<String, Integer> addedByContent = new HashMap<>();
    for (AddedToken a : added) addedByContent.put(a.content(), a.id());

    // post-processor template
    List<Integer> prefix = new ArrayList<>();
    List<Integer> suffix = new ArrayList<>();
    parsePostProcessor(s.get("post_processor"), prefix, suffix);

    Decoder decoder = parseDecoder(s.get("decoder"), "decoder");

    // special tokens and tokenizer_config.json overrides
    int bos = prefix.isEmpty() ? -1 : prefix.get(0);
    int eos = suffix.isEmpty() ? -1 : suffix.get(suffix.size() - 1);
    if (bos < 0) bos = tokenId("<bos>", addedByContent);
    if (eos < 0) eos = tokenId("<eos>", addedByContent);
    int pad = tokenId("<pad>", addedByContent);
    if (cfg != null) {
      bos = configToken(cfg, "bos_token", bos, addedByContent, cfgSource);
      eos = configToken(cfg, "eos_token", eos, addedByContent, cfgSource);
      pad = configToken(cfg, "pad_token", pad, addedByContent, cfgSource);
      JsonNode ab = cfg.get("add_bos_token");
      if (ab != null && !ab.isNull()) {
        if (!ab.isBoolean())
          throw new TokenizerException(cfgSource + ": add_bos_token: expected a boolean");
        prefix.clear();
        if (ab.asBoolean()) {
          if (bos < 0)
            throw new TokenizerException(
                cfgSource + ": add_bos_token is true but there is no bos_token");
          prefix.add(bos);
        }
      }
      JsonNode ae = cfg.get("add_eos_token");
      if (ae != null && !ae.isNull()) {
        if (!ae.isBoolean())
          throw new TokenizerException(cfgSource + ": add_eos_token: expected a boolean");
        suffix.clear();
        if (ae.asBoolean()) {
          if (eos < 0)
            throw new TokenizerException(
                cfgSource + ": add_eos_token is true but there is no eos_token");
          suffix.add(eos);
        }
      }
    }
    return new Definition(
        pieces,
        index,
        merges,
        Junctions.Lazy.of(Junctions.of(pieces, index, merges, unkId)),
        unkId,
        byteFallback,
        fuseUnk,
        ignoreMerges,
        normFrom,
        normTo,
        splitChar,
        added,
        prefix.stream().mapToInt(Integer::intValue).toArray(),
        suffix.stream().mapToInt(Integer::intValue).toArray(),
        decoder,
        bos,
        eos,
        pad);
  }

  private int tokenId(String content, Map<String, Integer> addedByContent) {
    Integer a = addedByContent.get(content);
    if (a != null) return a;
    return index.get(content);
  }

  private int configToken(
      JsonNode cfg,
      String key,
      int fallback,
      Map<String, Integer> addedByContent,
      String cfgSource) {
    JsonNode n = cfg.get(key);
    if (n == null || n.isNull()) return fallback;
    String content;
    if (n.isTextual()) {
      content = n.asText();
    } else if (n.isObject() && n.get("content") != null && n.get("content").isTextual()) {
      content = n.get("content").asText();
    } else {
      throw new TokenizerException(
          cfgSource + ": " + key + ": expected a string or {\"content\": ...}");
    }
    int id = tokenId(content, addedByContent);
    if (id < 0) {
      throw new TokenizerException(
          cfgSource + ": " + key + ": '" + content + "' is not in the vocabulary");
    }
    return id;
  }

  private static boolean isNull(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode();
  }

  private String typeOf(JsonNode n, String field) {
    if (!n.isObject()) throw fail(field, "expected an object");
    JsonNode t = n.get("type");
    if (t == null || !t.isTextual()) throw fail(field, "missing field 'type'");
    return t.asText();
  }

  private String literalPattern(JsonNode n, String field) {
    JsonNode pat = n.get("pattern");
    if (pat == null || !pat.isObject()) throw fail(field + ".pattern", "missing");
    JsonNode str = pat.get("String");
    if (str == null || !str.isTextual()) {
      throw fail(field + ".pattern", "only literal {\"String\": ...} patterns are supported");
    }
    return str.asText();
  }

  private void parseNormalizer(JsonNode n, String field, StringBuilder from, StringBuilder to) {
    if (isNull(n)) return;
    String type = typeOf(n, field);
    switch (type) {
      case "Sequence" -> {
        JsonNode list = n.get("normalizers");
        if (list == null || !list.isArray()) throw fail(field + ".normalizers", "missing");
        for (int i = 0; i < list.size(); i++) {
          parseNormalizer(list.get(i), field + ".normalizers[" + i + "]", from, to);
        }
      }
      case "Replace" -> {
        String pat = literalPattern(n, field);
        JsonNode c = n.get("content");
        if (c == null || !c.isTextual()) throw fail(field + ".content", "missing");
        String content = c.asText();
        if (pat.length() != 1 || content.length() != 1) {
          throw fail(
              field,
              "Replace is only supported for one character by one character (got '"
                  + pat
                  + "' → '"
                  + content
                  + "')");
        }
        char pc = pat.charAt(0);
        char cc = content.charAt(0);
        // compose with the earlier replacements: existing targets equal to pc move on to cc
        boolean seen = false;
        for (int i = 0; i < from.length(); i++) {
          if (to.charAt(i) == pc) to.setCharAt(i, cc);
          if (from.charAt(i) == pc) seen = true;
        }
        if (!seen) {
          from.append(pc);
          to.append(cc);
        }
      }
      default ->
          throw fail(
              field,
              "normalizer type '"
                  + type
                  + "' is not supported (supported: Replace of one character, Sequence)");
    }
  }

  private int parsePreTokenizer(JsonNode n, String field) {
    if (isNull(n)) return -1;
    String type = typeOf(n, field);
    switch (type) {
      case "Sequence" -> {
        JsonNode list = n.get("pretokenizers");
        if (list == null || !list.isArray()) throw fail(field + ".pretokenizers", "missing");
        if (list.isEmpty()) return -1;
        if (list.size() > 1)
          throw fail(field, "a Sequence of several pre-tokenizers is not supported");
        return parsePreTokenizer(list.get(0), field + ".pretokenizers[0]");
      }
      case "Split" -> {
        String pat = literalPattern(n, field);
        JsonNode behavior = n.get("behavior");
        JsonNode invert = n.get("invert");
        if (pat.length() != 1
            || behavior == null
            || !behavior.asText().equals("MergedWithPrevious")
            || (invert != null && invert.asBoolean())) {
          throw fail(
              field, "only Split on one character with behavior MergedWithPrevious is supported");
        }
        return pat.charAt(0);
      }
      default ->
          throw fail(
              field,
              "pre-tokenizer type '"
                  + type
                  + "' is not supported (supported: Split(char, MergedWithPrevious))");
    }
  }

  private List<AddedToken> parseAddedTokens(JsonNode n) {
    List<AddedToken> out = new ArrayList<>();
    if (isNull(n)) return out;
    if (!n.isArray()) throw fail("added_tokens", "expected an array");
    for (int i = 0; i < n.size(); i++) {
      JsonNode a = n.get(i);
      String f = "added_tokens[" + i + "]";
      if (!a.isObject()) throw fail(f, "expected an object");
      JsonNode id = a.get("id");
      JsonNode content = a.get("content");
      if (id == null || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() > 50_000_000) {
        throw fail(f + ".id", "missing or invalid");
      }
      if (content == null || !content.isTextual())
        throw fail(f + ".content", "missing or not a string");
      out.add(
          new AddedToken(
              id.asInt(),
              content.asText(),
              a.path("special").asBoolean(false),
              a.path("single_word").asBoolean(false),
              a.path("lstrip").asBoolean(false),
              a.path("rstrip").asBoolean(false),
              a.path("normalized").asBoolean(!a.path("special").asBoolean(false))));
    }
    return out;
  }

  private void parsePostProcessor(JsonNode n, List<Integer> prefix, List<Integer> suffix) {
    if (isNull(n)) return;
    String field = "post_processor";
    String type = typeOf(n, field);
    if (type.equals("Sequence")) {
      JsonNode list = n.get("processors");
      if (list == null || !list.isArray() || list.size() != 1) {
        throw fail(field, "only a Sequence holding one TemplateProcessing is supported");
      }
      n = list.get(0);
      field = "post_processor.processors[0]";
      type = typeOf(n, field);
    }
    if (!type.equals("TemplateProcessing")) {
      throw fail(
          field, "post-processor type '" + type + "' is not supported (only TemplateProcessing)");
    }
    JsonNode single = n.get("single");
    if (single == null || !single.isArray()) throw fail(field + ".single", "missing");
    JsonNode specials = n.path("special_tokens");
    boolean seenSequence = false;
    for (int i = 0; i < single.size(); i++) {
      JsonNode piece = single.get(i);
      String pf = field + ".single[" + i + "]";
      if (piece.has("Sequence")) {
        if (seenSequence) throw fail(pf, "the sequence appears twice");
        seenSequence = true;
      } else if (piece.has("SpecialToken")) {
        String key = piece.get("SpecialToken").path("id").asText(null);
        if (key == null) throw fail(pf + ".SpecialToken.id", "missing");
        JsonNode st = specials.get(key);
        if (st == null || !st.path("ids").isArray()) {
          throw fail(field + ".special_tokens", "no entry for '" + key + "'");
        }
        for (JsonNode idn : st.get("ids")) {
          (seenSequence ? suffix : prefix).add(idn.asInt());
        }
      } else {
        throw fail(pf, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
      }
    }
    if (!seenSequence) throw fail(field + ".single", "has no $A sequence");
  }

  private Decoder parseDecoder(JsonNode n, String field) {
    if (isNull(n)) return null;
    String type = typeOf(n, field);
    return switch (type) {
      case "Sequence" -> {
        JsonNode list = n.get("decoders");
        if (list == null || !list.isArray()) throw fail(field + ".decoders", "missing");
        List<Decoder> steps = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          steps.add(parseDecoder(list.get(i), field + ".decoders[" + i + "]"));
        }
        yield new Decoder.Sequence(List.copyOf(steps));
      }
      case "Replace" -> {
        JsonNode c = n.get("content");
        if (c == null || !c.isTextual()) throw fail(field + ".content", "missing");
        yield new Decoder.Replace(literalPattern(n, field), c.asText());
      }
      case "ByteFallback" -> new Decoder.ByteFallback();
      case "Fuse" -> new Decoder.Fuse();
      case "Strip" -> {
        String c = n.path("content").asText(" ");
        if (c.codePointCount(0, c.length()) != 1)
          throw fail(field + ".content", "expected one character");
        yield new Decoder.Strip(
            c.codePointAt(0), n.path("start").asInt(0), n.path("stop").asInt(0));
      }
      default ->
          throw fail(
              field,
              "decoder type '"
                  + type
                  + "' is not supported (supported: Sequence, Replace, ByteFallback, Fuse, Strip)");
    };
  }
}
