package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;

/**
 * A {@code .json} file holding one array whose elements are strings (the texts) or objects as in
 * JSON Lines ({@code text}, optional {@code title} and {@code id}); the two may be mixed. The array
 * is read element by element with Jackson's streaming parser, so its size does not matter. Anything
 * else (an object, a number, an element that is neither) is an input error naming the line and
 * column.
 */
final class JsonArraySource implements TextSource {

  private static final JsonFactory JSON = new JsonFactory();
  private static final String EXPECTED =
      "expected a JSON array of strings or of objects like {\"text\": \"...\"}";

  private final JsonParser parser;
  private final CountingInputStream counter;
  private final String name;
  private boolean started;
  private boolean finished;
  private long index;

  JsonArraySource(Reader reader, CountingInputStream counter, String name) throws IOException {
    this.parser = JSON.createParser(reader);
    this.counter = counter;
    this.name = name;
  }

  @Override
  public InputRecord next() throws IOException {
    if (finished) {
      return null;
    }
    try {
      if (!started) {
        started = true;
        JsonToken first = parser.nextToken();
        if (first == null) {
          // An empty file is an empty input, as an empty .txt or .jsonl is.
          finished = true;
          return null;
        }
        if (first != JsonToken.START_ARRAY) {
          throw CliException.input(
              where()
                  + ": "
                  + EXPECTED
                  + ", found "
                  + kind(first)
                  + (first == JsonToken.START_OBJECT
                      ? " (one object per line is JSON Lines: name the file .jsonl)"
                      : ""));
        }
      }
      JsonToken token = parser.nextToken();
      if (token == JsonToken.END_ARRAY) {
        finished = true;
        if (parser.nextToken() != null) {
          throw CliException.input(where() + ": not valid JSON: more content after the array");
        }
        return null;
      }
      String where = where();
      if (token == JsonToken.VALUE_STRING) {
        return new InputRecord(index++, parser.getText(), null, null);
      }
      if (token == JsonToken.START_OBJECT) {
        JsonlSource.Fields f = new JsonlSource.Fields();
        f.read(parser);
        return f.record(index++, where);
      }
      throw CliException.input(
          where + ": element " + index + " is " + kind(token) + "; " + EXPECTED);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw CliException.input(
          name
              + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
              + ": not valid JSON: "
              + ErrorHandler.oneLine(e.getOriginalMessage()));
    }
  }

  private String where() {
    JsonLocation at = parser.currentTokenLocation();
    return name + ":" + at.getLineNr() + ":" + at.getColumnNr();
  }

  private static String kind(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> String.valueOf(token);
    };
  }

  @Override
  public long bytesRead() {
    return counter == null ? -1 : counter.count();
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
