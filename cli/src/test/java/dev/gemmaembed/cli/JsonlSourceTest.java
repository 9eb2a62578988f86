package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * JSONL input read with the streaming parser, and its ids written back by the sinks as they were.
 */
class JsonlSourceTest {

  private static List<InputRecord> read(String jsonl) throws IOException {
    List<InputRecord> records = new ArrayList<>();
    try (var source =
        new JsonlSource(
            new LineReader(new StringReader(jsonl), JsonlSource.MAX_LINE_CHARS),
            null,
            "in.jsonl")) {
      for (InputRecord r; (r = source.next()) != null; ) {
        records.add(r);
      }
    }
    return records;
  }

  private static String error(String jsonl) {
    return assertThrows(CliException.class, () -> read(jsonl)).getMessage();
  }

  private static final String IDS =
      """
      {"id": "a-1", "text": "one"}
      {"id": 7, "text": "two"}
      {"id": 123456789012345678901234567890, "text": "three"}
      {"id": 1.50, "text": "four"}
      {"id": -2.5E-3, "text": "five"}
      {"id": null, "text": "six"}
      {"text": "seven"}
      """;

  @Test
  void idsKeepTheirTypeAndNumbersTheirLiteral() throws IOException {
    List<InputRecord> records = read(IDS);
    assertEquals(InputRecord.Id.string("a-1"), records.get(0).id());
    assertEquals(InputRecord.Id.number("7"), records.get(1).id());
    assertEquals(InputRecord.Id.number("123456789012345678901234567890"), records.get(2).id());
    assertEquals(InputRecord.Id.number("1.50"), records.get(3).id());
    assertEquals(InputRecord.Id.number("-2.5E-3"), records.get(4).id());
    assertNull(records.get(5).id());
    assertNull(records.get(6).id());
  }

  @Test
  void jsonAndCsvSinksWriteIdsAsTheyAppeared() throws IOException {
    List<InputRecord> records = read(IDS);
    StringWriter json = new StringWriter();
    StringWriter csv = new StringWriter();
    JsonSink jsonSink = new JsonSink(json, false);
    CsvSink csvSink = new CsvSink(csv, 1, true);
    for (InputRecord r : records) {
      jsonSink.write(r, new float[] {0.5f});
      csvSink.write(r, new float[] {0.5f});
    }
    jsonSink.finish();
    csvSink.finish();
    assertEquals(
        """
        {"index":0,"id":"a-1","embedding":[0.5]}
        {"index":1,"id":7,"embedding":[0.5]}
        {"index":2,"id":123456789012345678901234567890,"embedding":[0.5]}
        {"index":3,"id":1.50,"embedding":[0.5]}
        {"index":4,"id":-2.5E-3,"embedding":[0.5]}
        {"index":5,"embedding":[0.5]}
        {"index":6,"embedding":[0.5]}
        """,
        json.toString());
    assertEquals(
        """
        index,id,d0
        0,a-1,0.5
        1,7,0.5
        2,123456789012345678901234567890,0.5
        3,1.50,0.5
        4,-2.5E-3,0.5
        5,,0.5
        6,,0.5
        """,
        csv.toString());
  }

  @Test
  void otherFieldsOfAnyTypeAreIgnoredAndTitlesRead() throws IOException {
    List<InputRecord> records =
        read(
            """
        {"ids": [1, [2, {"text": 3}]], "meta": {"text": 5, "id": [true]}, "ok": false, "n": null, "text": "a", "title": "T"}
        {"text": "b", "title": null, "score": 1e400}
        """);
    assertEquals(2, records.size());
    assertEquals(new InputRecord(0, "a", "T", null), records.get(0));
    assertEquals(new InputRecord(1, "b", null, null), records.get(1));
  }

  @Test
  void aRepeatedFieldCountsWithItsLastValue() throws IOException {
    assertEquals(
        new InputRecord(0, "second", "t2", InputRecord.Id.number("2")),
        read("{\"text\": \"first\", \"id\": \"x\", \"title\": \"t1\", \"text\": \"second\", \"id\": 2, \"title\": \"t2\"}")
            .getFirst());
    assertEquals(
        new InputRecord(0, "a", null, null),
        read("{\"text\": \"a\", \"id\": [1], \"id\": null}").getFirst());
    assertEquals(
        "in.jsonl:1: the object has no string field \"text\"",
        error("{\"text\": \"a\", \"text\": 5}"));
  }

  @Test
  void blankLinesAreSkippedButNotCountedAsIndexes() throws IOException {
    List<InputRecord> records = read("\n{\"text\": \"a\"}\n   \n{\"text\": \"b\"}\n");
    assertEquals(
        List.of(new InputRecord(0, "a", null, null), new InputRecord(1, "b", null, null)), records);
  }

  @Test
  void errorsNameTheLineAndWhatIsWrong() {
    assertEquals(
        "in.jsonl:2: not valid JSON: more content after the value, at column 15; a line holds one object",
        error("{\"text\": \"a\"}\n{\"text\": \"b\"} {\"text\": \"c\"}\n"));
    assertEquals(
        "in.jsonl:1: not valid JSON: more content after the value, at column 6; a line holds one object",
        error("[1]  2"));
    assertEquals(
        "in.jsonl:1: expected a JSON object like {\"text\": \"...\"}",
        error("[{\"text\": \"a\"}]"));
    assertEquals("in.jsonl:1: expected a JSON object like {\"text\": \"...\"}", error("\"text\""));
    assertEquals(
        "in.jsonl:1: the object has no string field \"text\"", error("{\"title\": \"a\"}"));
    assertEquals(
        "in.jsonl:1: the object has no string field \"text\"", error("{\"text\": {\"s\": \"a\"}}"));
    assertEquals(
        "in.jsonl:1: \"title\" must be a string", error("{\"text\": \"a\", \"title\": 3}"));
    for (String id : List.of("true", "false", "[1]", "{\"n\": 1}")) {
      assertEquals(
          "in.jsonl:1: \"id\" must be a string or a number",
          error("{\"text\": \"a\", \"id\": " + id + "}"),
          id);
    }
  }

  @Test
  void syntaxErrorsComeFirstWithJacksonsReason() {
    String unclosed = error("{\"text\": \"a\"");
    assertTrue(
        unclosed.startsWith("in.jsonl:1: not valid JSON: Unexpected end-of-input"), unclosed);
    // The wrong "title" comes before the syntax error on the line, which is still what is reported.
    String garbage = error("{\"text\": \"a\", \"title\": 3} x");
    assertTrue(garbage.startsWith("in.jsonl:1: not valid JSON: Unrecognized token 'x'"), garbage);
    assertEquals(1, garbage.lines().count());
  }
}
