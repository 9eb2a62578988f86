package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model search order: --model, GEMMA_EMBED_MODEL, then the Hugging Face cache. */
class ModelLocatorTest {

  private static final String COMMIT_A = "a".repeat(40);
  private static final String COMMIT_B = "b".repeat(40);

  private static CliEnvironment env(Path home, Map<String, String> vars) {
    return new CliEnvironment(
        vars,
        InputStream.nullInputStream(),
        OutputStream.nullOutputStream(),
        new PrintStream(OutputStream.nullOutputStream()),
        false,
        0,
        home);
  }

  private static Path snapshot(Path hub, String commit) throws IOException {
    Path snap = hub.resolve("models--google--embeddinggemma-300m/snapshots/" + commit);
    Files.createDirectories(snap);
    Files.writeString(snap.resolve("config.json"), "{}");
    return snap;
  }

  @Test
  void explicitPathThenVariableThenCache(@TempDir Path dir) throws IOException {
    Path hub = dir.resolve("home/.cache/huggingface/hub");
    Path cached = snapshot(hub, COMMIT_A);
    Path explicit = Files.createDirectories(dir.resolve("explicit"));
    Path fromEnv = Files.createDirectories(dir.resolve("env"));
    Map<String, String> vars = new HashMap<>();
    Path home = dir.resolve("home");
    assertEquals(cached, ModelLocator.resolve(null, env(home, vars)));
    vars.put("GEMMA_EMBED_MODEL", fromEnv.toString());
    assertEquals(fromEnv, ModelLocator.resolve(null, env(home, vars)));
    assertEquals(explicit, ModelLocator.resolve(explicit, env(home, vars)));
  }

  @Test
  void aNamedModelThatDoesNotExistIsAnErrorNotAFallThrough(@TempDir Path dir) throws IOException {
    snapshot(dir.resolve("home/.cache/huggingface/hub"), COMMIT_A);
    var e =
        assertThrows(
            CliException.class,
            () ->
                ModelLocator.resolve(
                    null,
                    env(
                        dir.resolve("home"),
                        Map.of("GEMMA_EMBED_MODEL", dir.resolve("gone").toString()))));
    assertEquals(ExitCodes.MODEL, e.exitCode());
    assertEquals(
        "GEMMA_EMBED_MODEL=" + dir.resolve("gone") + ": no such model directory or file",
        e.getMessage());
  }

  @Test
  void cacheLocationFollowsHuggingFaceVariables(@TempDir Path dir) throws IOException {
    Path home = dir.resolve("home");
    assertEquals(home.resolve(".cache/huggingface/hub"), HfCache.locate(env(home, Map.of())).hub());
    assertEquals(
        dir.resolve("xdg/huggingface/hub"),
        HfCache.locate(env(home, Map.of("XDG_CACHE_HOME", dir.resolve("xdg").toString()))).hub());
    assertEquals(
        dir.resolve("hf/hub"),
        HfCache.locate(env(home, Map.of("HF_HOME", dir.resolve("hf").toString()))).hub());
    assertEquals(
        dir.resolve("hc"),
        HfCache.locate(
                env(
                    home,
                    Map.of(
                        "HF_HOME",
                        dir.resolve("hf").toString(),
                        "HF_HUB_CACHE",
                        dir.resolve("hc").toString())))
            .hub());
  }

  @Test
  void refsMainWinsOverANewerSnapshot(@TempDir Path dir) throws IOException {
    Path hub = dir.resolve("hub");
    Path a = snapshot(hub, COMMIT_A);
    Path b = snapshot(hub, COMMIT_B);
    Files.setLastModifiedTime(a, FileTime.fromMillis(1_000));
    Files.setLastModifiedTime(b, FileTime.fromMillis(2_000));
    var vars = Map.of("HF_HUB_CACHE", hub.toString());
    assertEquals(
        b, ModelLocator.resolve(null, env(dir, vars)), "without refs/main: the newest snapshot");
    Path ref = hub.resolve("models--google--embeddinggemma-300m/refs/main");
    Files.createDirectories(ref.getParent());
    Files.writeString(ref, COMMIT_A);
    assertEquals(a, ModelLocator.resolve(null, env(dir, vars)));
  }

  @Test
  void nothingFoundExplainsTheThreeWays(@TempDir Path dir) {
    var e = assertThrows(CliException.class, () -> ModelLocator.resolve(null, env(dir, Map.of())));
    assertEquals(ExitCodes.MODEL, e.exitCode());
    String m = e.getMessage();
    assertTrue(
        m.contains("--model")
            && m.contains("GEMMA_EMBED_MODEL")
            && m.contains("gemma-embed pull")
            && m.contains(
                dir.resolve(".cache/huggingface/hub/models--google--embeddinggemma-300m")
                    .toString()),
        m);
  }

  @Test
  void embedFindsTheModelThroughTheVariable() {
    var r =
        CliHarness.run()
            .env("GEMMA_EMBED_MODEL", TinyModel.dir().toString())
            .exec("embed", "hello");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("{\"index\":0,\"embedding\":["), r.out());
  }
}
