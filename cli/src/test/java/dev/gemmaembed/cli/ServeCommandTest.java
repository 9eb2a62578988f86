package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.server.ServerConfig;
import dev.gemmaembed.testing.TinyModel;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * The serve command's failures before it starts serving; the server itself is tested in the server
 * module (a successful serve blocks until the process is signalled).
 */
class ServeCommandTest {

  @Test
  void badOptionsAreUsageErrors() {
    CliHarness.Result r = CliHarness.exec("serve", "--port", "70000");
    assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
    assertTrue(r.stderr().contains("port"), r.stderr());
  }

  @Test
  void hardeningOptionsAreCheckedAsUsage() {
    CliHarness.Result origin =
        CliHarness.exec("serve", "--cors-origin", "https://app.example/path");
    assertEquals(ExitCodes.USAGE, origin.exit(), origin.toString());
    assertTrue(origin.stderr().contains("CORS origin"), origin.stderr());
    CliHarness.Result memory = CliHarness.exec("serve", "--max-memory", "1000");
    assertEquals(ExitCodes.USAGE, memory.exit(), memory.toString());
    assertTrue(memory.stderr().contains("maxMemoryBytes"), memory.stderr());
    CliHarness.Result shutdown = CliHarness.exec("serve", "--shutdown-timeout", "-1");
    assertEquals(ExitCodes.USAGE, shutdown.exit(), shutdown.toString());
  }

  @Test
  void everyInterfaceWithoutAKeyIsWarnedAbout() {
    ServerConfig open = ServerConfig.defaults().withHost("0.0.0.0");
    assertTrue(
        ServeCommand.exposureWarning(open)
            .startsWith("gemma-embed: warning: listening on every interface"));
    assertEquals(1, ServeCommand.exposureWarning(open).lines().count());
    assertNull(ServeCommand.exposureWarning(open.withApiKey("k")));
    assertNull(ServeCommand.exposureWarning(ServerConfig.defaults()));
  }

  @Test
  void aNegativeCacheAndABadCalibrationFileFailBeforeListening() throws Exception {
    CliHarness.Result cache = CliHarness.exec("serve", "--port", "0", "--cache-mb", "-1");
    assertEquals(ExitCodes.USAGE, cache.exit(), cache.toString());
    assertTrue(
        cache.stderr().contains("--cache-mb must be 0 (off) or a positive number of MiB, got -1"),
        cache.stderr());
    java.nio.file.Path cal =
        java.nio.file.Files.createTempFile(java.nio.file.Path.of("target"), "cal", ".jsonl");
    java.nio.file.Files.writeString(cal, "{\"embedding\": [1, 2]}\n");
    CliHarness.Result one =
        CliHarness.exec("serve", "--port", "0", "--calibration", cal.toString());
    assertEquals(ExitCodes.INPUT, one.exit(), one.toString());
    assertTrue(one.stderr().contains("needs at least 2"), one.stderr());
    assertTrue(!one.stderr().contains("listening"), one.stderr());
    java.nio.file.Files.delete(cal);
  }

  @Test
  void aPortInUseIsAnIoError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliHarness.Result r =
          CliHarness.exec(
              "serve",
              "--model",
              TinyModel.dir().toString(),
              "--port",
              Integer.toString(taken.getLocalPort()));
      assertEquals(ExitCodes.IO, r.exit(), r.toString());
      assertTrue(r.stderr().contains(Integer.toString(taken.getLocalPort())), r.stderr());
    }
  }

  @Test
  void aMissingModelIsAModelError() {
    CliHarness.Result r =
        CliHarness.exec("serve", "--model", "target/no-such-model", "--port", "0");
    assertEquals(ExitCodes.MODEL, r.exit(), r.toString());
    assertTrue(r.stderr().contains("listening on http://127.0.0.1:"), r.stderr());
  }
}
