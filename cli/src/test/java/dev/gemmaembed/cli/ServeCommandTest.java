package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * The serve command's failures before it starts serving; the server itself is tested in the
 * server module (a successful serve blocks until the process is signalled).
 */
class ServeCommandTest {

  @Test
  void badOptionsAreUsageErrors() {
    CliHarness.Result r = CliHarness.exec("serve", "--port", "70000");
    assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
    assertTrue(r.stderr().contains("port"), r.stderr());
  }

  @Test
  void aPortInUseIsAnIoError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliHarness.Result r = CliHarness.exec("serve", "--model", TinyModel.dir().toString(),
          "--port", Integer.toString(taken.getLocalPort()));
      assertEquals(ExitCodes.IO, r.exit(), r.toString());
      assertTrue(r.stderr().contains(Integer.toString(taken.getLocalPort())), r.stderr());
    }
  }

  @Test
  void aMissingModelIsAModelError() {
    CliHarness.Result r = CliHarness.exec("serve", "--model", "target/no-such-model", "--port", "0");
    assertEquals(ExitCodes.MODEL, r.exit(), r.toString());
    assertTrue(r.stderr().contains("listening on http://127.0.0.1:"), r.stderr());
  }
}
