package dev.gemmaembed.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.model.Eg2Config;
import dev.gemmaembed.core.model.Eg2ConfigReader;
import java.nio.file.Path;

/**
 * Any byte string as an EmbeddingGemma 2 config.json: an {@link Eg2Config} whose per-layer arrays
 * cover every layer, or a {@link ConfigException}.
 */
class Eg2ConfigFuzzTest {

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void parse(byte[] data) {
    Eg2Config c;
    try {
      c = Eg2ConfigReader.parse(Path.of("config.json"), data);
    } catch (ConfigException expected) {
      return; // typed and named
    }
    if (c.headDim().length != c.layers()
        || c.kvHeads().length != c.layers()
        || c.fullAttention().length != c.layers()
        || !c.fullAttention()[c.layers() - 1]
        || c.radius() <= 0) {
      throw new AssertionError("inconsistent config accepted: " + c);
    }
    for (int l = 0; l < c.layers(); l++) {
      if (c.headDim()[l] % 2 != 0 || c.heads() % c.kvHeads()[l] != 0) {
        throw new AssertionError(
            "layer " + l + " accepted with head_dim " + c.headDim()[l] + ", kv " + c.kvHeads()[l]);
      }
      c.rope(l).inverseFrequencies(c.headDim()[l]);
    }
  }
}
