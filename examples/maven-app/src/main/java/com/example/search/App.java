package com.example.search;

import dev.gemmaembed.core.Embedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks a few documents for a query with gemma-embed: {@code java --add-modules
 * jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp ... com.example.search.App MODEL QUERY}.
 */
public final class App {

  static final List<String> DOCUMENTS = List.of(
      "Mars is often referred to as the Red Planet.",
      "Jupiter is the largest planet in our solar system.",
      "Knead the dough and let it rise for an hour.");

  /** A document and its cosine similarity to the query. */
  record Hit(String document, double score) {}

  private App() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: App MODEL QUERY...");
      System.exit(2);
    }
    try (Embedder embedder = Embedder.load(Path.of(args[0]))) {
      String query = String.join(" ", Arrays.asList(args).subList(1, args.length));
      for (Hit hit : rank(embedder, query, DOCUMENTS)) {
        System.out.printf("%.4f  %s%n", hit.score(), hit.document());
      }
    }
  }

  /** The documents, best first: query prompt for the query, document prompt for the documents. */
  static List<Hit> rank(Embedder embedder, String query, List<String> documents) {
    float[] q = embedder.embedQuery(query);
    List<Hit> hits = new ArrayList<>();
    for (String d : documents) {
      // the vectors are unit length, so the dot product is the cosine
      float[] v = embedder.embedDocument(d);
      double dot = 0;
      for (int i = 0; i < v.length; i++) {
        dot += q[i] * v[i];
      }
      hits.add(new Hit(d, dot));
    }
    hits.sort(Comparator.comparingDouble(Hit::score).reversed());
    return hits;
  }
}
