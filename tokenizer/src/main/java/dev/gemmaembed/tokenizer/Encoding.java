package dev.gemmaembed.tokenizer;

import java.util.Arrays;

/**
 * Token ids of one text with the span of source text each token covers.
 *
 * <p>Offsets are half-open {@code [start, end)} spans in <b>Unicode code points</b> of the input
 * string (what Hugging Face's Python {@code Encoding.offsets} reports); {@link #utf16Start(int)} /
 * {@link #utf16End(int)} / {@link #utf16Offsets()} give the same spans as Java {@code char}
 * indices, ready for {@link String#substring(int, int)}. Special tokens added by the template
 * ({@code <bos>}, {@code <eos>}) have the empty span {@code (0, 0)}, as in Hugging Face. A
 * byte-fallback token ({@code <0xNN>}) reports the span of the whole character it is a byte of. An
 * unpaired surrogate counts as one code point (it is encoded as U+FFFD).
 *
 * <p>Instances are immutable.
 */
public final class Encoding {
  private final int[] ids;
  private final int[] starts;
  private final int[] ends;
  private final int[] utf16Starts;
  private final int[] utf16Ends;

  Encoding(int[] ids, int[] utf16Starts, int[] utf16Ends, int[] starts, int[] ends) {
    this.ids = ids;
    this.utf16Starts = utf16Starts;
    this.utf16Ends = utf16Ends;
    this.starts = starts;
    this.ends = ends;
  }

  /** Number of tokens. */
  public int size() {
    return ids.length;
  }

  /** The token ids (a copy). */
  public int[] ids() {
    return ids.clone();
  }

  /** Token id at position {@code i}. */
  public int id(int i) {
    return ids[i];
  }

  /** Start of token {@code i} in code points. */
  public int start(int i) {
    return starts[i];
  }

  /** End (exclusive) of token {@code i} in code points. */
  public int end(int i) {
    return ends[i];
  }

  /** Start of token {@code i} in UTF-16 units ({@code char} index). */
  public int utf16Start(int i) {
    return utf16Starts[i];
  }

  /** End (exclusive) of token {@code i} in UTF-16 units ({@code char} index). */
  public int utf16End(int i) {
    return utf16Ends[i];
  }

  /** {@code [size][2]} code-point spans, as Hugging Face's Python {@code Encoding.offsets}. */
  public int[][] offsets() {
    return pairs(starts, ends);
  }

  /** {@code [size][2]} UTF-16 spans ({@code char} indices into the input string). */
  public int[][] utf16Offsets() {
    return pairs(utf16Starts, utf16Ends);
  }

  private static int[][] pairs(int[] s, int[] e) {
    int[][] out = new int[s.length][];
    for (int i = 0; i < s.length; i++) {
      out[i] = new int[] {s[i], e[i]};
    }
    return out;
  }

  @Override
  public String toString() {
    return "Encoding" + Arrays.toString(ids);
  }
}
