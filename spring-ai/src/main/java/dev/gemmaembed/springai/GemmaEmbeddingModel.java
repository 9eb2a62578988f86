package dev.gemmaembed.springai;

import dev.gemmaembed.core.AdapterModel;
import dev.gemmaembed.core.AdapterModelBuilder;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.Truncation;
import java.util.ArrayList;
import java.util.List;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * A Spring AI {@link EmbeddingModel} running EmbeddingGemma in process on the gemma-embed core.
 *
 * <p>Which prompt a text gets:
 *
 * <ul>
 *   <li>Strings ({@link #call}, {@link #embed(String)}, {@link #embed(List)}) are queries: they get
 *       the {@linkplain Builder#queryPrompt query prompt} (default: the model's {@code query}).
 *       Spring AI's vector stores embed the search text this way.
 *   <li>{@link Document}s ({@link #embed(Document)}, and the batch call vector stores use to add
 *       documents) get the {@linkplain Builder#documentPrompt document prompt} (default: the
 *       model's {@code document}); with that default, a document whose metadata has a {@linkplain
 *       Builder#titleKey title} is embedded under its title ({@code title: {title} | text: }). Only
 *       the document's text is embedded, not its formatted metadata.
 * </ul>
 *
 * {@link EmbeddingOptions#getDimensions()} keeps that many Matryoshka dimensions (null: the
 * builder's default); a width the model lacks fails with core's {@link InvalidOptionException}. A
 * per-call model name other than this model's is refused.
 *
 * <p>Thread-safe: calls run concurrently on the shared {@link Embedder}, which batches each call's
 * texts by tokens (so a {@link BatchingStrategy} passed in is not needed and not used). {@link
 * #close()} closes the Embedder only if this model loaded it.
 */
public final class GemmaEmbeddingModel implements EmbeddingModel, AutoCloseable {

  private final AdapterModel model;
  private final Embedder embedder;
  private final String modelName;
  private final String queryPrompt;
  private final String documentPrompt;
  private final String titleKey;
  private final int dimensions;

  private GemmaEmbeddingModel(
      AdapterModel model,
      String queryPrompt,
      String documentPrompt,
      String titleKey,
      Integer dimensions) {
    this.model = model;
    this.embedder = model.embedder();
    this.modelName = model.name();
    this.queryPrompt = queryPrompt;
    this.documentPrompt = documentPrompt;
    this.titleKey = titleKey;
    this.dimensions = dimensions == null ? 0 : dimensions;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Embeds the request's texts as queries, in one batched call of the Embedder. */
  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    int dims = dimensions(request.getOptions());
    return response(
        embedder.embedAll(request.getInstructions(), prompt(queryPrompt).withDimensions(dims)));
  }

  @Override
  public float[] embed(Document document) {
    return embedDocuments(List.of(document), dimensions).getResults().getFirst().getOutput();
  }

  @Override
  public List<float[]> embed(
      List<Document> documents, EmbeddingOptions options, BatchingStrategy batchingStrategy) {
    List<float[]> out = new ArrayList<>(documents.size());
    for (Embedding e : embedDocuments(documents, dimensions(options)).getResults()) {
      out.add(e.getOutput());
    }
    return out;
  }

  /**
   * Each document under the document prompt, or under its own title; prepared one by one, embedded
   * in one batched call.
   */
  private EmbeddingResponse embedDocuments(List<Document> documents, int dims) {
    EmbedOptions untitled = prompt(documentPrompt).withDimensions(dims);
    embedder.validate(untitled);
    List<int[]> ids = new ArrayList<>(documents.size());
    for (Document d : documents) {
      if (d.getText() == null) {
        throw new InvalidInputException(
            "document " + d.getId() + " has no text (gemma-embed embeds text only)");
      }
      ids.add(embedder.prepare(d.getText(), options(d, untitled), Truncation.CUT).ids());
    }
    return response(embedder.embedTokenIds(ids, dims));
  }

  private EmbedOptions options(Document document, EmbedOptions untitled) {
    Object title =
        titleKey == null || !"document".equals(documentPrompt)
            ? null
            : document.getMetadata().get(titleKey);
    return title == null
        ? untitled
        : EmbedOptions.document(title.toString()).withDimensions(untitled.dimensions());
  }

  private EmbeddingResponse response(List<float[]> vectors) {
    List<Embedding> embeddings = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      embeddings.add(new Embedding(vectors.get(i), i));
    }
    return new EmbeddingResponse(embeddings, new EmbeddingResponseMetadata(modelName, null));
  }

  private int dimensions(EmbeddingOptions options) {
    if (options == null) {
      return dimensions;
    }
    if (options.getModel() != null && !options.getModel().equals(modelName)) {
      throw new InvalidInputException(
          "this EmbeddingModel serves " + modelName + ", not " + options.getModel());
    }
    return options.getDimensions() == null ? dimensions : options.getDimensions();
  }

  private static EmbedOptions prompt(String name) {
    return AdapterModelBuilder.promptOptions(name);
  }

  /** The width of the vectors a call without per-call dimensions returns. */
  @Override
  public int dimensions() {
    return dimensions == 0 ? embedder.dimensions() : dimensions;
  }

  public String modelName() {
    return modelName;
  }

  /** The Embedder behind this model, for calls Spring AI has no words for (other prompts). */
  public Embedder embedder() {
    return embedder;
  }

  @Override
  public void close() {
    model.close();
  }

  /**
   * Options for {@link GemmaEmbeddingModel}: give {@link #embedder} or {@link #modelPath}; the
   * other options shared with every adapter are {@link AdapterModelBuilder}'s (here a {@link
   * #dimensions} of 0 also means the full width). The query prompt serves strings, the document
   * prompt documents.
   */
  public static final class Builder extends AdapterModelBuilder<Builder> {
    private String titleKey = "title";

    private Builder() {}

    /**
     * The metadata key holding a document's title (default {@code title}; null to ignore titles).
     */
    public Builder titleKey(String titleKey) {
      this.titleKey = titleKey;
      return this;
    }

    /**
     * Loads the model if a path was given and checks the prompts and dimensions against it.
     *
     * @throws InvalidOptionException for a prompt name the model lacks or more dimensions than it
     *     has
     * @throws IllegalStateException if neither or both of embedder and modelPath were given
     */
    public GemmaEmbeddingModel build() {
      return open(
          model ->
              new GemmaEmbeddingModel(
                  model, queryPrompt(), documentPrompt(), titleKey, dimensions()));
    }
  }
}
