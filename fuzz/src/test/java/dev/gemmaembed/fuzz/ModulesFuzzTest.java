package dev.gemmaembed.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.model.SentenceTransformerReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * modules.json and a Pooling config.json from the fuzzer, read as sentence-transformers modules: a
 * head or a typed error.
 */
class ModulesFuzzTest {

  private static final Path DIR = scratch();

  private static Path scratch() {
    try {
      // tmpfs where available: the target rewrites two files per input
      Path shm = Path.of("/dev/shm");
      Path d =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? Files.createTempDirectory(shm, "gemma-embed-fuzz-modules")
              : Files.createTempDirectory("gemma-embed-fuzz-modules");
      Files.createDirectories(d.resolve("1_Pooling"));
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void readHead(FuzzedDataProvider data) throws IOException {
    Files.writeString(
        DIR.resolve("1_Pooling/config.json"), data.consumeString(400), StandardCharsets.UTF_8);
    Files.write(DIR.resolve("modules.json"), data.consumeRemainingAsBytes());
    try (Arena arena = Arena.ofConfined()) {
      SentenceTransformerReader.readHead(DIR, 64, arena);
    } catch (ConfigException | CheckpointException expected) {
      // typed and named
    }
  }
}
