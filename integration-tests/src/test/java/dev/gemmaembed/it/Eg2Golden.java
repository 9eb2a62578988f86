package dev.gemmaembed.it;

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

/**
 * The EmbeddingGemma 2 golden cases copied from shared/golden (eg2-tiny and other shapes; gzipped
 * test resources).
 */
final class Eg2Golden {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One case: {@code text} with {@code promptName} (null for none) became {@code input} (prompt +
   * text, stripped), tokenized as {@code ids}; {@code embedding} is the float64 reference and
   * {@code matryoshka} its 512/256/128 prefixes renormalised.
   */
  record Case(
      int index,
      String text,
      String promptName,
      String input,
      int[] ids,
      float[] embedding,
      float[][] matryoshka) {}

  static final int[] MATRYOSHKA = {512, 256, 128};

  private Eg2Golden() {}

  static List<Case> cases(String resource) {
    List<Case> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : lines(resource)) {
      JsonNode m = n.get("matryoshka");
      float[][] prefixes = new float[MATRYOSHKA.length][];
      for (int k = 0; k < MATRYOSHKA.length; k++) {
        prefixes[k] = m == null ? null : Golden.floats(m.get(Integer.toString(MATRYOSHKA[k])));
      }
      JsonNode prompt = n.get("prompt_name");
      out.add(
          new Case(
              i++,
              n.path("text").asText(null),
              prompt == null || prompt.isNull() ? null : prompt.asText(),
              n.path("input").asText(null),
              Golden.ints(n.get("input_ids")),
              Golden.floats(n.get("embedding")),
              prefixes));
    }
    return out;
  }

  static List<JsonNode> lines(String resource) {
    List<JsonNode> out = new ArrayList<>();
    try (var r =
        new BufferedReader(
            new InputStreamReader(new GZIPInputStream(open(resource)), StandardCharsets.UTF_8))) {
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
    try (var gz = new GZIPInputStream(open(resource))) {
      return JSON.readTree(gz);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String resource) {
    InputStream in = Eg2Golden.class.getResourceAsStream("/golden/" + resource + ".gz");
    if (in == null) {
      throw new IllegalStateException("missing test resource /golden/" + resource + ".gz");
    }
    return in;
  }
}
