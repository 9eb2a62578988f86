package dev.gemmaembed.cli;

import java.util.List;

/** Texts given on the command line. */
final class ListSource implements TextSource {

  private final List<String> texts;
  private int next;

  ListSource(List<String> texts) {
    this.texts = texts;
  }

  @Override
  public InputRecord next() {
    if (next == texts.size()) {
      return null;
    }
    int i = next++;
    return new InputRecord(i, texts.get(i), null, null);
  }
}
