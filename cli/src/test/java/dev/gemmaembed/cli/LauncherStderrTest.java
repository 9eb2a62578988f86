package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's stderr detour in a child JVM started as {@code ./gemma-embed} starts it: stderr on
 * one file (the launcher's filter), the real stderr on descriptor 3 (another file). Descriptor 2
 * must stay where it is until the CLI's stderr is first written, and be the real stderr from that
 * first byte on.
 */
class LauncherStderrTest {

  /** The child: writes to descriptor 2 directly, then through the CLI's stderr, then directly. */
  public static void main(String[] args) throws IOException {
    FileOutputStream fd2 = new FileOutputStream(FileDescriptor.err);
    var stderr = CliEnvironment.system().stderr(); // installs the stream; writes nothing
    fd2.write("before\n".getBytes(StandardCharsets.UTF_8));
    stderr.println("message");
    fd2.write("after\n".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void descriptorTwoMovesOnlyAtTheFirstMessage(@TempDir Path dir)
      throws IOException, InterruptedException {
    Path bash = Path.of("/bin/bash");
    assumeTrue(Files.isExecutable(bash), "skipped: no /bin/bash to hand the child a descriptor 3");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path filter = dir.resolve("filter.txt");
    Path real = dir.resolve("real.txt");
    ProcessBuilder child =
        new ProcessBuilder(
                bash.toString(),
                "-c",
                "exec \"$@\" 2>\"$FILTER\" 3>\"$REAL\"",
                "bash",
                java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-D" + LauncherStderr.FD_PROPERTY + "=3",
                "-D" + CliEnvironment.TTY_PROPERTY + "=false",
                "-cp",
                System.getProperty("java.class.path"),
                LauncherStderrTest.class.getName())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    child.environment().put("FILTER", filter.toString());
    child.environment().put("REAL", real.toString());
    assertEquals(0, child.start().waitFor(), () -> "child failed; its stderr: " + read(filter));
    assertEquals(List.of("before"), Files.readAllLines(filter), "the launcher's filter");
    assertEquals(List.of("message", "after"), Files.readAllLines(real), "the real stderr");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
