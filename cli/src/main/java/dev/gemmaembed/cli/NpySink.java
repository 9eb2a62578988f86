package dev.gemmaembed.cli;

import dev.gemmaembed.core.Precision;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * A float32 matrix (rows × dimensions, C order, little-endian) in the NPY 1.0 format that {@code
 * numpy.load} reads, or for an int8/uint8/binary/ubinary {@link Precision} an int8 or uint8 matrix
 * (rows × stored bytes: dimensions, or dimensions / 8 when packed), as sentence-transformers'
 * {@code quantize_embeddings} returns it. The row count is unknown while streaming, so the header
 * is written with room for any count and rewritten, at the same length, by {@link #finish()}.
 *
 * <p>NPY 1.0: magic {@code \x93NUMPY}, version 1 0, a little-endian uint16 header length, then an
 * ASCII Python dict padded with spaces and ended by '\n' so that the data starts at a multiple of
 * 64 bytes.
 */
final class NpySink implements EmbeddingSink {

  private static final int PREAMBLE = 10; // magic (6) + version (2) + header length (2)

  /** Fits a 19-digit row count (any long), so patching never changes the length. */
  static final int HEADER_BYTES =
      roundUp(PREAMBLE + dict(Long.MAX_VALUE, Integer.MAX_VALUE, "<f4").length() + 1, 64);

  private final FileChannel channel;
  private final Precision precision;
  private final int columns;
  private final ByteBuffer buffer;
  private long rows;

  /**
   * A float32 matrix, written into {@code channel} from its start; the caller opens and closes it.
   */
  NpySink(FileChannel channel, int dimensions) throws IOException {
    this(channel, dimensions, Precision.FLOAT32);
  }

  /** A matrix of vectors of {@code dimensions} stored in {@code precision}. */
  NpySink(FileChannel channel, int dimensions, Precision precision) throws IOException {
    this.channel = channel;
    this.precision = precision;
    this.columns = precision == Precision.FLOAT32 ? dimensions : precision.bytes(dimensions);
    this.buffer =
        ByteBuffer.allocate(Math.max(1 << 16, precision.bytes(dimensions)))
            .order(ByteOrder.LITTLE_ENDIAN);
    writeFully(header(0, columns, descr(precision)), 0);
    channel.position(HEADER_BYTES);
  }

  /** numpy's type string: little-endian float32, or a byte type (no byte order). */
  private static String descr(Precision precision) {
    return precision == Precision.FLOAT32 ? "<f4" : precision.signedBytes() ? "|i1" : "|u1";
  }

  static ByteBuffer header(long rows, int cols) {
    return header(rows, cols, "<f4");
  }

  static ByteBuffer header(long rows, int cols, String descr) {
    String dict = dict(rows, cols, descr);
    int textLength = HEADER_BYTES - PREAMBLE;
    String padded = dict + " ".repeat(textLength - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) textLength);
    b.put(padded.getBytes(StandardCharsets.US_ASCII));
    return b.flip();
  }

  private static String dict(long rows, int cols, String descr) {
    return "{'descr': '"
        + descr
        + "', 'fortran_order': False, 'shape': ("
        + rows
        + ", "
        + cols
        + "), }";
  }

  private static int roundUp(int n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }

  @Override
  public void write(InputRecord record, float[] embedding) throws IOException {
    write(record, Precision.FLOAT32.quantize(embedding, null), Precision.FLOAT32);
  }

  @Override
  public void write(InputRecord record, byte[] stored, Precision as) throws IOException {
    if (as != precision || stored.length != rowBytes()) {
      throw new IllegalStateException(
          "a "
              + as.label()
              + " row of "
              + stored.length
              + " bytes in a "
              + precision.label()
              + " matrix of "
              + rowBytes()
              + "-byte rows");
    }
    if (buffer.remaining() < stored.length) {
      flush();
    }
    buffer.put(stored);
    rows++;
  }

  private int rowBytes() {
    return precision == Precision.FLOAT32 ? columns * Float.BYTES : columns;
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
    writeFully(header(rows, columns, descr(precision)), 0);
  }

  private void writeFully(ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
  }
}
