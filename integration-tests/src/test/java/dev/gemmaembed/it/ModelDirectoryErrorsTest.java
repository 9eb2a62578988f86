package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.GemmaEmbedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * A damaged model directory fails at load time with a typed error naming the file and the problem.
 */
class ModelDirectoryErrorsTest {

  private static String failure(Class<? extends GemmaEmbedException> type, Path dir) {
    GemmaEmbedException e = assertThrows(type, () -> Embedder.load(dir).close());
    return e.getMessage();
  }

  @Test
  void missingDenseWeights() throws IOException {
    Path dir = TestModels.tinyCopy("no-dense");
    Files.delete(dir.resolve("3_Dense/model.safetensors"));
    String msg = failure(ConfigException.class, dir);
    assertTrue(msg.contains("3_Dense") && msg.contains("Dense weights not found"), msg);
  }

  @Test
  void missingModulesJson() throws IOException {
    Path dir = TestModels.tinyCopy("no-modules");
    Files.delete(dir.resolve("modules.json"));
    assertTrue(failure(ConfigException.class, dir).contains("modules.json"));
  }

  @Test
  void missingConfigKey() throws IOException {
    Path dir =
        TestModels.tinyWithConfig("no-eps", c -> c.replaceAll("\"rms_norm_eps\" : [^,]+,", ""));
    String msg = failure(ConfigException.class, dir);
    assertTrue(msg.contains("missing key 'rms_norm_eps'") && msg.contains("config.json"), msg);
  }

  @Test
  void shapeThatContradictsTheConfig() throws IOException {
    Path dir =
        TestModels.tinyWithConfig(
            "wrong-ffn",
            c -> c.replace("\"intermediate_size\" : 128", "\"intermediate_size\" : 96"));
    String msg = failure(CheckpointException.class, dir);
    assertTrue(msg.contains("layers.0.mlp.gate_proj.weight") && msg.contains("[128, 64]"), msg);
  }

  @Test
  void truncatedWeights() throws IOException {
    Path dir = TestModels.tinyCopy("truncated");
    Path weights = dir.resolve("model.safetensors");
    Path real = Files.readSymbolicLink(weights);
    Files.delete(weights);
    Files.copy(real, weights);
    try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    String msg = failure(CheckpointException.class, dir);
    assertTrue(msg.contains("model.safetensors") && msg.contains("past the data section"), msg);
  }

  @Test
  void notAModelDirectory() {
    assertTrue(
        failure(ConfigException.class, Path.of("target", "no-such-model"))
            .contains("no such model"));
  }
}
