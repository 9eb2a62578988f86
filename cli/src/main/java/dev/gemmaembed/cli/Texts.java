package dev.gemmaembed.cli;

import dev.gemmaembed.core.BinaryIndex;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** Small helpers for the human-readable outputs. */
final class Texts {

  private Texts() {}

  /** A UTF-8 writer over {@code out}; the caller flushes it and leaves {@code out} open. */
  static Writer utf8(OutputStream out) {
    return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
  }

  /**
   * The text on one line (whitespace runs become one space), cut to {@code max} characters with an
   * ellipsis.
   */
  static String snippet(String text, int max) {
    String flat = text.strip().replaceAll("\\s+", " ");
    if (flat.length() <= max) {
      return flat;
    }
    return cut(flat, max - 1) + "…";
  }

  /** The first {@code max} characters of {@code text}, never half a surrogate pair. */
  static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end);
  }

  /** Cosine similarity of two L2-normalised vectors (their dot product), accumulated in double. */
  static float cosine(float[] a, float[] b) {
    return BinaryIndex.similarity(a, b);
  }
}
