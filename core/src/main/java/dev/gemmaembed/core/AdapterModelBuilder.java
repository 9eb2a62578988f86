package dev.gemmaembed.core;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * What every framework adapter's builder takes (the model: an Embedder to share or a path to load;
 * the name to report; a default Matryoshka width; the query and document prompts) and how it opens
 * the model: the prompts and the width are checked against it once, at build, and a model the
 * builder loaded is closed again if anything fails. An adapter's builder extends it with its
 * framework's own options; core knows no framework.
 *
 * @param <B> the adapter's builder, which the setters return
 */
public abstract class AdapterModelBuilder<B extends AdapterModelBuilder<B>> {

  private Embedder embedder;
  private Path modelPath;
  private LoadOptions loadOptions = LoadOptions.defaults();
  private String modelName;
  private Integer dimensions;
  private String queryPrompt = "query";
  private String documentPrompt = "document";

  protected AdapterModelBuilder() {}

  /** An Embedder to share; the model's {@code close()} leaves it open. */
  public B embedder(Embedder embedder) {
    this.embedder = embedder;
    return self();
  }

  /** A model directory or GGUF file to load; the model's {@code close()} closes it. */
  public B modelPath(Path modelPath) {
    this.modelPath = modelPath;
    return self();
  }

  /** How {@link #modelPath} is loaded (default {@link LoadOptions#defaults()}). */
  public B loadOptions(LoadOptions loadOptions) {
    this.loadOptions = loadOptions;
    return self();
  }

  /** The name reported in responses (default: the model directory's or file's name). */
  public B modelName(String modelName) {
    this.modelName = modelName;
    return self();
  }

  /** Default Matryoshka width (null: the model's full width). */
  public B dimensions(Integer dimensions) {
    this.dimensions = dimensions;
    return self();
  }

  /** The prompt name for queries (default {@code query}; null for none). */
  public B queryPrompt(String promptName) {
    this.queryPrompt = promptName;
    return self();
  }

  /** The prompt name for documents (default {@code document}; null for none). */
  public B documentPrompt(String promptName) {
    this.documentPrompt = promptName;
    return self();
  }

  protected final Integer dimensions() {
    return dimensions;
  }

  protected final String queryPrompt() {
    return queryPrompt;
  }

  protected final String documentPrompt() {
    return documentPrompt;
  }

  /** {@link EmbedOptions} of a prompt name (null: no prompt). */
  public static EmbedOptions promptOptions(String promptName) {
    return promptName == null ? EmbedOptions.DEFAULT : EmbedOptions.prompt(promptName);
  }

  /**
   * Loads {@link #modelPath} or takes the shared {@link #embedder}, checks the prompts and the
   * width against it, and hands it to {@code create}, which may refuse the adapter's own options by
   * throwing; a model loaded here is closed again if anything throws.
   *
   * @throws InvalidOptionException for a prompt name the model lacks or more dimensions than it has
   * @throws IllegalStateException if neither or both of embedder and modelPath were given
   */
  protected final <M> M open(Function<AdapterModel, M> create) {
    if ((embedder == null) == (modelPath == null)) {
      throw new IllegalStateException("give exactly one of embedder(...) and modelPath(...)");
    }
    boolean owns = embedder == null;
    Embedder e = owns ? Embedder.load(modelPath, loadOptions) : embedder;
    AdapterModel model = new AdapterModel(e, owns, modelName);
    try {
      e.validate(promptOptions(queryPrompt).withDimensions(dimensions == null ? 0 : dimensions));
      e.validate(promptOptions(documentPrompt));
      return create.apply(model);
    } catch (RuntimeException ex) {
      model.close();
      throw ex;
    }
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
