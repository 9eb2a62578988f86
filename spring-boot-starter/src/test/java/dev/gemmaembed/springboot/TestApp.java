package dev.gemmaembed.springboot;

import dev.gemmaembed.testing.TinyModel;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The application the context tests start: nothing but auto-configuration. */
@SpringBootApplication
class TestApp {

  /** Points {@code gemma-embed.model} at the tiny synthetic model, written on first use. */
  static void tinyModel(DynamicPropertyRegistry registry) {
    registry.add("gemma-embed.model", () -> TinyModel.dir().toString());
  }
}
