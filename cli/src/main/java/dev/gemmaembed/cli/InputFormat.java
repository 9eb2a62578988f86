package dev.gemmaembed.cli;

import java.util.Locale;

/** How an {@code --input} is read: {@code txt} one text per line, {@code jsonl} one JSON object per line. */
enum InputFormat {
  txt,
  jsonl;

  /** From the file name: .jsonl and .ndjson are JSON Lines, anything else (and stdin) one text per line. */
  static InputFormat fromName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ? jsonl : txt;
  }
}
