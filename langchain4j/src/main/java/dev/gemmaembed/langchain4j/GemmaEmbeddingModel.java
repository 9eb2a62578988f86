package dev.gemmaembed.langchain4j;

import dev.gemmaembed.core.AdapterModel;
import dev.gemmaembed.core.AdapterModelBuilder;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.Truncation;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A LangChain4j {@link EmbeddingModel} running EmbeddingGemma in process on the gemma-embed core.
 *
 * <p>Per-call parameters (LangChain4j 1.18+ {@link EmbeddingRequest}) and builder defaults:
 *
 * <ul>
 *   <li>{@code dimensions} — Matryoshka truncation to the first k dimensions, renormalised;
 *   <li>{@code inputType} — {@link EmbeddingInputType#QUERY} embeds with the model's {@code query}
 *       prompt, {@link EmbeddingInputType#DOCUMENT} with its {@code document} prompt (both
 *       configurable: any of the model's prompt names); without an input type the {@linkplain
 *       Builder#defaultPrompt default prompt} applies (none unless set).
 * </ul>
 *
 * A per-call model name is refused (one instance serves one model).
 *
 * <p>Thread-safe without a global lock: concurrent calls run concurrently on the shared Embedder.
 * {@link #embedAll} embeds a whole list in one call, which packs the texts into forward passes.
 * {@link #close()} closes the Embedder only if this model loaded it.
 *
 * <pre>{@code
 * GemmaEmbeddingModel model = GemmaEmbeddingModel.builder()
 *     .modelPath(Path.of("models/embeddinggemma-300m"))
 *     .dimensions(256)
 *     .build();
 * Embedding q = model.embed(EmbeddingRequest.builder().input("how do I bake bread")
 *     .inputType(EmbeddingInputType.QUERY).build()).embeddings().getFirst();
 * }</pre>
 */
public final class GemmaEmbeddingModel implements EmbeddingModel, AutoCloseable {

  private static final Set<EmbeddingParameter<?>> SUPPORTED =
      Set.of(EmbeddingRequestParameters.DIMENSIONS, EmbeddingRequestParameters.INPUT_TYPE);

  private final AdapterModel model;
  private final Embedder embedder;
  private final String queryPrompt;
  private final String documentPrompt;
  private final String defaultPrompt;
  private final EmbeddingRequestParameters defaults;

  private GemmaEmbeddingModel(
      AdapterModel model,
      String queryPrompt,
      String documentPrompt,
      String defaultPrompt,
      EmbeddingRequestParameters defaults) {
    this.model = model;
    this.embedder = model.embedder();
    this.queryPrompt = queryPrompt;
    this.documentPrompt = documentPrompt;
    this.defaultPrompt = defaultPrompt;
    this.defaults = defaults;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    EmbeddingRequestParameters p = request.parameters() == null ? defaults : request.parameters();
    EmbedOptions options =
        options(p.inputType()).withDimensions(p.dimensions() == null ? 0 : p.dimensions());
    embedder.validate(options);
    List<int[]> ids = new ArrayList<>(request.inputs().size());
    int tokens = 0;
    for (EmbeddingInput input : request.inputs()) {
      int[] t = embedder.prepare(input.text(), options, Truncation.CUT).ids();
      ids.add(t);
      tokens += t.length;
    }
    List<float[]> vectors = embedder.embedTokenIds(ids, options.dimensions());
    List<Embedding> embeddings = new ArrayList<>(vectors.size());
    for (float[] v : vectors) {
      embeddings.add(Embedding.from(v));
    }
    return EmbeddingResponse.builder()
        .embeddings(embeddings)
        .metadata(
            EmbeddingResponseMetadata.builder()
                .modelName(model.name())
                .tokenUsage(new TokenUsage(tokens))
                .build())
        .build();
  }

  private EmbedOptions options(EmbeddingInputType type) {
    String prompt =
        type == null
            ? defaultPrompt
            : switch (type) {
              case QUERY -> queryPrompt;
              case DOCUMENT -> documentPrompt;
            };
    return AdapterModelBuilder.promptOptions(prompt);
  }

  @Override
  public EmbeddingRequestParameters defaultRequestParameters() {
    return defaults;
  }

  @Override
  public Set<EmbeddingParameter<?>> supportedParameters() {
    return SUPPORTED;
  }

  /** The width of the embeddings a call without a per-call {@code dimensions} returns. */
  @Override
  public int dimension() {
    return defaults.dimensions() != null ? defaults.dimensions() : embedder.dimensions();
  }

  @Override
  public String modelName() {
    return model.name();
  }

  /**
   * The Embedder behind this model, for calls LangChain4j has no words for (titles, other prompts).
   */
  public Embedder embedder() {
    return embedder;
  }

  @Override
  public void close() {
    model.close();
  }

  /**
   * Options for {@link GemmaEmbeddingModel}: give {@link #embedder} or {@link #modelPath}; the
   * other options shared with every adapter are {@link AdapterModelBuilder}'s.
   */
  public static final class Builder extends AdapterModelBuilder<Builder> {
    private EmbeddingInputType inputType;
    private String defaultPrompt;

    private Builder() {}

    /** Default input type for calls that give none (null: {@link #defaultPrompt}). */
    public Builder inputType(EmbeddingInputType inputType) {
      this.inputType = inputType;
      return this;
    }

    /**
     * The prompt for inputs without an input type, e.g. {@code STS} or {@code Clustering} (default:
     * none).
     */
    public Builder defaultPrompt(String promptName) {
      this.defaultPrompt = promptName;
      return this;
    }

    /**
     * Loads the model if a path was given and checks the options against it. The query prompt
     * serves {@link EmbeddingInputType#QUERY} inputs, the document prompt {@link
     * EmbeddingInputType#DOCUMENT} ones.
     *
     * @throws InvalidInputException for an unknown prompt name or dimensions outside 1..width
     * @throws IllegalStateException if neither or both of embedder and modelPath were given
     */
    public GemmaEmbeddingModel build() {
      return open(
          model -> {
            model.embedder().validate(promptOptions(defaultPrompt));
            // a LangChain4j width: the full width is spelt null here, not core's 0
            if (dimensions() != null && dimensions() == 0) {
              throw new InvalidInputException(
                  "dimensions must be at least 1 (leave it unset for the full width)");
            }
            return new GemmaEmbeddingModel(
                model,
                queryPrompt(),
                documentPrompt(),
                defaultPrompt,
                EmbeddingRequestParameters.builder()
                    .dimensions(dimensions())
                    .inputType(inputType)
                    .build());
          });
    }
  }
}
