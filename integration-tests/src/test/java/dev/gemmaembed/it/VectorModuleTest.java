package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.GemmaEmbedException;
import dev.gemmaembed.testing.TinyModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without --add-modules jdk.incubator.vector gets one actionable message, not a
 * NoClassDefFoundError.
 */
class VectorModuleTest {

  @Test
  void loadWithoutTheVectorModuleSaysWhichFlagToAdd() throws Exception {
    Path model = TinyModel.dir().toAbsolutePath();
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LoadWithoutVector.class.getName(),
                model.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    assertEquals(
        "GemmaEmbedException: gemma-embed needs the JVM option --add-modules jdk.incubator.vector "
            + "(the Vector API is an incubator module): add it to the java command line, or to your build's "
            + "test and run JVM arguments (Maven surefire/exec argLine, Gradle jvmArgs, the IDE's VM options)\n",
        out);
    assertEquals(3, p.exitValue());
  }

  /** Child process entry point, run without the module. */
  public static final class LoadWithoutVector {
    public static void main(String[] args) {
      try (Embedder e = Embedder.load(Path.of(args[0]))) {
        System.out.println("loaded without the Vector API module? " + e.dimensions());
      } catch (GemmaEmbedException e) {
        System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        System.exit(3);
      }
    }
  }
}
