package dev.gemmaembed.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The golden corpus (test resource golden/public.jsonl.gz): texts with Hugging Face's ids. */
final class GoldenCorpus {
  record Row(String id, String text, int[] ids, int[] idsWithSpecial, int[][] offsets) {}

  private static List<Row> rows;

  static synchronized List<Row> rows() {
    if (rows == null) rows = load();
    return rows;
  }

  private static int[] ints(JsonNode n) {
    int[] a = new int[n.size()];
    for (int i = 0; i < a.length; i++) a[i] = n.get(i).asInt();
    return a;
  }

  private static List<Row> load() {
    ObjectMapper m = new ObjectMapper();
    List<Row> out = new ArrayList<>();
    try (InputStream in = GoldenCorpus.class.getResourceAsStream("/golden/public.jsonl.gz");
        BufferedReader r =
            new BufferedReader(
                new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode n = m.readTree(line);
        JsonNode off = n.get("offsets");
        int[][] offsets = new int[off.size()][];
        for (int i = 0; i < offsets.length; i++) offsets[i] = ints(off.get(i));
        out.add(
            new Row(
                n.get("id").asText(),
                n.get("text").asText(),
                ints(n.get("ids")),
                ints(n.get("ids_with_special")),
                offsets));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private GoldenCorpus() {}
}
