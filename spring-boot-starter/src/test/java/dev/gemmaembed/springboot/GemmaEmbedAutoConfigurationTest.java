package dev.gemmaembed.springboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.springai.GemmaEmbeddingModel;
import dev.gemmaembed.testing.TinyModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
    classes = TestApp.class,
    properties = {"gemma-embed.dimensions=32", "gemma-embed.threads=1"})
class GemmaEmbedAutoConfigurationTest {

  private static final List<String> TEXTS =
      List.of(
          "Which planet is known as the Red Planet?",
          "Mars, known for its reddish appearance, is often referred to as the Red Planet.");

  @DynamicPropertySource
  static void model(DynamicPropertyRegistry registry) {
    TestApp.tinyModel(registry);
  }

  @Autowired EmbeddingModel model;

  @Test
  void embeddingModelMatchesTheLibraryBitwise() {
    assertInstanceOf(GemmaEmbeddingModel.class, model);
    assertEquals(32, model.dimensions());
    // an Embedder of its own, outside Spring: the context's must give the very same bits
    try (Embedder own = Embedder.load(TinyModel.dir())) {
      List<float[]> expected = own.embedAll(TEXTS, EmbedOptions.query().withDimensions(32));
      List<float[]> got = model.embed(TEXTS);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertArrayEquals(expected.get(i), got.get(i), "text " + i);
      }
      assertArrayEquals(
          own.embed(TEXTS.get(1), EmbedOptions.document("Mars").withDimensions(32)),
          model.embed(new Document(TEXTS.get(1), Map.of("title", "Mars"))));
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(GemmaEmbedAutoConfiguration.class));

  @Test
  void theContextClosesTheModel() {
    Embedder[] seen = new Embedder[1];
    runner
        .withPropertyValues("gemma-embed.model=" + TinyModel.dir())
        .run(
            context -> {
              seen[0] = context.getBean(Embedder.class);
              assertEquals(
                  seen[0].dimensions(),
                  context.getBean(EmbeddingModel.class).embed("hello").length);
            });
    IllegalStateException closed =
        assertThrows(IllegalStateException.class, () -> seen[0].embed("hello"));
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
  }

  @Test
  void badPropertiesFailStartupNamingTheProperty() {
    assertStartupFails(runner, "gemma-embed.model is not set");
    assertStartupFails(
        runner.withPropertyValues("gemma-embed.model=target/no-such-model"),
        "gemma-embed.model=target/no-such-model: ");
    String model = "gemma-embed.model=" + TinyModel.dir();
    assertStartupFails(
        runner.withPropertyValues(model, "gemma-embed.dimensions=100000"),
        "gemma-embed.dimensions: ");
    assertStartupFails(
        runner.withPropertyValues(model, "gemma-embed.prompt.document=nope"),
        "gemma-embed.prompt.");
  }

  private static void assertStartupFails(ApplicationContextRunner runner, String message) {
    runner.run(
        context -> {
          Throwable failure = context.getStartupFailure();
          assertTrue(failure != null, "startup should fail with " + message);
          Throwable t = failure;
          while (t.getCause() != null && !t.getMessage().contains(message)) {
            t = t.getCause();
          }
          assertTrue(
              t.getMessage().contains(message),
              "expected '" + message + "' in the failure chain of " + failure);
        });
  }
}
