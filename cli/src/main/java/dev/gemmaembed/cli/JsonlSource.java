package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * JSON Lines: one object per line with a string {@code text}, an optional string {@code title} (the
 * document is embedded as {@code title: {title} | text: …}) and an optional {@code id}, a string or
 * a number, that is copied to the output. Other fields, of any type, are ignored; a repeated field
 * counts with its last value. Blank lines are skipped.
 *
 * <p>Lines are read with Jackson's streaming parser, not a tree: the embed path then never loads
 * jackson-databind, whose few hundred classes cost several MB of a small process.
 */
final class JsonlSource implements TextSource {

  /**
   * A JSON line is parsed whole, so unlike a text line it cannot be cut: longer ones are an error.
   */
  static final int MAX_LINE_CHARS = 8 << 20;

  private static final JsonFactory JSON = new JsonFactory();

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
      throw CliException.input(
          where + ": the line is longer than " + lines.maxChars() + " characters");
    }
    Fields f = new Fields();
    boolean object;
    try (JsonParser parser = JSON.createParser(line)) {
      object = parser.nextToken() == JsonToken.START_OBJECT;
      if (object) {
        f.read(parser);
      } else {
        parser.skipChildren();
      }
      if (parser.nextToken() != null) {
        throw CliException.input(
            where
                + ": not valid JSON: more content after the value, at column "
                + parser.currentTokenLocation().getColumnNr()
                + "; a line holds one object");
      }
    } catch (JsonProcessingException e) {
      throw CliException.input(
          where + ": not valid JSON: " + ErrorHandler.oneLine(e.getOriginalMessage()));
    }
    // Checked once the whole line has parsed, so a syntax error is reported before a wrong field.
    if (!object) {
      throw CliException.input(where + ": expected a JSON object like {\"text\": \"...\"}");
    }
    return f.record(index++, where);
  }

  /** The value token and text of each field we use; a repeated field overwrites the earlier one. */
  static final class Fields {
    JsonToken text;
    JsonToken title;
    JsonToken id;
    String textValue;
    String titleValue;
    String idValue;

    /**
     * The record these fields make: a string "text", a string or null "title", a string or number
     * "id".
     */
    InputRecord record(long index, String where) {
      if (text != JsonToken.VALUE_STRING) {
        throw CliException.input(where + ": the object has no string field \"text\"");
      }
      if (title != null && title != JsonToken.VALUE_NULL && title != JsonToken.VALUE_STRING) {
        throw CliException.input(where + ": \"title\" must be a string");
      }
      InputRecord.Id recordId;
      if (id == null || id == JsonToken.VALUE_NULL) {
        recordId = null;
      } else if (id == JsonToken.VALUE_STRING) {
        recordId = InputRecord.Id.string(idValue);
      } else if (id.isNumeric()) {
        recordId = InputRecord.Id.number(idValue);
      } else {
        // Booleans are refused too: an id of true or false is a mistake, not a name.
        throw CliException.input(where + ": \"id\" must be a string or a number");
      }
      return new InputRecord(
          index, textValue, title == JsonToken.VALUE_STRING ? titleValue : null, recordId);
    }

    /** Reads the fields of the object whose START_OBJECT the parser is on, up to its END_OBJECT. */
    void read(JsonParser parser) throws IOException {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "text" -> {
            text = value;
            textValue = scalarText(parser);
          }
          case "title" -> {
            title = value;
            titleValue = scalarText(parser);
          }
          case "id" -> {
            id = value;
            idValue = scalarText(parser);
          }
          default -> {}
        }
        parser.skipChildren();
      }
    }

    /**
     * A scalar's text (for a number, its literal as written, which is what an id keeps), else null.
     */
    private static String scalarText(JsonParser parser) throws IOException {
      return parser.currentToken().isScalarValue() ? parser.getText() : null;
    }
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
