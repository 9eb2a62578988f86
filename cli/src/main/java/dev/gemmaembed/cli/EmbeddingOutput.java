package dev.gemmaembed.cli;

import dev.gemmaembed.core.Precision;
import dev.gemmaembed.tools.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where {@code embed} writes: a file, written through a temporary sibling renamed into place when
 * complete (an interrupted run leaves no truncated file), or a device, FIFO or stdout as it goes.
 * An npy matrix for stdout is assembled in a temporary file first, because its header holds the row
 * count that is known only at the end.
 */
final class EmbeddingOutput {

  /** Writes all embeddings into the sink it is given. */
  @FunctionalInterface
  interface Work {
    void writeTo(EmbeddingSink sink) throws IOException;
  }

  private final OutputFormat format;
  private final int dimensions;
  private final boolean idColumn;
  private final Precision precision;

  /** {@code dimensions}: of each vector before {@code precision} stores it (packed or not). */
  EmbeddingOutput(OutputFormat format, int dimensions, boolean idColumn, Precision precision) {
    this.format = format;
    this.dimensions = dimensions;
    this.idColumn = idColumn;
    this.precision = precision;
  }

  /**
   * A regular file (or a link to one) is replaced once complete; a device, FIFO or /dev/stdout is
   * written directly, streamed as for stdout (see {@link AtomicFiles}).
   */
  void toFile(Path target, Work work) throws IOException {
    try {
      if (format != OutputFormat.npy && AtomicFiles.isDirect(target)) {
        try (OutputStream out = AtomicFiles.openDirect(target)) {
          toStream(out, work);
        }
      } else {
        AtomicFiles.write(target, tmp -> writeFile(tmp, work));
      }
    } catch (IOException e) {
      if (ErrorHandler.isDiskFull(e)) {
        throw new FileSystemException(
            target.toString(), null, "disk full (no space left on device)");
      }
      throw e;
    }
  }

  void toStream(OutputStream out, Work work) throws IOException {
    if (format == OutputFormat.npy) {
      Path tmp = Files.createTempFile("gemma-embed-", ".npy");
      try {
        writeFile(tmp, work);
        Files.copy(tmp, out);
        out.flush();
      } finally {
        Files.deleteIfExists(tmp);
      }
      return;
    }
    if (format == OutputFormat.bin) {
      OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
      EmbeddingSink sink = new BinSink(buffered, dimensions, precision);
      work.writeTo(sink);
      sink.finish();
      return;
    }
    Writer writer =
        new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    EmbeddingSink sink = textSink(writer);
    work.writeTo(sink);
    sink.finish();
    writer.flush();
  }

  private void writeFile(Path file, Work work) throws IOException {
    if (format == OutputFormat.npy) {
      try (FileChannel channel =
          FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        EmbeddingSink sink = new NpySink(channel, dimensions, precision);
        work.writeTo(sink);
        sink.finish();
      }
      return;
    }
    if (format == OutputFormat.bin) {
      try (OutputStream out =
          Files.newOutputStream(
              file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        toStream(out, work);
      }
      return;
    }
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      EmbeddingSink sink = textSink(writer);
      work.writeTo(sink);
      sink.finish();
    }
  }

  private EmbeddingSink textSink(Writer writer) throws IOException {
    return switch (format) {
      case jsonl -> new JsonSink(writer, false);
      case json -> new JsonSink(writer, true);
      case csv ->
          new CsvSink(
              writer,
              precision == Precision.FLOAT32 ? dimensions : precision.bytes(dimensions),
              idColumn);
      case npy, bin -> throw new IllegalStateException(format + " is not text");
    };
  }
}
