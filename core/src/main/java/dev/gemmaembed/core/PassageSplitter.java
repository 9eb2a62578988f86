package dev.gemmaembed.core;

import dev.gemmaembed.tokenizer.Encoding;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a long text into overlapping passages that each fit the model, so that a search can find
 * (and point at) the part of a long file that matches, instead of embedding its first {@link
 * Embedder#maxSeqLength()} tokens only.
 *
 * <p>The text is tokenized once, as itself. A passage spans at most {@code passageTokens} of those
 * tokens; where the text goes on past that, the cut moves back to the latest line boundary (a token
 * that starts a line) within the last 20% of the passage, when there is one. The next passage
 * starts {@code overlap} tokens before the cut, or up to a fifth of the overlap earlier where a
 * line starts there. A text that fits in one passage is one passage: the whole text, exactly as it
 * would be embedded unsplit.
 *
 * <p>Each passage, embedded with the options it is split for (the prompt, a title), must fit the
 * window: prompt + title + passage + {@code <bos>}/{@code <eos>} ≤ {@code maxSeqLength}. The
 * passage size is capped by the room the prompt leaves, and each passage is then tokenized as it
 * will be embedded (the prompt's last tokens and the passage's first may merge differently than in
 * the whole text); one that still does not fit is shortened by its excess until it does. So no
 * passage is ever truncated by the encoder.
 */
public final class PassageSplitter {

  /** Below this a passage carries too little text to be worth a vector. */
  public static final int MIN_TOKENS = 16;

  /** {@code search}'s default passage size, in tokens. */
  public static final int DEFAULT_TOKENS = 512;

  /** {@code search}'s default overlap, in tokens. */
  public static final int DEFAULT_OVERLAP = 64;

  private final Embedder embedder;
  private final GemmaTokenizer tokenizer;
  private final int passageTokens;
  private final int overlap;
  private final int window;
  private final int specials;

  /**
   * @throws InvalidOptionException for a size {@link #checkSizes} refuses with this model's window
   */
  public PassageSplitter(Embedder embedder, int passageTokens, int overlap) {
    checkSizes(passageTokens, overlap, embedder.maxSeqLength());
    this.embedder = embedder;
    this.tokenizer = embedder.tokenizer();
    this.passageTokens = passageTokens;
    this.overlap = overlap;
    this.window = embedder.maxSeqLength();
    this.specials = tokenizer.withSpecialTokens(new int[0], Integer.MAX_VALUE).ids().length;
  }

  /**
   * The rules on the sizes: a passage of {@link #MIN_TOKENS} to {@code window} tokens, an overlap
   * of 0 to one less than the passage.
   *
   * @param window the model's {@code maxSeqLength}, or {@link Integer#MAX_VALUE} to check the sizes
   *     alone (before a model is loaded)
   * @throws InvalidOptionException naming the offending size
   */
  public static void checkSizes(int passageTokens, int overlap, int window) {
    if (passageTokens < MIN_TOKENS || passageTokens > window) {
      throw new InvalidOptionException(
          InvalidOptionException.Option.PASSAGE_TOKENS,
          "a passage must have "
              + MIN_TOKENS
              + (window == Integer.MAX_VALUE
                  ? " or more tokens"
                  : " to " + window + " tokens (the model's window)")
              + ", got "
              + passageTokens);
    }
    if (overlap < 0 || overlap >= passageTokens) {
      throw new InvalidOptionException(
          InvalidOptionException.Option.OVERLAP,
          "the overlap must be 0 or more and less than the passage size ("
              + passageTokens
              + " tokens), got "
              + overlap);
    }
  }

  /**
   * The passages of {@code text}, in order, for embedding with {@code options} (whose prompt or
   * title counts against the window).
   *
   * @throws InvalidInputException when the prompt and title alone leave no room for text
   */
  public List<Passage> split(String text, EmbedOptions options) {
    embedder.validate(options);
    Encoding tokens = tokenizer.encodeWithOffsets(text, false);
    int n = tokens.size();
    int prefix = tokenizer.encode(embedder.promptedText("", options), false).length;
    int room = Math.min(passageTokens, window - specials - prefix);
    if (room < 1) {
      throw new InvalidInputException(
          "the prompt \""
              + embedder.promptedText("", options)
              + "\" takes "
              + prefix
              + " tokens, leaving no room for text in the model's "
              + window);
    }
    int[] lineBreaks = lineBreaks(text);
    List<Passage> out = new ArrayList<>();
    int start = 0;
    while (true) {
      int end = Math.min(n, start + room);
      if (end < n) {
        end = lineCut(text, tokens, start, end);
      }
      String passage;
      while (true) {
        passage = slice(text, tokens, start, end);
        int excess =
            tokenizer.encode(embedder.promptedText(passage, options), true).length - window;
        if (excess <= 0) {
          break;
        }
        end -= excess;
        if (end <= start) {
          throw new InvalidInputException(
              "a passage at token " + start + " cannot fit the model's window of " + window);
        }
      }
      int from = charStart(tokens, start);
      int to = charEnd(text, tokens, end);
      out.add(
          new Passage(
              out.size(),
              passage,
              from,
              to,
              line(lineBreaks, from),
              line(lineBreaks, Math.max(from, to - 1)),
              start,
              end - start));
      if (end >= n) {
        return out;
      }
      start = nextStart(text, tokens, start, end);
    }
  }

  /**
   * The latest token index in the last 20% of the passage {@code [start, end)} that starts a line,
   * or {@code end} when none does.
   */
  private static int lineCut(String text, Encoding tokens, int start, int end) {
    int earliest = end - (end - start) / 5;
    for (int b = end; b >= earliest && b > start; b--) {
      if (startsLine(text, tokens, b)) {
        return b;
      }
    }
    return end;
  }

  /**
   * Where the passage after {@code [start, end)} starts: {@code overlap} tokens before its end, or
   * up to a fifth of the overlap earlier where a line starts there (so it reads from a line's
   * start); always after {@code start}, even when a cut moved back left less than the overlap.
   */
  private int nextStart(String text, Encoding tokens, int start, int end) {
    int next = end - overlap;
    for (int b = next; b >= next - overlap / 5 && b > start; b--) {
      if (startsLine(text, tokens, b)) {
        next = b;
        break;
      }
    }
    return Math.max(next, start + 1);
  }

  /** Whether token {@code b} starts a line: the character before it is a line break. */
  private static boolean startsLine(String text, Encoding tokens, int b) {
    int at = tokens.utf16Start(b);
    return at > 0 && text.charAt(at - 1) == '\n';
  }

  /**
   * Tokens {@code [start, end)}'s text, from the text's start for the first, to its end for the
   * last.
   */
  private static String slice(String text, Encoding tokens, int start, int end) {
    return text.substring(charStart(tokens, start), charEnd(text, tokens, end));
  }

  private static int charStart(Encoding tokens, int token) {
    return token == 0 ? 0 : tokens.utf16Start(token);
  }

  /** Up to where the next token starts, so consecutive passages leave no character out. */
  private static int charEnd(String text, Encoding tokens, int end) {
    return end >= tokens.size() ? text.length() : tokens.utf16Start(end);
  }

  private static int[] lineBreaks(String text) {
    int[] at = new int[16];
    int count = 0;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      if (count == at.length) {
        at = Arrays.copyOf(at, count * 2);
      }
      at[count++] = i;
    }
    return Arrays.copyOf(at, count);
  }

  /** The 1-based line of character {@code at}: one more than the line breaks before it. */
  private static int line(int[] lineBreaks, int at) {
    int i = Arrays.binarySearch(lineBreaks, at);
    return 1 + (i >= 0 ? i : -i - 1);
  }

  public int passageTokens() {
    return passageTokens;
  }

  public int overlap() {
    return overlap;
  }
}
