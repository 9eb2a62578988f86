package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.gemmaembed.core.Precision;
import java.io.IOException;
import java.io.Writer;

/**
 * {@code jsonl}: one {@code {"index": i, "id": …, "embedding": [...]}} per line; {@code json}: the
 * same objects in one array, one per line. {@code id} appears only when the input gave one. Floats
 * are written in their shortest round-tripping form, so parsing gives back the same floats. Only
 * jackson-core's streaming generator is used (see {@link JsonlSource} for why).
 */
final class JsonSink implements EmbeddingSink {

  private static final JsonFactory JSON = new JsonFactory();

  private final JsonGenerator json;
  private final boolean array;
  private boolean first = true;

  JsonSink(Writer out, boolean array) throws IOException {
    this.json =
        JSON.createGenerator(out)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
    // Separators are written by hand below; Jackson would put a space between root values.
    json.setRootValueSeparator(new SerializedString(""));
    this.array = array;
  }

  @Override
  public void write(InputRecord record, float[] embedding) throws IOException {
    start(record);
    for (float v : embedding) {
      json.writeNumber(v);
    }
    end();
  }

  /**
   * Integers: −128..127 for int8/binary, 0..255 for uint8/ubinary (packed bytes for the binary
   * ones).
   */
  @Override
  public void write(InputRecord record, byte[] stored, Precision precision) throws IOException {
    start(record);
    for (byte b : stored) {
      json.writeNumber(precision.value(b));
    }
    end();
  }

  private void start(InputRecord record) throws IOException {
    if (array) {
      json.writeRaw(first ? "[\n" : ",\n");
    }
    first = false;
    json.writeStartObject();
    json.writeNumberField("index", record.index());
    if (record.id() != null) {
      json.writeFieldName("id");
      writeId(json, record.id());
    }
    json.writeArrayFieldStart("embedding");
  }

  private void end() throws IOException {
    json.writeEndArray();
    json.writeEndObject();
    if (!array) {
      json.writeRaw('\n');
    }
  }

  /** A string id as a JSON string; a numeric one as the number literal the input had. */
  static void writeId(JsonGenerator json, InputRecord.Id id) throws IOException {
    if (id.number()) {
      json.writeNumber(id.text());
    } else {
      json.writeString(id.text());
    }
  }

  @Override
  public void flush() throws IOException {
    json.flush();
  }

  @Override
  public void finish() throws IOException {
    if (array) {
      json.writeRaw(first ? "[]\n" : "\n]\n");
    }
    json.flush();
  }
}
