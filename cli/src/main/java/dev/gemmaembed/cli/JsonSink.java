package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;

/**
 * {@code jsonl}: one {@code {"index": i, "id": …, "embedding": [...]}} per line; {@code json}:
 * the same objects in one array, one per line. {@code id} appears only when the input gave one.
 * Floats are written in their shortest round-tripping form, so parsing gives back the same floats.
 */
final class JsonSink implements EmbeddingSink {

  /** Its generators can write the JSONL input's id values (JsonNode) as they were. */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final JsonGenerator json;
  private final boolean array;
  private boolean first = true;

  JsonSink(Writer out, boolean array) throws IOException {
    this.json = MAPPER.createGenerator(out)
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
        .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
    // Separators are written by hand below; Jackson would put a space between root values.
    json.setRootValueSeparator(new SerializedString(""));
    this.array = array;
  }

  @Override
  public void write(InputRecord record, float[] embedding) throws IOException {
    if (array) {
      json.writeRaw(first ? "[\n" : ",\n");
    }
    first = false;
    json.writeStartObject();
    json.writeNumberField("index", record.index());
    if (record.id() != null) {
      json.writeFieldName("id");
      json.writeTree(record.id());
    }
    json.writeArrayFieldStart("embedding");
    for (float v : embedding) {
      json.writeNumber(v);
    }
    json.writeEndArray();
    json.writeEndObject();
    if (!array) {
      json.writeRaw('\n');
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
