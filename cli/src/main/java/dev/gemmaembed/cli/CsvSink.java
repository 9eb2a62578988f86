package dev.gemmaembed.cli;

import dev.gemmaembed.core.Precision;
import java.io.IOException;
import java.io.Writer;

/**
 * A header {@code index,d0,…,d(n-1)} (with an {@code id} column after {@code index} when the input
 * is JSONL, the only input that carries ids), then one row per text; RFC 4180 quoting.
 */
final class CsvSink implements EmbeddingSink {

  private final Writer out;
  private final boolean idColumn;
  private final StringBuilder row = new StringBuilder();

  /** {@code columns}: the values a row holds (bytes for a packed binary precision). */
  CsvSink(Writer out, int columns, boolean idColumn) throws IOException {
    this.out = out;
    this.idColumn = idColumn;
    row.append("index");
    if (idColumn) {
      row.append(",id");
    }
    for (int d = 0; d < columns; d++) {
      row.append(",d").append(d);
    }
    out.write(row.append("\n").toString());
  }

  @Override
  public void write(InputRecord record, float[] embedding) throws IOException {
    startRow(record);
    for (float v : embedding) {
      row.append(',').append(v);
    }
    out.write(row.append("\n").toString());
  }

  @Override
  public void write(InputRecord record, byte[] stored, Precision precision) throws IOException {
    startRow(record);
    for (byte b : stored) {
      row.append(',').append(precision.value(b));
    }
    out.write(row.append("\n").toString());
  }

  private void startRow(InputRecord record) {
    row.setLength(0);
    row.append(record.index());
    if (idColumn) {
      row.append(',');
      if (record.id() != null) {
        quote(record.id().text());
      }
    }
  }

  private void quote(String field) {
    if (field.indexOf(',') < 0
        && field.indexOf('"') < 0
        && field.indexOf('\n') < 0
        && field.indexOf('\r') < 0) {
      row.append(field);
    } else {
      row.append('"').append(field.replace("\"", "\"\"")).append('"');
    }
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
