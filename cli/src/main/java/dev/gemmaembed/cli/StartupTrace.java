package dev.gemmaembed.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Start-up breakdown for {@code cli/scripts/cold-start.sh}: when the environment variable {@link
 * #T0_VARIABLE} holds the wall-clock time (nanoseconds since the epoch) at which the script started
 * the launcher, each {@link #mark} prints one line {@code gemma-embed startup PHASE MS} on stderr,
 * MS counted from that moment. Unset (every normal run), a mark costs one field read.
 */
final class StartupTrace {

  static final String T0_VARIABLE = "GEMMA_EMBED_TRACE_T0";

  private static final long T0 = t0();

  private static final FileOutputStream RAW_STDERR =
      T0 < 0 ? null : new FileOutputStream(FileDescriptor.err);

  private StartupTrace() {}

  private static long t0() {
    String v = System.getenv(T0_VARIABLE);
    try {
      return v == null ? -1 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static void mark(String phase) {
    if (T0 < 0) {
      return;
    }
    Instant now = Instant.now();
    double ms = ((now.getEpochSecond() * 1_000_000_000L + now.getNano()) - T0) / 1e6;
    String line =
        "gemma-embed startup " + phase + " " + String.format(Locale.ROOT, "%.1f", ms) + "\n";
    // Straight to descriptor 2, not through System.err: a mark must not move the launcher's stderr
    // back (LauncherStderr), or a traced run would pay for what an untraced one does not. Under
    // the launcher the line may therefore pass its filter and arrive just after the JVM exits:
    // cold-start.sh reads stderr through a pipe, to its end.
    try {
      RAW_STDERR.write(line.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // stderr closed: no breakdown
    }
  }
}
