package dev.gemmaembed.cli;

import java.util.Locale;

/** How embeddings are written. */
enum OutputFormat {
  /** One {@code {"index": i, "id": …, "embedding": [...]}} object per line. */
  jsonl,
  /** One JSON array of those objects. */
  json,
  /** A header {@code index[,id],d0,…} then one row per text. */
  csv,
  /**
   * A float32 matrix (rows × dimensions) in NumPy's .npy format; int8/uint8 for a quantized
   * precision.
   */
  npy,
  /** A 16-byte header, then the stored rows back to back (see {@link BinSink}). */
  bin;

  /** From an output file's extension; null when it says nothing. */
  static OutputFormat fromName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (OutputFormat f : values()) {
      if (lower.endsWith("." + f.name())) {
        return f;
      }
    }
    return lower.endsWith(".ndjson") ? jsonl : null;
  }
}
