package dev.gemmaembed.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Every text of the golden corpus: ids (with and without special tokens) and offsets. */
class GoldenCorpusTest {

  static String show(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .limit(120)
        .forEach(
            cp -> {
              if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) b.append(String.format("\\u%04x", cp));
              else b.appendCodePoint(cp);
            });
    return b.toString();
  }

  @Test
  void identicalIdsAndOffsetsOnWholeCorpus() {
    GemmaTokenizer tok = GemmaTokenizer.bundledGemma3();
    List<GoldenCorpus.Row> rows = GoldenCorpus.rows();
    List<String> mismatches = new ArrayList<>();
    int tokens = 0;
    for (GoldenCorpus.Row row : rows) {
      int[] ids = tok.encode(row.text(), false);
      int[] withSpecial = tok.encode(row.text(), true);
      Encoding enc = tok.encodeWithOffsets(row.text(), false);
      tokens += ids.length;
      if (!Arrays.equals(ids, row.ids())) {
        mismatches.add(
            row.id()
                + " ids: \""
                + show(row.text())
                + "\"\n  expected "
                + Arrays.toString(row.ids())
                + "\n  actual   "
                + Arrays.toString(ids));
      }
      if (!Arrays.equals(withSpecial, row.idsWithSpecial())) {
        mismatches.add(
            row.id()
                + " ids_with_special: expected "
                + Arrays.toString(row.idsWithSpecial())
                + " actual "
                + Arrays.toString(withSpecial));
      }
      if (!Arrays.equals(enc.ids(), row.ids())
          || !Arrays.deepEquals(enc.offsets(), row.offsets())) {
        mismatches.add(
            row.id()
                + " offsets: \""
                + show(row.text())
                + "\"\n  expected "
                + Arrays.deepToString(row.offsets())
                + "\n  actual   "
                + Arrays.deepToString(enc.offsets()));
      }
      if (row.text().indexOf('\u2581') < 0 && !tok.decode(ids).equals(row.text())) {
        mismatches.add(row.id() + " decode(encode(text)) != text");
      }
      // UTF-16 offsets select the same text as the code-point offsets
      for (int i = 0; i < enc.size(); i++) {
        int cs = row.text().offsetByCodePoints(0, enc.start(i));
        int ce = row.text().offsetByCodePoints(0, enc.end(i));
        if (cs != enc.utf16Start(i) || ce != enc.utf16End(i)) {
          mismatches.add(row.id() + " utf16 offsets differ at token " + i);
          break;
        }
      }
    }
    System.out.printf(
        "golden corpus: %d texts, %d tokens, %d mismatches%n",
        rows.size(), tokens, mismatches.size());
    mismatches.stream().limit(8).forEach(System.out::println);
    assertEquals(2206, rows.size());
    assertEquals(
        0,
        mismatches.size(),
        "first mismatches:\n"
            + String.join("\n", mismatches.subList(0, Math.min(8, mismatches.size()))));
  }

  @Test
  void concurrentEncodingGivesTheSameIds() throws Exception {
    // a fresh tokenizer (empty word cache) shared by three threads
    GemmaTokenizer tok =
        GemmaTokenizer.fromStreams(
            new java.io.ByteArrayInputStream(LoadingTest.bundledJson()), null);
    List<GoldenCorpus.Row> rows = GoldenCorpus.rows();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int offset = t * 700;
        results.add(
            pool.submit(
                () -> {
                  int bad = 0;
                  for (int i = 0; i < rows.size(); i++) {
                    GoldenCorpus.Row row = rows.get((i + offset) % rows.size());
                    if (!Arrays.equals(tok.encode(row.text(), false), row.ids())) bad++;
                  }
                  return bad;
                }));
      }
      for (Future<Integer> f : results) assertEquals(0, f.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
