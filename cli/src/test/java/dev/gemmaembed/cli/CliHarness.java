package dev.gemmaembed.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the command line in-process on a controlled environment. */
final class CliHarness {

  private CliHarness() {}

  /** What a run printed and returned. */
  record Result(int exit, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "exit " + exit + ", stderr: " + stderr;
    }
  }

  /** A run with its own environment variables, stdin and home directory. */
  static final class Run {
    private final Map<String, String> env = new HashMap<>();
    private byte[] stdin = new byte[0];
    private Path home = Path.of("target", "test-home").toAbsolutePath();

    Run env(String name, String value) {
      env.put(name, value);
      return this;
    }

    Run stdin(String text) {
      return stdin(text.getBytes(StandardCharsets.UTF_8));
    }

    Run stdin(byte[] bytes) {
      stdin = bytes;
      return this;
    }

    Run home(Path dir) {
      home = dir;
      return this;
    }

    Result exec(String... args) {
      var out = new ByteArrayOutputStream();
      var err = new ByteArrayOutputStream();
      var errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
      var environment =
          new CliEnvironment(env, new ByteArrayInputStream(stdin), out, errStream, false, 0, home);
      int exit = GemmaEmbed.newCommandLine(environment, args).execute(args);
      errStream.flush();
      return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
  }

  static Run run() {
    return new Run();
  }

  static Result exec(String... args) {
    return run().exec(args);
  }
}
