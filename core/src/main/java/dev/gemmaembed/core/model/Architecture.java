package dev.gemmaembed.core.model;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The model architectures gemma-embed runs, chosen by the {@code model_type} of a model folder's
 * {@code config.json}. Each names its own loader; adding an architecture means adding a constant
 * and its classes.
 */
public enum Architecture {
  /** EmbeddingGemma (300M): transformers' Gemma3TextModel + sentence-transformers Dense head. */
  GEMMA3("embeddinggemma", "gemma3_text", HfModelLoader::loadGemma3, Architecture::describeGemma3),
  /** EmbeddingGemma 2 (Gemma 4 text, 270M): transformers' EmbeddingGemma2Model. */
  EMBEDDING_GEMMA2(
      "embeddinggemma2",
      "embedding_gemma2",
      Eg2ModelLoader::load,
      configJson -> Eg2ConfigReader.read(configJson).describe());

  /** Loads a model folder whose config.json names this architecture. */
  @FunctionalInterface
  interface FolderLoader {
    LoadedModel load(Path dir, Arena arena);
  }

  private final String displayName;
  private final String modelType;
  private final FolderLoader loader;
  private final Function<Path, List<String>> describer;

  Architecture(
      String displayName,
      String modelType,
      FolderLoader loader,
      Function<Path, List<String>> describer) {
    this.displayName = displayName;
    this.modelType = modelType;
    this.loader = loader;
    this.describer = describer;
  }

  /**
   * Lines describing the shapes a config.json of this architecture gives, layer by layer where they
   * differ.
   */
  public List<String> describe(Path configJson) {
    return describer.apply(configJson);
  }

  private static List<String> describeGemma3(Path configJson) {
    ModelConfig c = HfConfigReader.read(configJson);
    return List.of(
        String.format(
            "%d layers, hidden %d, intermediate %d, %d heads / %d kv heads × head_dim %d, "
                + "sliding radius %d, vocab %d",
            c.layers(),
            c.hidden(),
            c.intermediate(),
            c.heads(),
            c.kvHeads(),
            c.headDim(),
            c.slidingRadius(),
            c.vocabSize()));
  }

  /** The short name users see ({@code embeddinggemma}, {@code embeddinggemma2}). */
  public String displayName() {
    return displayName;
  }

  /** The top-level {@code model_type} of its config.json. */
  public String modelType() {
    return modelType;
  }

  LoadedModel load(Path dir, Arena arena) {
    return loader.load(dir, arena);
  }

  /** The architecture a config.json names, or a one-line error that lists the supported ones. */
  public static Architecture of(Path configJson) {
    JsonConfig c = JsonConfig.read(configJson);
    String type = c.optString("model_type", "");
    for (Architecture a : values()) {
      // Gemma 3 checkpoints also say "gemma3" (the multimodal wrapper's text config is read the
      // same way)
      if (a.modelType.equals(type) || (a == GEMMA3 && type.startsWith("gemma3"))) {
        return a;
      }
    }
    throw c.invalid(
        "model_type",
        "'"
            + type
            + "' is not a supported architecture (supported: "
            + Arrays.stream(values()).map(Architecture::modelType).collect(Collectors.joining(", "))
            + ")");
  }

  @Override
  public String toString() {
    return displayName;
  }
}
