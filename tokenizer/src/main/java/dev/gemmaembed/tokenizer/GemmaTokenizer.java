package dev.gemmaembed.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Gemma 3 tokenizer (EmbeddingGemma's), written from scratch: ids identical to Hugging Face
 * {@code tokenizers} for tokenizer.json files of the SentencePiece-BPE kind.
 *
 * <h2>Pipeline (as Hugging Face runs it)</h2>
 *
 * <ol>
 *   <li>Added tokens ({@code added_tokens}: {@code <bos>}, {@code <start_of_turn>}, {@code \n},
 *       {@code ▁▁}, {@code <unused0>}, …) are cut out of the <em>raw</em> text first,
 *       leftmost-longest (non-normalized ones; normalized ones are matched in the normalized pieces
 *       afterwards), honoring {@code single_word}/{@code lstrip}/{@code rstrip}. Literal
 *       special-token text in the input therefore becomes the special id, as in Hugging Face.
 *   <li>Each remaining span is normalized (Gemma: {@code " " → "▁"}) and, after the pre-tokenizer
 *       (Gemma: a no-op Split on spaces), is one BPE word.
 *   <li>BPE with {@code byte_fallback} and {@code fuse_unk} (see {@code Bpe}).
 *   <li>The post-processor template adds {@code <bos>}/{@code <eos>} when asked ({@code
 *       addSpecialTokens}); {@code tokenizer_config.json}'s {@code add_bos_token}/{@code
 *       add_eos_token}, when present, override the template as transformers does.
 * </ol>
 *
 * <h2>Text handling</h2>
 *
 * Unpaired surrogates in a Java string are encoded as U+FFFD (what a UTF-8 encoder with replacement
 * hands Hugging Face); they never throw. Text read from files or stdin should be decoded with a
 * REPLACE decoder so that invalid UTF-8 bytes also become U+FFFD (the CLI does this).
 *
 * <h2>Loading</h2>
 *
 * tokenizer.json is parsed with Jackson's streaming parser. Where system property {@value
 * #CACHE_DIR_PROPERTY} names a directory (the command line sets it; a library leaves the disk alone
 * by default), the parsed form is kept there in a binary cache with a copy of the file bytes, used
 * only for those same bytes, so only the first load on a machine pays for the JSON.
 *
 * <p>Instances are immutable and thread-safe; {@link #encodeBatch} runs sequentially on the calling
 * thread (parallelize across threads yourself if wanted).
 */
public final class GemmaTokenizer {

  /**
   * System property naming a directory for parsed-tokenizer files, which make later loads of the
   * same tokenizer.json skip its parse. Unset (the default), nothing is written to disk.
   */
  public static final String CACHE_DIR_PROPERTY = "gemmaembed.tokenizer.cacheDir";

  private static final int[] NO_IDS = new int[0];

  private final Bpe bpe;
  private final AddedTokenMatcher rawMatcher; // null if none
  private final AddedToken[] rawTokens;
  private final AddedTokenMatcher normMatcher; // null if none
  private final AddedToken[] normTokens;
  private final char normFrom1; // fast path for a single replacement
  private final char normTo1;
  private final char[] normMap; // full map when several replacements; null otherwise
  private final boolean normalizes;
  private final int[] prefix;
  private final int[] suffix;
  private final Decoder decoder;
  private final int vocabSize;
  // added tokens by id (they override the vocabulary piece of their id): ids ascending, then each
  // id's content and whether it is special; the rest of the ids come from the piece table
  private final int[] addedIdOrder;
  private final String[] addedContent;
  private final boolean[] addedSpecial;
  private final Map<String, Integer> addedIds = new HashMap<>();
  private final SpecialTokens specials;

  GemmaTokenizer(Definition d) {
    this.bpe =
        new Bpe(
            d.pieces(),
            d.index(),
            d.merges(),
            d.junctions(),
            d.unkId(),
            d.byteFallback(),
            d.fuseUnk(),
            d.ignoreMerges(),
            d.splitChar());
    char[] from = d.normFrom();
    char[] to = d.normTo();
    this.normalizes = from.length > 0;
    if (from.length == 1) {
      normFrom1 = from[0];
      normTo1 = to[0];
      normMap = null;
    } else {
      normFrom1 = 0;
      normTo1 = 0;
      if (from.length > 1) {
        normMap = new char[65536];
        for (int c = 0; c < 65536; c++) normMap[c] = (char) c;
        for (int i = 0; i < from.length; i++) normMap[from[i]] = to[i];
      } else {
        normMap = null;
      }
    }
    List<AddedToken> raw = new ArrayList<>();
    List<AddedToken> norm = new ArrayList<>();
    for (AddedToken a : d.added()) {
      if (a.content().isEmpty()) continue;
      if (a.normalized() && normalizes) norm.add(a);
      else raw.add(a);
    }
    this.rawTokens = raw.toArray(new AddedToken[0]);
    this.rawMatcher =
        raw.isEmpty()
            ? null
            : new AddedTokenMatcher(raw.stream().map(AddedToken::content).toList());
    this.normTokens = norm.toArray(new AddedToken[0]);
    this.normMatcher =
        norm.isEmpty()
            ? null
            : new AddedTokenMatcher(norm.stream().map(a -> normalize(a.content())).toList());
    this.prefix = d.prefix().clone();
    this.suffix = d.suffix().clone();
    this.decoder = d.decoder();
    int size = d.pieces().size();
    for (AddedToken a : d.added()) size = Math.max(size, a.id() + 1);
    this.vocabSize = size;
    this.addedIdOrder = d.added().stream().mapToInt(AddedToken::id).sorted().distinct().toArray();
    this.addedContent = new String[addedIdOrder.length];
    this.addedSpecial = new boolean[addedIdOrder.length];
    for (AddedToken a : d.added()) {
      int k = java.util.Arrays.binarySearch(addedIdOrder, a.id());
      addedContent[k] = a.content(); // a later token with the same id wins, as in Hugging Face
      addedSpecial[k] |= a.special();
      addedIds.put(a.content(), a.id());
    }
    this.specials =
        new SpecialTokens(
            d.bos(), d.eos(), d.unkId(), d.pad(), prefix.length > 0, suffix.length > 0);
  }

  // ---------------------------------------------------------------- loading

  /**
   * Loads a tokenizer.json (plain or gzip). A {@code tokenizer_config.json} in the same directory,
   * if present, is read too: its {@code add_bos_token}/{@code add_eos_token} override the
   * post-processor template and its {@code bos_token}/{@code eos_token}/{@code pad_token} name the
   * special tokens.
   *
   * @throws TokenizerException if the file is missing, malformed or of an unsupported kind
   */
  public static GemmaTokenizer fromFile(Path tokenizerJson) {
    Path dir = tokenizerJson.toAbsolutePath().getParent();
    Path cfg = dir == null ? null : dir.resolve("tokenizer_config.json");
    return load(tokenizerJson, cfg != null && Files.isRegularFile(cfg) ? cfg : null);
  }

  /**
   * Loads {@code tokenizer.json} (and {@code tokenizer_config.json} if present) of an HF model
   * directory.
   */
  public static GemmaTokenizer fromDirectory(Path hfModelDir) {
    Path json = hfModelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(json)) {
      if (!Files.isDirectory(hfModelDir)) {
        throw new TokenizerException(hfModelDir + ": not a directory");
      }
      throw new TokenizerException(hfModelDir + ": no tokenizer.json in this directory");
    }
    Path cfg = hfModelDir.resolve("tokenizer_config.json");
    return load(json, Files.isRegularFile(cfg) ? cfg : null);
  }

  private static GemmaTokenizer load(Path json, Path cfg) {
    byte[] jsonBytes = readFile(json);
    byte[] cfgBytes = cfg == null ? null : readFile(cfg);
    return new GemmaTokenizer(
        TokenizerCache.load(
            jsonBytes, json.toString(), cfgBytes, cfg == null ? null : cfg.toString()));
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TokenizerException(file + ": no such file", e);
    } catch (IOException e) {
      throw new TokenizerException(file + ": cannot read: " + e, e);
    }
  }

  /**
   * Loads from streams (each plain or gzip). The streams are read to the end but not closed.
   *
   * @param tokenizerConfigOrNull tokenizer_config.json, or null
   */
  public static GemmaTokenizer fromStreams(
      InputStream tokenizerJson, InputStream tokenizerConfigOrNull) {
    try {
      byte[] json = tokenizerJson.readAllBytes();
      byte[] cfg = tokenizerConfigOrNull == null ? null : tokenizerConfigOrNull.readAllBytes();
      return new GemmaTokenizer(
          TokenizerCache.load(json, "tokenizer.json", cfg, "tokenizer_config.json"));
    } catch (IOException e) {
      throw new TokenizerException("tokenizer.json: cannot read: " + e, e);
    }
  }

  private static final class Bundled {
    static final GemmaTokenizer GEMMA3 = loadBundled();

    private static GemmaTokenizer loadBundled() {
      String base = "gemma3/";
      try (InputStream json = GemmaTokenizer.class.getResourceAsStream(base + "tokenizer.json.gz");
          InputStream cfg =
              GemmaTokenizer.class.getResourceAsStream(base + "tokenizer_config.json.gz")) {
        if (json == null) {
          throw new TokenizerException(
              "bundled resource dev/gemmaembed/tokenizer/gemma3/tokenizer.json.gz is missing");
        }
        return new GemmaTokenizer(
            TokenizerCache.load(
                json.readAllBytes(),
                "bundled gemma3/tokenizer.json.gz",
                cfg == null ? null : cfg.readAllBytes(),
                "bundled gemma3/tokenizer_config.json.gz"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * EmbeddingGemma's tokenizer (the Gemma 3 vocabulary, 262,144 pieces + {@code
   * <image_soft_token>}=262144; adds {@code <bos>} and {@code <eos>}), bundled in this jar. Loaded
   * once and cached.
   */
  public static GemmaTokenizer bundledGemma3() {
    return Bundled.GEMMA3;
  }

  /**
   * Builds a tokenizer from a GGUF-style vocabulary ({@code
   * tokenizer.ggml.tokens/scores/token_type} of a SentencePiece "llama" model): merges are derived
   * from the pieces the way transformers' converter derives them from a SentencePiece model, i.e.
   * every split of a piece into two pieces is a merge, ordered by the piece's score (highest
   * first), then longer left part first, then piece id. With the scores written by the Gemma GGUF
   * converters (−(rank+1) of the first merge that produces a piece, 0 if none, −1000 for added
   * tokens, or SentencePiece's own scores) this reproduces the tokenizer.json merge order up to
   * swaps of merges that cannot interact.
   *
   * <p>Token types: 1 normal, 2 unknown, 3 control, 4 user-defined (U+2581 written as a space is
   * turned back into U+2581), 5 unused, 6 byte. Types 2 and 3 become special added tokens, type 4
   * non-special added tokens (all matched on the raw text); types 1, 5, 6 are plain vocabulary.
   * Normalizer {@code " " → "▁"}, byte fallback, fused unknowns and the Gemma decoder are assumed.
   * The bos/eos template comes from {@code specials.addBos()/addEos()}.
   *
   * <p>{@code pieces} is read once, in order, and not kept: a list that decodes each piece on
   * access (as a GGUF string array can) never needs all 262,144 strings at once.
   *
   * @throws TokenizerException if the arrays disagree in length or an id is out of range
   */
  public static GemmaTokenizer fromVocabulary(
      List<String> pieces, float[] scores, int[] tokenTypes, SpecialTokens specials) {
    return new GemmaTokenizer(VocabularyImport.build(pieces, scores, tokenTypes, specials));
  }

  /**
   * {@link #fromVocabulary(List, float[], int[], SpecialTokens)} through the opt-in tokenizer cache
   * (system property {@value #CACHE_DIR_PROPERTY}): the derived merges and index are stored with a
   * copy of {@code source}, and a later load of the same {@code source} bytes and {@code specials}
   * reads them back without reading {@code pieces}, {@code scores} or {@code tokenTypes}. An entry
   * is found by checksums of {@code source} but used only when its copy equals {@code source} byte
   * for byte, so no vocabulary ever gets another's entry.
   *
   * @param source the bytes the three arrays were read from, as the file encodes them (a GGUF
   *     file's {@code tokenizer.ggml.*} values, read in place from the mapped file): equal bytes
   *     must give equal arrays
   */
  public static GemmaTokenizer fromVocabulary(
      List<String> pieces,
      float[] scores,
      int[] tokenTypes,
      SpecialTokens specials,
      List<MemorySegment> source) {
    return new GemmaTokenizer(
        TokenizerCache.loadVocabulary(
            source, specials, () -> VocabularyImport.build(pieces, scores, tokenTypes, specials)));
  }

  // ---------------------------------------------------------------- encoding

  /**
   * Encodes {@code text} with the configured special tokens (EmbeddingGemma: {@code <bos> …
   * <eos>}).
   */
  public int[] encode(String text) {
    return encode(text, true);
  }

  /** Encodes {@code text}; {@code addSpecialTokens} applies the post-processor template. */
  public int[] encode(String text, boolean addSpecialTokens) {
    Sink s = run(text, addSpecialTokens, -1, false);
    return java.util.Arrays.copyOf(s.ids, s.size);
  }

  /**
   * Encodes with truncation on the right keeping the template's special tokens, as Hugging Face /
   * sentence-transformers truncate: with {@code <bos>}/{@code <eos>} the result is {@code <bos>} +
   * the first {@code maxLength − 2} content tokens + {@code <eos>}. Work stops soon after enough
   * tokens are produced, so long texts are cheap to truncate.
   *
   * @throws IllegalArgumentException if {@code maxLength} cannot even hold the special tokens
   */
  public int[] encode(String text, boolean addSpecialTokens, int maxLength) {
    Sink s = run(text, addSpecialTokens, contentRoom(addSpecialTokens, maxLength), false);
    return java.util.Arrays.copyOf(s.ids, s.size);
  }

  /**
   * {@link #encode(String, boolean, int)} with the special tokens, also telling whether content
   * tokens were cut off (the text did not fit), without tokenizing the text twice.
   */
  public TruncatedIds encodeTruncating(String text, int maxLength) {
    Sink s = run(text, true, contentRoom(true, maxLength), false);
    return new TruncatedIds(java.util.Arrays.copyOf(s.ids, s.size), s.truncated);
  }

  /**
   * Content ids (no special tokens) wrapped in the post-processor template, cut as {@link
   * #encode(String, boolean, int)} cuts a text's tokens: {@code <bos>} + the first {@code maxLength
   * − 2} ids + {@code <eos>} for EmbeddingGemma.
   */
  public TruncatedIds withSpecialTokens(int[] contentIds, int maxLength) {
    int n = Math.min(contentIds.length, contentRoom(true, maxLength));
    int[] ids = new int[prefix.length + n + suffix.length];
    System.arraycopy(prefix, 0, ids, 0, prefix.length);
    System.arraycopy(contentIds, 0, ids, prefix.length, n);
    System.arraycopy(suffix, 0, ids, prefix.length + n, suffix.length);
    return new TruncatedIds(ids, n < contentIds.length);
  }

  /** How many content tokens fit in {@code maxLength} beside the template's special tokens. */
  private int contentRoom(boolean addSpecialTokens, int maxLength) {
    int specialsCount = addSpecialTokens ? prefix.length + suffix.length : 0;
    if (maxLength < specialsCount) {
      throw new IllegalArgumentException(
          "maxLength " + maxLength + " is smaller than the " + specialsCount + " special tokens");
    }
    return maxLength - specialsCount;
  }

  /** Encodes {@code text} and reports each token's span in the text (see {@link Encoding}). */
  public Encoding encodeWithOffsets(String text, boolean addSpecialTokens) {
    Sink s = run(text, addSpecialTokens, -1, true);
    int n = s.size;
    int[] ids = java.util.Arrays.copyOf(s.ids, n);
    int[] us = java.util.Arrays.copyOf(s.starts, n);
    int[] ue = java.util.Arrays.copyOf(s.ends, n);
    int[] cs = us;
    int[] ce = ue;
    if (hasSurrogate(text)) {
      int[] cpAt = new int[text.length() + 1];
      int cp = 0;
      for (int i = 0; i < text.length(); i++) {
        cpAt[i] = cp;
        char c = text.charAt(i);
        if (!(Character.isLowSurrogate(c)
            && i > 0
            && Character.isHighSurrogate(text.charAt(i - 1)))) {
          cp++;
        } else {
          cpAt[i] = cp - 1; // inside a pair: the pair's code point
        }
      }
      cpAt[text.length()] = cp;
      cs = new int[n];
      ce = new int[n];
      for (int i = 0; i < n; i++) {
        cs[i] = cpAt[us[i]];
        ce[i] = cpAt[ue[i]];
      }
    }
    return new Encoding(ids, us, ue, cs, ce);
  }

  /** Encodes each text (sequentially, in order). */
  public List<int[]> encodeBatch(List<String> texts, boolean addSpecialTokens) {
    List<int[]> out = new ArrayList<>(texts.size());
    for (String t : texts) out.add(encode(t, addSpecialTokens));
    return out;
  }

  private static boolean hasSurrogate(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      if (Character.isSurrogate(text.charAt(i))) return true;
    }
    return false;
  }

  private String normalize(String s) {
    char[] c = s.toCharArray();
    char[] n = normalizeChars(c);
    return new String(n);
  }

  private char[] normalizeChars(char[] raw) {
    if (!normalizes) return raw;
    int n = raw.length;
    char[] out = new char[n];
    if (normMap == null) {
      char f = normFrom1;
      char t = normTo1;
      for (int i = 0; i < n; i++) {
        char c = raw[i];
        out[i] = c == f ? t : c;
      }
    } else {
      char[] m = normMap;
      for (int i = 0; i < n; i++) out[i] = m[raw[i]];
    }
    return out;
  }

  /** Replaces unpaired surrogates by U+FFFD in place. */
  private static void sanitize(char[] c) {
    int n = c.length;
    for (int i = 0; i < n; i++) {
      char ch = c[i];
      if ((ch & 0xF800) != 0xD800) continue;
      if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(c[i + 1])) {
        i++;
      } else {
        c[i] = '\uFFFD';
      }
    }
  }

  private Sink run(String text, boolean addSpecial, int contentLimit, boolean offsets) {
    char[] raw = text.toCharArray();
    sanitize(raw);
    char[] norm = normalizeChars(raw);
    Sink sink = new Sink((raw.length >> 2) + 8, offsets);
    int[] pre = addSpecial ? prefix : NO_IDS;
    int[] suf = addSpecial ? suffix : NO_IDS;
    for (int id : pre) sink.add(id, 0, 0);
    int limit = contentLimit < 0 ? Integer.MAX_VALUE : pre.length + contentLimit;
    // one token past the limit tells a cut text from one that fits exactly; the tokens before it
    // do not depend on where the work stops
    sink.limit = limit == Integer.MAX_VALUE ? limit : limit + 1;
    splitAddedTokens(raw, norm, sink);
    if (sink.size > limit) {
      sink.size = limit;
      sink.truncated = true;
    }
    for (int id : suf) sink.add(id, 0, 0);
    return sink;
  }

  private void splitAddedTokens(char[] raw, char[] norm, Sink sink) {
    if (rawMatcher == null) {
      if (raw.length > 0) {
        segment(norm, 0, raw.length, sink);
      }
      return;
    }
    splitOn(rawMatcher, rawTokens, raw, norm, 0, raw.length, sink, this::segment);
  }

  /** A non-added-token span of the text: normalized added tokens, then BPE. */
  private void segment(char[] norm, int start, int end, Sink sink) {
    if (normMatcher == null) {
      bpe.encodeSegment(norm, start, end, sink);
      return;
    }
    splitOn(normMatcher, normTokens, norm, norm, start, end, sink, bpe::encodeSegment);
  }

  /** Encodes the span {@code norm[start, end)} of the normalized text into the sink. */
  private interface SpanEncoder {
    void encode(char[] norm, int start, int end, Sink sink);
  }

  /**
   * Hugging Face's split on added tokens: the longest match of {@code matcher} in {@code text[lo,
   * hi)} (leftmost first, honouring single_word, lstrip and rstrip) becomes its token; the spans
   * between matches go to {@code between}, at the same offsets of {@code norm} (the normalizer maps
   * char to char).
   */
  private static void splitOn(
      AddedTokenMatcher matcher,
      AddedToken[] tokens,
      char[] text,
      char[] norm,
      int lo,
      int hi,
      Sink sink,
      SpanEncoder between) {
    int seg = lo;
    int i = lo;
    while (i < hi) {
      if (matcher.canStart(text[i])) {
        long r = matcher.longestAt(text, i, hi);
        if (r >= 0) {
          AddedToken tok = tokens[(int) (r >>> 32)];
          int stop = (int) r;
          int start = i;
          if (tok.singleWord() && !singleWordOk(text, start, stop, lo, hi)) {
            i = stop; // Hugging Face resumes the search after the discarded match
            continue;
          }
          if (tok.lstrip()) {
            start = Math.max(leftmostSpaceAtEnd(text, start, lo), seg);
          }
          if (tok.rstrip()) {
            stop = rightmostSpaceAtStart(text, stop, hi);
          }
          if (start > seg) {
            between.encode(norm, seg, start, sink);
            if (sink.full()) {
              return;
            }
          }
          sink.add(tok.id(), start, stop);
          if (sink.full()) {
            return;
          }
          seg = stop;
          i = stop;
          continue;
        }
      }
      i++;
    }
    if (seg < hi) {
      between.encode(norm, seg, hi, sink);
    }
  }

  /**
   * Hugging Face: no word character ({@code \w}) right before the start or right after the stop.
   */
  private static boolean singleWordOk(char[] t, int start, int stop, int lo, int hi) {
    boolean startSpace = start == lo || !isWordChar(Character.codePointBefore(t, start, lo));
    boolean stopSpace = stop == hi || !isWordChar(Character.codePointAt(t, stop, hi));
    return startSpace && stopSpace;
  }

  /** Regex {@code \w} in Rust's Unicode mode. */
  private static boolean isWordChar(int cp) {
    if (Character.isAlphabetic(cp) || Character.isDigit(cp) || cp == 0x200C || cp == 0x200D)
      return true;
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.CONNECTOR_PUNCTUATION;
  }

  /** Unicode White_Space (regex {@code \s}). */
  private static boolean isSpace(char c) {
    return (c >= 0x09 && c <= 0x0D)
        || c == 0x20
        || c == 0x85
        || c == 0xA0
        || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A)
        || c == 0x2028
        || c == 0x2029
        || c == 0x202F
        || c == 0x205F
        || c == 0x3000;
  }

  private static int leftmostSpaceAtEnd(char[] t, int start, int lo) {
    int i = start;
    while (i > lo && isSpace(t[i - 1])) i--;
    return i;
  }

  private static int rightmostSpaceAtStart(char[] t, int stop, int hi) {
    int i = stop;
    while (i < hi && isSpace(t[i])) i++;
    return i;
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes ids to text the way transformers' {@code tokenizer.decode(ids)} does by default, i.e.
   * <b>keeping</b> special tokens ({@code skip_special_tokens=False}): {@code decode([2, 9259, 1])}
   * is {@code "<bos>Hello<eos>"}. Ids without a piece are skipped. For any string {@code s} without
   * U+2581 and without unpaired surrogates, {@code decode(encode(s, false)).equals(s)}.
   */
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  /**
   * Decodes ids; with {@code skipSpecialTokens} the special added tokens ({@code <bos>}, {@code
   * <eos>}, {@code <pad>}, {@code <start_of_turn>}, …) are left out, as Hugging Face's {@code
   * skip_special_tokens=True} (the default of the Rust/Python {@code tokenizers} API).
   */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      int k = java.util.Arrays.binarySearch(addedIdOrder, id);
      String t;
      if (k >= 0) {
        if (skipSpecialTokens && addedSpecial[k]) continue;
        t = addedContent[k];
      } else {
        t = vocabularyPiece(id);
        if (t == null) continue;
      }
      tokens.add(t);
    }
    if (decoder == null) return String.join(" ", tokens);
    return String.join("", decoder.decodeChain(tokens));
  }

  // ---------------------------------------------------------------- vocabulary

  /** Number of ids: the model vocabulary plus added tokens beyond it (Gemma 3: 262,145). */
  public int vocabSize() {
    return vocabSize;
  }

  public int bosId() {
    return specials.bos();
  }

  public int eosId() {
    return specials.eos();
  }

  /** Padding id, or -1 if the tokenizer names none. */
  public int padId() {
    return specials.pad();
  }

  /** Unknown-token id, or -1 if the model has none. */
  public int unkId() {
    return specials.unk();
  }

  /**
   * The token string of {@code id} (added-token content or vocabulary piece, U+2581 for spaces).
   */
  public String piece(int id) {
    int k = java.util.Arrays.binarySearch(addedIdOrder, id);
    String t = k >= 0 ? addedContent[k] : vocabularyPiece(id);
    if (t == null) {
      throw new IllegalArgumentException(
          "no token with id " + id + " (vocabulary size " + vocabSize + ")");
    }
    return t;
  }

  /** The model vocabulary's piece of {@code id}, or null. */
  private String vocabularyPiece(int id) {
    PieceTable p = bpe.pieces;
    return id >= 0 && id < p.size() ? p.get(id) : null;
  }

  /** The id of a token string (added-token content first, then vocabulary piece), or -1. */
  public int tokenToId(String token) {
    Integer a = addedIds.get(token);
    return a != null ? a : bpe.index.get(token);
  }

  /** Whether {@code id} is a special added token (skipped by {@code decode(ids, true)}). */
  public boolean isSpecial(int id) {
    int k = java.util.Arrays.binarySearch(addedIdOrder, id);
    return k >= 0 && addedSpecial[k];
  }

  public boolean addsBos() {
    return prefix.length > 0;
  }

  public boolean addsEos() {
    return suffix.length > 0;
  }

  /** The special ids and bos/eos policy. */
  public SpecialTokens specialTokens() {
    return specials;
  }

  // package-private views for tests and the GGUF cross-check
  int modelVocabSize() {
    return bpe.pieces.size();
  }

  Merges merges() {
    return bpe.merges;
  }

  Map<Integer, Boolean> addedTokenSpecialFlags() {
    Map<Integer, Boolean> m = new HashMap<>();
    for (AddedToken a : rawTokens) m.put(a.id(), a.special());
    for (AddedToken a : normTokens) m.put(a.id(), a.special());
    return m;
  }
}
