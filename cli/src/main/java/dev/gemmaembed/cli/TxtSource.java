package dev.gemmaembed.cli;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A text file with one text per line; every line counts, blank ones included, so line n is index
 * n-1.
 */
final class TxtSource implements TextSource {

  /**
   * Longer lines are cut here: the model reads at most 2048 tokens, which even runs of the longest
   * pieces fill long before 1 Mi characters, so the cut never changes an embedding.
   */
  static final int MAX_LINE_CHARS = 1 << 20;

  private final LineReader lines;
  private final CountingInputStream counter;
  private final String name;
  private final Consumer<String> warn;
  private boolean warned;
  private long index;

  TxtSource(LineReader lines, CountingInputStream counter, String name, Consumer<String> warn) {
    this.lines = lines;
    this.counter = counter;
    this.name = name;
    this.warn = warn;
  }

  @Override
  public InputRecord next() throws IOException {
    String line = lines.readLine();
    if (line == null) {
      return null;
    }
    if (lines.truncated() && !warned) {
      warned = true;
      warn.accept(
          name
              + ":"
              + lines.lineNumber()
              + ": the line is longer than "
              + lines.maxChars()
              + " characters; only its start is embedded (the model reads at most 2048 tokens)");
    }
    return new InputRecord(index++, line, null, null);
  }

  @Override
  public long bytesRead() {
    return counter == null ? -1 : counter.count();
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
