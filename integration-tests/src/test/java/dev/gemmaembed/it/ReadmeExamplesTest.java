package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's command-line, quantized-model and server examples run as written on the tiny model
 * ({@code scripts/readme-examples.sh}, which lists what it skips and why). Needs the CLI jar, which
 * the reactor packages before this module's tests.
 */
class ReadmeExamplesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void everyReadmeExampleRuns() throws Exception {
    Path jar = ROOT.resolve("cli/target/gemma-embed.jar");
    Assumptions.assumeTrue(
        Files.isRegularFile(jar),
        "skipped: " + jar + " is not built (run the whole reactor: ./mvnw verify)");
    Process p =
        new ProcessBuilder(ROOT.resolve("scripts/readme-examples.sh").toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains(" 0 failed, "), out);
    assertTrue(
        out.contains("skip  ") && out.contains("gemma-embed pull"),
        "the skipped examples are listed:\n" + out);
  }
}
