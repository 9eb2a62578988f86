package dev.gemmaembed.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PythonStringsTest {

  @Test
  void stripsExactlyPythonsWhitespaceSet() {
    // The 29 code points for which Python's str.isspace() is true.
    int[] python = {
      0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000,
      0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028,
      0x2029, 0x202F, 0x205F, 0x3000
    };
    int count = 0;
    for (char c = 0; c < 0xFFFF; c++) {
      if (PythonStrings.isPythonWhitespace(c)) {
        count++;
      }
    }
    assertEquals(python.length, count);
    for (int cp : python) {
      assertTrue(PythonStrings.isPythonWhitespace((char) cp), Integer.toHexString(cp));
    }
    assertFalse(PythonStrings.isPythonWhitespace('\u200B'));
    assertFalse(PythonStrings.isPythonWhitespace('\uFEFF'));
    assertEquals("a b", PythonStrings.strip("\u00A0\u2007 a b\u202F\u0085\u001F"));
    assertEquals(
        "task: search result | query:", PythonStrings.strip("task: search result | query: "));
    assertEquals("", PythonStrings.strip(" \t\n"));
    assertEquals("\u200Bx", PythonStrings.strip("\u200Bx "));
  }
}
