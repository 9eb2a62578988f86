package dev.gemmaembed.core;

/**
 * Strict UTF-8 (RFC 3629; Unicode's table 3-7), exactly what a strict decoder accepts, without
 * decoding: the server's request bodies (JSON text must be UTF-8, and a lenient decoder would let
 * overlong forms ({@code E0 80 AF} for '/'), surrogates or code points past U+10FFFF through, which
 * filters that look at bytes and the tokenizer would then read differently) and a GGUF file's
 * strings (199,196 of Gemma's 262,144 pieces are not ASCII: a charset decoder for each cost more
 * than the rest of the header walk).
 */
public final class Utf8 {

  private Utf8() {}

  /** The offset of the first byte that does not start a well-formed sequence, or -1 if all do. */
  public static int firstInvalid(byte[] b) {
    return firstInvalid(b, 0, b.length);
  }

  /**
   * The offset of the first byte of {@code b[from, to)} that does not start a well-formed sequence
   * ending before {@code to}, or -1 if all do.
   */
  public static int firstInvalid(byte[] b, int from, int to) {
    int i = from;
    int n = to;
    while (i < n) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int min;
      int max = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        // E0 needs A0..BF next (below is overlong); ED needs 80..9F (above are surrogates).
        min = c == 0xE0 ? 0xA0 : 0x80;
        max = c == 0xED ? 0x9F : 0xBF;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        // F0 needs 90..BF next (below is overlong); F4 needs 80..8F (above is past U+10FFFF).
        min = c == 0xF0 ? 0x90 : 0x80;
        max = c == 0xF4 ? 0x8F : 0xBF;
      } else {
        return i; // a continuation byte, C0/C1 (always overlong) or F5..FF
      }
      if (i + need >= n) { // truncated at the end of the range
        return i;
      }
      int second = b[i + 1] & 0xFF;
      if (second < min || second > max) {
        return i;
      }
      for (int k = 2; k <= need; k++) {
        if ((b[i + k] & 0xC0) != 0x80) {
          return i;
        }
      }
      i += need + 1;
    }
    return -1;
  }
}
