package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  @Test
  void splitsOnNewlineDropsCarriageReturnAndByteOrderMark() throws IOException {
    var r = new LineReader(new StringReader("\uFEFFone\r\n\ntwo\rstill two\nlast"), 100);
    assertEquals("one", r.readLine());
    assertEquals("", r.readLine());
    assertEquals("two\rstill two", r.readLine());
    assertEquals("last", r.readLine());
    assertEquals(4, r.lineNumber());
    assertNull(r.readLine());
  }

  @Test
  void aFinalNewlineDoesNotAddAnEmptyLine() throws IOException {
    var r = new LineReader(new StringReader("a\nb\n"), 100);
    assertEquals("a", r.readLine());
    assertEquals("b", r.readLine());
    assertNull(r.readLine());
    assertNull(new LineReader(new StringReader(""), 100).readLine());
  }

  @Test
  void longLinesAreCutAndTheRestSkipped() throws IOException {
    // longer than the 64 Ki buffer, so the cut and the skip span several reads
    String longLine = "x".repeat(200_000);
    var r = new LineReader(new StringReader("short\n" + longLine + "\nafter\n"), 1000);
    assertEquals("short", r.readLine());
    assertFalse(r.truncated());
    assertEquals("x".repeat(1000), r.readLine());
    assertTrue(r.truncated());
    assertEquals("after", r.readLine());
    assertFalse(r.truncated());
  }

  @Test
  void aCutNeverSplitsASurrogatePair() throws IOException {
    var r = new LineReader(new StringReader("ab\uD83D\uDE00cd"), 3);
    assertEquals("ab", r.readLine());
    assertTrue(r.truncated());
  }
}
