package dev.gemmaembed.cli;

import java.io.Closeable;
import java.io.IOException;

/** Texts read one at a time, so an input of any size is never held in memory at once. */
interface TextSource extends Closeable {

  /** The next text, or null when there are no more. */
  InputRecord next() throws IOException;

  /** Bytes consumed from the underlying file so far, for progress; -1 when not a file. */
  default long bytesRead() {
    return -1;
  }

  @Override
  default void close() throws IOException {}
}
