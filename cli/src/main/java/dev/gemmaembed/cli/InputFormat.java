package dev.gemmaembed.cli;

import java.util.Locale;

/**
 * How an {@code --input} is read: {@code txt} one text per line, {@code jsonl} one JSON object per
 * line, {@code json} one array of strings or objects.
 */
enum InputFormat {
  txt,
  jsonl,
  json;

  /**
   * From the file name: .jsonl and .ndjson are JSON Lines, .json a JSON array, anything else (and
   * stdin) one text per line.
   */
  static InputFormat fromName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".jsonl") || lower.endsWith(".ndjson")
        ? jsonl
        : lower.endsWith(".json") ? json : txt;
  }

  /** Whether records may carry ids (and so a CSV output gets an id column). */
  boolean hasIds() {
    return this != txt;
  }
}
