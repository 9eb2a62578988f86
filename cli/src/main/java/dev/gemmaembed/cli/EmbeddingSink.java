package dev.gemmaembed.cli;

import dev.gemmaembed.core.Precision;
import java.io.IOException;

/** Where embeddings go, in input order, as they are computed. */
interface EmbeddingSink {

  void write(InputRecord record, float[] embedding) throws IOException;

  /**
   * Writes an embedding already in {@code precision} ({@link Precision#quantize}'s bytes): text
   * formats write each byte's number ({@link Precision#value}), binary formats the bytes.
   */
  void write(InputRecord record, byte[] stored, Precision precision) throws IOException;

  /** Pushes what was written so far to the output (called after each batch). */
  void flush() throws IOException;

  /** Completes the output (closing bracket, final row count); nothing is written after. */
  void finish() throws IOException;
}
