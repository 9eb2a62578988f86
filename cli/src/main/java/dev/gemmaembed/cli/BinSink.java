package dev.gemmaembed.cli;

import dev.gemmaembed.core.Precision;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@code --format bin}: a 16-byte header, then the stored rows back to back with nothing between
 * them, in input order, so that row {@code i} starts at {@code 16 + i × rowBytes}.
 *
 * <pre>
 * offset size  field
 *  0      4    magic "GEMB" (ASCII)
 *  4      1    format version, 1
 *  5      1    precision: 0 float32, 1 int8, 2 uint8, 3 binary, 4 ubinary
 *  6      2    zero
 *  8      4    dimensions (uint32, little-endian; before bit packing)
 * 12      4    rowBytes (uint32, little-endian): dimensions × 4, dimensions, or dimensions / 8
 * 16      …    rows; float32 rows are little-endian
 * </pre>
 *
 * The row count is {@code (file size − 16) / rowBytes}; keeping it out of the header lets the
 * format stream to a pipe. In numpy: {@code np.fromfile(f, np.int8, offset=16).reshape(-1,
 * rowBytes)}.
 */
final class BinSink implements EmbeddingSink {

  static final int HEADER_BYTES = 16;
  static final byte VERSION = 1;

  private final OutputStream out;
  private final Precision precision;
  private final int rowBytes;

  BinSink(OutputStream out, int dimensions, Precision precision) throws IOException {
    this.out = out;
    this.precision = precision;
    this.rowBytes = precision.bytes(dimensions);
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    h.put("GEMB".getBytes(StandardCharsets.US_ASCII))
        .put(VERSION)
        .put((byte) precision.ordinal())
        .putShort((short) 0);
    h.putInt(dimensions).putInt(rowBytes);
    out.write(h.array());
  }

  @Override
  public void write(InputRecord record, float[] embedding) throws IOException {
    write(record, Precision.FLOAT32.quantize(embedding, null), Precision.FLOAT32);
  }

  @Override
  public void write(InputRecord record, byte[] stored, Precision as) throws IOException {
    if (as != precision || stored.length != rowBytes) {
      throw new IllegalStateException(
          "a "
              + as.label()
              + " row of "
              + stored.length
              + " bytes in a "
              + precision.label()
              + " file of "
              + rowBytes
              + "-byte rows");
    }
    out.write(stored);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void finish() throws IOException {
    out.flush();
  }
}
