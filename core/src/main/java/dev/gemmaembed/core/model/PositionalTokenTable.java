package dev.gemmaembed.core.model;

import dev.gemmaembed.core.CheckpointException;
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

/**
 * A token table of a mapped checkpoint file (safetensors or GGUF), looked up with positional reads
 * of just the requested rows instead of through the mapping. A lookup touches a row of a few
 * hundred bytes to 3 KB at a random place of a table of 113–805 MB; through a mapping every such
 * touch maps the kernel's whole fault-around window (64 KB) into the process, so after a few
 * thousand distinct tokens the table holds more resident memory than all the other weights together
 * (EmbeddingGemma 2's BF16 table: 248 MB after 1000 texts). A read from the page cache costs about
 * a microsecond per token and returns the same bytes, so the vectors do not change. {@link
 * #matrix()} (for re-encoding the table) is the mapped matrix.
 */
public final class PositionalTokenTable implements TokenEmbeddings {

  private final WeightMatrix mapped;
  private final Path path;
  private final String tensor;
  private final FileChannel channel;
  private final long fileOffset;
  private final int rowBytes;
  private final ThreadLocal<Row> rowBuffers;

  /** One thread's read buffer, and the same bytes as a segment. */
  private record Row(ByteBuffer buffer, MemorySegment bytes) {}

  private PositionalTokenTable(
      WeightMatrix mapped, Path path, String tensor, FileChannel channel, long fileOffset) {
    this.mapped = mapped;
    this.path = path;
    this.tensor = tensor;
    this.channel = channel;
    this.fileOffset = fileOffset;
    this.rowBytes = Math.toIntExact(mapped.type().rowBytes(mapped.cols()));
    this.rowBuffers =
        ThreadLocal.withInitial(
            () -> {
              ByteBuffer b = ByteBuffer.allocateDirect(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
              return new Row(b, MemorySegment.ofBuffer(b));
            });
  }

  /**
   * The rows of {@code mapped}, the matrix over tensor {@code tensor} whose bytes start at {@code
   * fileOffset} of {@code path}; the file stays open until {@code arena} closes.
   */
  // reinterpret(arena, cleanup) only ties a cleanup action to the arena; the 1-byte segment's size
  // is unchanged, so no memory beyond an allocation is exposed
  @SuppressWarnings("restricted")
  public static PositionalTokenTable open(
      Path path, String tensor, long fileOffset, WeightMatrix mapped, Arena arena) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new CheckpointException(path, "cannot read: " + e.getMessage(), e);
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
    return new PositionalTokenTable(mapped, path, tensor, ch, fileOffset);
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
              path, tensor + " row " + r + " ends past the end of the file");
        }
      }
    } catch (IOException e) {
      throw new CheckpointException(
          path, "cannot read " + tensor + " row " + r + ": " + e.getMessage(), e);
    }
    try {
      // a new one-row matrix per read: a matrix's bytes never change under it (a block-format
      // matrix checks a row's scales once)
      mapped.type().matrix(row.bytes, 1, mapped.cols()).readRow(0, dst, dstOffset);
    } catch (InvalidBlockException e) {
      throw new CheckpointException(path, tensor + " row " + r + ": " + e.getMessage(), e);
    }
  }
}
