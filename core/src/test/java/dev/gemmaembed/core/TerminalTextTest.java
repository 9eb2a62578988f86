package dev.gemmaembed.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

  @Test
  void controlCharactersAreShownAsEscapes() {
    assertEquals(
        "a\\x1B[2Jb\\x07\\x0D\\x0A\\x00\\x7F\\x9B31m",
        TerminalText.escape("a\u001b[2Jb\u0007\r\n\u0000\u007f\u009b31m"));
    assertEquals(
        "abc\\u202Egpj.exe \\u2066x\\u2069 \\u200F",
        TerminalText.escape("abc\u202egpj.exe \u2066x\u2069 \u200f"));
  }

  @Test
  void printableTextPassesUnchanged() {
    String text = "héllo wörld — 日本語 🙂 \"quoted\" \\x1B";
    assertSame(text, TerminalText.escape(text));
  }
}
