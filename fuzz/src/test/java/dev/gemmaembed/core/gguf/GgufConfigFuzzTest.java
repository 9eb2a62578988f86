package dev.gemmaembed.core.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.fuzz.UsableConfig;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Any byte string as a GGUF file, read up to the encoder config from its {@code gemma-embedding.*}
 * metadata: a config the forward pass can use, or a typed error. (Lives in the gguf package to
 * reach the package-private metadata reader.)
 */
class GgufConfigFuzzTest {

  private static final Path NAME = Path.of("fuzz.gguf");

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void config(byte[] data) {
    try {
      GgufFile gguf = GgufFile.parse(NAME, MemorySegment.ofArray(data));
      UsableConfig.check(GgufModelLoader.config(gguf, new GgufMetadata(gguf), "gemma-embedding"));
    } catch (ConfigException | CheckpointException expected) {
      // typed and named
    }
  }
}
