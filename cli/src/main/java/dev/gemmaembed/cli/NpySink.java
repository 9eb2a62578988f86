package dev.gemmaembed.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * A float32 matrix (rows × dimensions, C order, little-endian) in the NPY 1.0 format that
 * {@code numpy.load} reads. The row count is unknown while streaming, so the header is written
 * with room for any count and rewritten, at the same length, by {@link #finish()}.
 *
 * <p>NPY 1.0: magic {@code \x93NUMPY}, version 1 0, a little-endian uint16 header length, then an
 * ASCII Python dict padded with spaces and ended by '\n' so that the data starts at a multiple of
 * 64 bytes.
 */
final class NpySink implements EmbeddingSink {

  private static final int PREAMBLE = 10; // magic (6) + version (2) + header length (2)

  /** Fits a 19-digit row count (any long), so patching never changes the length. */
  static final int HEADER_BYTES = roundUp(PREAMBLE + dict(Long.MAX_VALUE, Integer.MAX_VALUE).length() + 1, 64);

  private final FileChannel channel;
  private final int dimensions;
  private final ByteBuffer buffer;
  private long rows;

  /** Writes into {@code channel} from its start; the caller opens and closes it. */
  NpySink(FileChannel channel, int dimensions) throws IOException {
    this.channel = channel;
    this.dimensions = dimensions;
    this.buffer = ByteBuffer.allocate(Math.max(1 << 16, dimensions * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    writeFully(header(0, dimensions), 0);
    channel.position(HEADER_BYTES);
  }

  static ByteBuffer header(long rows, int cols) {
    String dict = dict(rows, cols);
    int textLength = HEADER_BYTES - PREAMBLE;
    String padded = dict + " ".repeat(textLength - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) textLength);
    b.put(padded.getBytes(StandardCharsets.US_ASCII));
    return b.flip();
  }

  private static String dict(long rows, int cols) {
    return "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
  }

  private static int roundUp(int n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }

  @Override
  public void write(InputRecord record, float[] embedding) throws IOException {
    if (embedding.length != dimensions) {
      throw new IllegalStateException("row of " + embedding.length + " values in a matrix of " + dimensions + " columns");
    }
    if (buffer.remaining() < dimensions * Float.BYTES) {
      flush();
    }
    for (float v : embedding) {
      buffer.putFloat(v);
    }
    rows++;
  }

  @Override
  public void flush() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  @Override
  public void finish() throws IOException {
    flush();
    writeFully(header(rows, dimensions), 0);
  }

  private void writeFully(ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
  }
}
