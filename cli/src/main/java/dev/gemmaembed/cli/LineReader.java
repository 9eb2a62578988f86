package dev.gemmaembed.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;

/**
 * Reads '\n'-terminated lines (a trailing '\r' is dropped) holding at most {@code maxChars}
 * characters of any one line in memory: the rest of a longer line is skipped and {@link
 * #truncated()} says so. This keeps a file without newlines from filling the heap.
 */
final class LineReader implements Closeable {

  private final Reader in;
  private final int maxChars;
  private final char[] buf = new char[1 << 16];
  private int pos;
  private int end;
  private long lineNumber;
  private boolean truncated;

  LineReader(Reader in, int maxChars) {
    this.in = in;
    this.maxChars = maxChars;
  }

  /** The next line without its terminator, or null at the end of the input. */
  String readLine() throws IOException {
    StringBuilder line = null;
    truncated = false;
    while (true) {
      if (pos == end && !fill()) {
        if (line == null) {
          return null;
        }
        break;
      }
      if (line == null) {
        line = new StringBuilder();
      }
      int start = pos;
      while (pos < end && buf[pos] != '\n') {
        pos++;
      }
      append(line, start, pos - start);
      if (pos < end) {
        pos++; // the '\n'
        break;
      }
    }
    lineNumber++;
    int n = line.length();
    if (n > 0 && line.charAt(n - 1) == '\r' && !truncated) {
      line.setLength(n - 1);
    }
    if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
      line.deleteCharAt(0); // a UTF-8 byte order mark is not part of the first text
    }
    return line.toString();
  }

  /** 1-based number of the line last returned. */
  long lineNumber() {
    return lineNumber;
  }

  /** Whether the line last returned was longer than {@code maxChars} and cut. */
  boolean truncated() {
    return truncated;
  }

  int maxChars() {
    return maxChars;
  }

  private void append(StringBuilder line, int from, int count) {
    if (truncated) {
      return;
    }
    int room = maxChars - line.length();
    if (count <= room) {
      line.append(buf, from, count);
      return;
    }
    truncated = true;
    int keep = room;
    if (keep > 0 && Character.isHighSurrogate(buf[from + keep - 1])) {
      keep--; // never end on half a surrogate pair
    }
    line.append(buf, from, Math.max(keep, 0));
  }

  private boolean fill() throws IOException {
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    pos = 0;
    end = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
