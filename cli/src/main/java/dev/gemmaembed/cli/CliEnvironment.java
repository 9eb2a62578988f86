package dev.gemmaembed.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the commands read from the process around them: environment variables, the standard streams
 * and whether stderr is a terminal. Tests pass their own, so no command touches {@code
 * System.getenv} or {@code System.in/out} directly.
 *
 * @param variables environment variables (GEMMA_EMBED_MODEL, HF_TOKEN, HF_HOME, …)
 * @param stdin standard input, read by {@code --input -}
 * @param stdout standard output; commands write UTF-8 (and raw bytes for npy) here
 * @param stderr standard error, for progress bars and notes
 * @param stderrIsTerminal whether progress bars may be drawn on stderr
 * @param terminalColumns width of that terminal, 0 when unknown
 * @param userHome the user's home directory (for ~/.cache/huggingface)
 */
public record CliEnvironment(
    Map<String, String> variables,
    InputStream stdin,
    OutputStream stdout,
    PrintStream stderr,
    boolean stderrIsTerminal,
    int terminalColumns,
    Path userHome) {

  /**
   * Set by the launcher script, which pipes stderr through a filter and so hides the terminal from
   * the JVM.
   */
  static final String TTY_PROPERTY = "gemma-embed.stderr.tty";

  static final String COLUMNS_PROPERTY = "gemma-embed.columns";

  public CliEnvironment {
    variables = Map.copyOf(variables);
  }

  /**
   * The real process environment (and, under the launcher, a stderr that is put back on descriptor
   * 2 before its first byte).
   */
  public static CliEnvironment system() {
    String tty = System.getProperty(TTY_PROPERTY);
    // Without the launcher, Console.isTerminal() (stdin and stdout are a terminal) is the best
    // guess.
    boolean terminal =
        tty != null
            ? Boolean.parseBoolean(tty)
            : System.console() != null && System.console().isTerminal();
    // stdout as a plain stream: System.out would swallow a closed pipe's error and keep embedding.
    return new CliEnvironment(
        System.getenv(),
        System.in,
        new FileOutputStream(FileDescriptor.out),
        LauncherStderr.stderr(),
        terminal,
        Integer.getInteger(COLUMNS_PROPERTY, 0),
        home());
  }

  /**
   * $HOME, as Python's expanduser reads it (the JVM's user.home comes from the password database).
   */
  private static Path home() {
    String home = System.getenv("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
  }

  /** A variable's value, or null when it is unset or blank. */
  public String variable(String name) {
    String v = variables.get(name);
    return v == null || v.isBlank() ? null : v;
  }
}
