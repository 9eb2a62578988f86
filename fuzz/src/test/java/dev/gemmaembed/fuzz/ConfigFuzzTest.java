package dev.gemmaembed.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.model.HfConfigReader;
import java.nio.file.Path;

/**
 * Any byte string as config.json: a {@link dev.gemmaembed.core.model.ModelConfig} the forward pass
 * can use ({@link UsableConfig}), or a {@link ConfigException}.
 */
class ConfigFuzzTest {

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void parse(byte[] data) {
    try {
      UsableConfig.check(HfConfigReader.parse(Path.of("config.json"), data));
    } catch (ConfigException expected) {
      // typed and named
    }
  }
}
