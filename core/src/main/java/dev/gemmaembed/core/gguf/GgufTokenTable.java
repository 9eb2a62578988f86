package dev.gemmaembed.core.gguf;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.model.TokenEmbeddings;
import dev.gemmaembed.kernels.InvalidBlockException;
import dev.gemmaembed.kernels.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The token embedding table, looked up with positional reads of just the requested rows instead of
 * through the mapping. A lookup touches a few hundred bytes at random places of a table of 113–805
 * MB; through a mapping every such touch maps the kernel's whole fault-around window (64 KB) into
 * the process, and after a few thousand distinct tokens the table alone holds more resident memory
 * than all the other weights together. A read from the page cache costs about a microsecond per
 * token. {@link #matrix()} (for re-encoding the table) is the mapped matrix.
 */
final class GgufTokenTable implements TokenEmbeddings {

  private final WeightMatrix mapped;
  private final Path path;
  private final FileChannel channel;
  private final long fileOffset;
  private final int rowBytes;
  private final ThreadLocal<Row> rowBuffers;

  /** One thread's read buffer and a one-row matrix of the table's type over it. */
  private record Row(ByteBuffer buffer, WeightMatrix view) {}

  private GgufTokenTable(
      WeightMatrix mapped,
      Path path,
      FileChannel channel,
      long fileOffset,
      int rowBytes,
      BiFunction<MemorySegment, Integer, WeightMatrix> viewOf) {
    this.mapped = mapped;
    this.path = path;
    this.channel = channel;
    this.fileOffset = fileOffset;
    this.rowBytes = rowBytes;
    this.rowBuffers =
        ThreadLocal.withInitial(
            () -> {
              ByteBuffer b = ByteBuffer.allocateDirect(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
              return new Row(b, viewOf.apply(MemorySegment.ofBuffer(b), mapped.cols()));
            });
  }

  /**
   * Wraps {@code mapped}, the matrix over tensor {@code t} of {@code gguf}; the file stays open
   * until {@code arena} closes. {@code viewOf} builds a one-row matrix of the same type over a
   * row's bytes.
   */
  // reinterpret(arena, cleanup) only ties a cleanup action to the arena; the 1-byte segment's size
  // is unchanged, so no memory beyond an allocation is exposed
  @SuppressWarnings("restricted")
  static GgufTokenTable open(
      GgufFile gguf,
      GgufTensor t,
      WeightMatrix mapped,
      Arena arena,
      BiFunction<MemorySegment, Integer, WeightMatrix> viewOf) {
    FileChannel ch;
    try {
      ch = FileChannel.open(gguf.path(), StandardOpenOption.READ);
    } catch (IOException e) {
      throw new CheckpointException(gguf.path(), "cannot read: " + e.getMessage(), e);
    }
    // Close the channel together with the mappings.
    arena
        .allocate(1)
        .reinterpret(
            arena,
            ignored -> {
              try {
                ch.close();
              } catch (IOException e) {
                // closing a read-only channel: nothing to recover
              }
            });
    return new GgufTokenTable(
        mapped,
        gguf.path(),
        ch,
        gguf.dataOffset() + t.offset(),
        Math.toIntExact(t.byteSize() / mapped.rows()),
        viewOf);
  }

  @Override
  public WeightMatrix matrix() {
    return mapped;
  }

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    Objects.checkIndex(r, rows());
    Row row = rowBuffers.get();
    ByteBuffer b = row.buffer.clear();
    long at = fileOffset + (long) r * rowBytes;
    try {
      while (b.hasRemaining()) {
        if (channel.read(b, at + b.position()) < 0) {
          throw new CheckpointException(
              path, "token_embd.weight row " + r + " ends past the end of the file");
        }
      }
    } catch (IOException e) {
      throw new CheckpointException(
          path, "cannot read token_embd.weight row " + r + ": " + e.getMessage(), e);
    }
    try {
      row.view.readRow(0, dst, dstOffset);
    } catch (InvalidBlockException e) {
      throw new CheckpointException(path, "token_embd.weight row " + r + ": " + e.getMessage(), e);
    }
  }
}
