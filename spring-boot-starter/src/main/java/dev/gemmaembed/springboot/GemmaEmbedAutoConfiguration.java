package dev.gemmaembed.springboot;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.GemmaEmbedException;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.springai.GemmaEmbeddingModel;
import java.nio.file.Path;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Loads the model named by {@code gemma-embed.model} as an {@link Embedder} bean, closed with the
 * context, and offers it to Spring AI as a {@link GemmaEmbeddingModel}. A missing or unreadable
 * model, or a prompt or width the model lacks, fails startup with the property's name.
 */
@AutoConfiguration
@EnableConfigurationProperties(GemmaEmbedProperties.class)
public class GemmaEmbedAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Embedder gemmaEmbedder(GemmaEmbedProperties properties) {
    String model = properties.getModel();
    if (model == null || model.isBlank()) {
      throw new IllegalStateException(
          "gemma-embed.model is not set: give the path of an EmbeddingGemma model "
              + "directory or GGUF file");
    }
    LoadOptions options =
        properties.getThreads() == null
            ? LoadOptions.defaults()
            : LoadOptions.defaults().withThreads(properties.getThreads());
    try {
      return Embedder.load(Path.of(model), options);
    } catch (GemmaEmbedException e) {
      throw new IllegalStateException("gemma-embed.model=" + model + ": " + e.getMessage(), e);
    }
  }

  @Bean
  @ConditionalOnMissingBean(EmbeddingModel.class)
  public GemmaEmbeddingModel gemmaEmbeddingModel(
      Embedder embedder, GemmaEmbedProperties properties) {
    GemmaEmbedProperties.Prompt prompt = properties.getPrompt();
    try {
      return GemmaEmbeddingModel.builder()
          .embedder(embedder)
          .dimensions(properties.getDimensions())
          .queryPrompt(emptyToNull(prompt.getQuery()))
          .documentPrompt(emptyToNull(prompt.getDocument()))
          .titleKey(emptyToNull(prompt.getTitleKey()))
          .build();
    } catch (InvalidOptionException e) {
      String property =
          e.option() == InvalidOptionException.Option.DIMENSIONS
              ? "gemma-embed.dimensions"
              : "gemma-embed.prompt.query or gemma-embed.prompt.document";
      throw new IllegalStateException(property + ": " + e.getMessage(), e);
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
