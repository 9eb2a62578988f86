package dev.gemmaembed.cli;

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
    int cut = max - 1;
    if (Character.isHighSurrogate(flat.charAt(cut - 1))) {
      cut--;
    }
    return flat.substring(0, cut) + "…";
  }

  /** Cosine similarity of two L2-normalised vectors (their dot product), accumulated in double. */
  static float cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return (float) dot;
  }
}
