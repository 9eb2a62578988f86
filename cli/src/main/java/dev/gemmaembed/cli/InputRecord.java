package dev.gemmaembed.cli;

/**
 * One text to embed.
 *
 * @param index position in the input, from 0 (blank JSONL lines do not count)
 * @param text the text
 * @param title a document title (JSONL {@code title}, a file name for {@code search --dir}), or
 *     null
 * @param id the JSONL {@code id} (or {@code search --dir}'s relative path) passed through to the
 *     output, or null
 */
record InputRecord(long index, String text, String title, Id id) {

  /**
   * An id as the input gave it. A number is kept as its literal text, so the output repeats it
   * digit for digit ({@code 1.50}, {@code 12345678901234567890123}) rather than as a parsed value.
   *
   * @param text the string's value, or the number's literal
   * @param number whether the input gave a JSON number (written back unquoted)
   */
  record Id(String text, boolean number) {

    static Id string(String value) {
      return new Id(value, false);
    }

    static Id number(String literal) {
      return new Id(literal, true);
    }
  }
}
