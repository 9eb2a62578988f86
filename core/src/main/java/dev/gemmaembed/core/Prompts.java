package dev.gemmaembed.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The model's task prompts: those of {@code config_sentence_transformers.json} (query, document,
 * STS, Clustering, … 14 for EmbeddingGemma) plus the model card's extra tasks that the config does
 * not list. Names match exactly first, then ignoring case, spaces, '-' and '_'.
 */
public final class Prompts {

  /**
   * EmbeddingGemma's 14 prompts as its config_sentence_transformers.json lists them (spec §3.6):
   * used where a checkpoint does not carry them (GGUF files) and by the synthetic writer.
   */
  public static final Map<String, String> EMBEDDING_GEMMA = embeddingGemma();

  /**
   * EmbeddingGemma 2's 20 prompts (its converter's _TASK_PROMPTS, written to
   * config_sentence_transformers.json; {@code Summarization} differs from EmbeddingGemma's): used
   * where a checkpoint does not carry them (GGUF files) and by the synthetic writer.
   */
  public static final Map<String, String> EMBEDDING_GEMMA2 = embeddingGemma2();

  /** Tasks documented in the EmbeddingGemma model card but absent from its config. */
  static final Map<String, String> MODEL_CARD_EXTRAS =
      Map.of(
          "QuestionAnswering", "task: question answering | query: ",
          "FactVerification", "task: fact checking | query: ",
          "CodeRetrieval", "task: code retrieval | query: ");

  private final Map<String, String> byName;

  public Prompts(Map<String, String> fromConfig) {
    Map<String, String> all = new LinkedHashMap<>(fromConfig);
    MODEL_CARD_EXTRAS.forEach(all::putIfAbsent);
    this.byName = Collections.unmodifiableMap(all);
  }

  /** Every prompt name → prefix. */
  public Map<String, String> all() {
    return byName;
  }

  /**
   * The prefix of prompt {@code name}; an {@link InvalidOptionException} listing the names if
   * unknown.
   */
  public String get(String name) {
    return find(name).orElseThrow(() -> unknown(name));
  }

  InvalidOptionException unknown(String name) {
    return new InvalidOptionException(
        InvalidOptionException.Option.PROMPT_NAME,
        "unknown prompt name '" + name + "'; the model has: " + String.join(", ", byName.keySet()));
  }

  /**
   * The prefix of prompt {@code name}, matched exactly, else ignoring case, spaces, '-' and '_'.
   */
  public Optional<String> find(String name) {
    String p = byName.get(name);
    if (p != null) {
      return Optional.of(p);
    }
    String key = canonical(name);
    for (Map.Entry<String, String> e : byName.entrySet()) {
      if (canonical(e.getKey()).equals(key)) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  /** The document prefix with a real title, as the model card prescribes. */
  public static String documentWithTitle(String title) {
    return "title: " + title + " | text: ";
  }

  private static Map<String, String> embeddingGemma() {
    String search = "task: search result | query: ";
    String doc = "title: none | text: ";
    Map<String, String> p = new LinkedHashMap<>();
    p.put("query", search);
    p.put("document", doc);
    p.put("BitextMining", search);
    p.put("Clustering", "task: clustering | query: ");
    p.put("Classification", "task: classification | query: ");
    p.put("InstructionRetrieval", "task: code retrieval | query: ");
    p.put("MultilabelClassification", "task: classification | query: ");
    p.put("PairClassification", "task: sentence similarity | query: ");
    p.put("Reranking", search);
    p.put("Retrieval", search);
    p.put("Retrieval-query", search);
    p.put("Retrieval-document", doc);
    p.put("STS", "task: sentence similarity | query: ");
    p.put("Summarization", "task: summarization | query: ");
    return Collections.unmodifiableMap(p);
  }

  private static Map<String, String> embeddingGemma2() {
    String search = "task: search result | query: ";
    String document = "title: none | text: ";
    String code = "task: code retrieval | query: ";
    String classification = "task: classification | query: ";
    String similarity = "task: sentence similarity | query: ";
    Map<String, String> p = new LinkedHashMap<>();
    p.put("query", search);
    p.put("document", document);
    p.put("BitextMining", search);
    p.put("CodeRetrieval", code);
    p.put("Clustering", "task: clustering | query: ");
    p.put("Classification", classification);
    p.put("Document", document);
    p.put("FactChecking", "task: fact checking | query: ");
    p.put("InstructionRetrieval", code);
    p.put("MultilabelClassification", classification);
    p.put("PairClassification", similarity);
    p.put("QuestionAnswering", "task: question answering | query: ");
    p.put("Reranking", search);
    p.put("Retrieval", search);
    p.put("Retrieval-query", search);
    p.put("Retrieval-document", document);
    p.put("SearchQuery", search);
    p.put("SentenceSimilarity", similarity);
    p.put("STS", similarity);
    p.put("Summarization", similarity);
    return Collections.unmodifiableMap(p);
  }

  private static String canonical(String name) {
    return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
  }
}
