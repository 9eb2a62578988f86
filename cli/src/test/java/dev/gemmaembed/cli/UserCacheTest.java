package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserCacheTest {

  private static CliEnvironment env(Map<String, String> vars) {
    return new CliEnvironment(
        vars,
        InputStream.nullInputStream(),
        OutputStream.nullOutputStream(),
        new PrintStream(OutputStream.nullOutputStream()),
        false,
        0,
        Path.of("/home/someone"));
  }

  @Test
  void xdgCacheHomeElseDotCacheInTheHomeDirectory() {
    assertEquals(Path.of("/home/someone/.cache/gemma-embed"), UserCache.root(env(Map.of())));
    assertEquals(
        Path.of("/var/cache/me/gemma-embed"),
        UserCache.root(env(Map.of("XDG_CACHE_HOME", "/var/cache/me"))));
    assertEquals(
        Path.of("/home/someone/.cache/gemma-embed"),
        UserCache.root(env(Map.of("XDG_CACHE_HOME", " "))));
  }
}
