package dev.gemmaembed.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads the golden files copied from shared/golden (gzipped test resources). */
final class Golden {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One golden text: its ids (with bos/eos) and a reference vector. */
  record Case(int index, String text, int[] ids, float[] expected) {}

  private Golden() {}

  static List<JsonNode> lines(String resource) {
    return linesAt("/golden/tiny/" + resource + ".gz");
  }

  /** The JSON lines of the gzipped test resource at {@code path}. */
  static List<JsonNode> linesAt(String path) {
    var in = Golden.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + path);
    }
    List<JsonNode> out = new ArrayList<>();
    try (var r =
        new BufferedReader(
            new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static JsonNode json(String resource) {
    return jsonAt("/golden/tiny/" + resource + ".gz");
  }

  /** The gzipped JSON test resource at {@code path}. */
  static JsonNode jsonAt(String path) {
    var in = Golden.class.getResourceAsStream(path);
    try (var gz = new GZIPInputStream(in)) {
      return JSON.readTree(gz);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The cases of a golden file with the vector of field {@code field}. */
  static List<Case> cases(String resource, String field) {
    List<Case> out = new ArrayList<>();
    for (JsonNode n : lines(resource)) {
      out.add(
          new Case(
              n.get("idx").asInt(),
              n.get("text").asText(),
              ints(n.get("ids")),
              floats(n.get(field))));
    }
    return out;
  }

  static int[] ints(JsonNode a) {
    int[] v = new int[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.get(i).asInt();
    }
    return v;
  }

  static float[] floats(JsonNode a) {
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) a.get(i).asDouble();
    }
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }
}
