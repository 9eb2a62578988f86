package dev.gemmaembed.springboot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code gemma-embed.*} properties: which model to load, how wide its vectors are and which
 * prompts strings and documents get. An empty prompt property means no prompt.
 */
@ConfigurationProperties(prefix = "gemma-embed")
public class GemmaEmbedProperties {

  /** A Hugging Face EmbeddingGemma model directory or a GGUF file. */
  private String model;

  /** Default Matryoshka width of the vectors (unset: the model's full width). */
  private Integer dimensions;

  /** Compute threads (unset: the library's default). */
  private Integer threads;

  private final Prompt prompt = new Prompt();

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

  public Integer getDimensions() {
    return dimensions;
  }

  public void setDimensions(Integer dimensions) {
    this.dimensions = dimensions;
  }

  public Integer getThreads() {
    return threads;
  }

  public void setThreads(Integer threads) {
    this.threads = threads;
  }

  public Prompt getPrompt() {
    return prompt;
  }

  /** {@code gemma-embed.prompt.*}: prompt names of the model. */
  public static class Prompt {

    /** The prompt of strings (search queries). */
    private String query = "query";

    /** The prompt of Spring AI documents. */
    private String document = "document";

    /**
     * The document metadata key whose value is the document's title (empty: titles are ignored).
     */
    private String titleKey = "title";

    public String getQuery() {
      return query;
    }

    public void setQuery(String query) {
      this.query = query;
    }

    public String getDocument() {
      return document;
    }

    public void setDocument(String document) {
      this.document = document;
    }

    public String getTitleKey() {
      return titleKey;
    }

    public void setTitleKey(String titleKey) {
      this.titleKey = titleKey;
    }
  }
}
