package dev.gemmaembed.core;

/**
 * Text from outside (a server's headers, a model file's strings) made safe to print: control
 * characters that a terminal would act on — C0 (ESC, BEL, CR …), DEL, C1 (CSI 0x9B …) and the
 * Unicode bidirectional overrides that reorder what is shown — are written as visible escapes
 * ({@code \x1B}, {@code \u202E}); everything else, non-ASCII letters included, passes unchanged.
 */
public final class TerminalText {

  private TerminalText() {}

  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isUnsafe(c)) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(
            c < 0x100 ? String.format("\\x%02X", (int) c) : String.format("\\u%04X", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static boolean isUnsafe(char c) {
    return Character.isISOControl(c) // U+0000–U+001F, U+007F–U+009F
        || (c >= '\u202A' && c <= '\u202E') // LRE, RLE, PDF, LRO, RLO
        || (c >= '\u2066' && c <= '\u2069') // LRI, RLI, FSI, PDI
        || c == '\u200E'
        || c == '\u200F'; // LRM, RLM
  }
}
