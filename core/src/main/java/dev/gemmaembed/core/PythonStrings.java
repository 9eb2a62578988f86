package dev.gemmaembed.core;

/**
 * Python's {@code str.strip()} with no arguments, which sentence-transformers applies to every
 * (prompt + text) string. Its whitespace set differs from Java's {@link String#strip()}: it
 * includes U+001C–U+001F, U+0085, U+00A0, U+2007 and U+202F, for example.
 */
public final class PythonStrings {

  private PythonStrings() {}

  /** Whether Python's {@code str.isspace()} is true for this character. */
  public static boolean isPythonWhitespace(char c) {
    return switch (c) {
      case '\t',
          '\n',
          '\u000B',
          '\f',
          '\r',
          '\u001C',
          '\u001D',
          '\u001E',
          '\u001F',
          ' ',
          '\u0085',
          '\u00A0',
          '\u1680',
          '\u2028',
          '\u2029',
          '\u202F',
          '\u205F',
          '\u3000' ->
          true;
      default -> c >= '\u2000' && c <= '\u200A';
    };
  }

  public static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isPythonWhitespace(s.charAt(start))) {
      start++;
    }
    while (end > start && isPythonWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }
}
