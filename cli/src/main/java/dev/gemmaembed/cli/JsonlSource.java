package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * JSON Lines: one object per line with a string {@code text}, an optional string {@code title}
 * (the document is embedded as {@code title: {title} | text: …}) and an optional {@code id}
 * that is copied to the output. Blank lines are skipped.
 */
final class JsonlSource implements TextSource {

  /** A JSON line is parsed whole, so unlike a text line it cannot be cut: longer ones are an error. */
  static final int MAX_LINE_CHARS = 8 << 20;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final LineReader lines;
  private final CountingInputStream counter;
  private final String name;
  private long index;

  JsonlSource(LineReader lines, CountingInputStream counter, String name) {
    this.lines = lines;
    this.counter = counter;
    this.name = name;
  }

  @Override
  public InputRecord next() throws IOException {
    String line;
    do {
      line = lines.readLine();
      if (line == null) {
        return null;
      }
    } while (line.isBlank());
    String where = name + ":" + lines.lineNumber();
    if (lines.truncated()) {
      throw CliException.input(where + ": the line is longer than " + lines.maxChars() + " characters");
    }
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw CliException.input(where + ": not valid JSON: " + ErrorHandler.oneLine(e.getOriginalMessage()));
    }
    if (!node.isObject()) {
      throw CliException.input(where + ": expected a JSON object like {\"text\": \"...\"}");
    }
    JsonNode text = node.get("text");
    if (text == null || !text.isTextual()) {
      throw CliException.input(where + ": the object has no string field \"text\"");
    }
    JsonNode title = node.get("title");
    if (title != null && !title.isNull() && !title.isTextual()) {
      throw CliException.input(where + ": \"title\" must be a string");
    }
    JsonNode id = node.get("id");
    if (id != null && !id.isNull() && !id.isValueNode()) {
      throw CliException.input(where + ": \"id\" must be a string or a number");
    }
    return new InputRecord(index++, text.asText(),
        title == null || title.isNull() ? null : title.asText(),
        id == null || id.isNull() ? null : id);
  }

  @Override
  public long bytesRead() {
    return counter == null ? -1 : counter.count();
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
