package dev.gemmaembed.cli;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar over bytes (of an input file or a download) on stderr, with speed and ETA; it
 * draws only when stderr is a terminal and --quiet is off, and does nothing otherwise, so piped and
 * logged runs stay clean.
 */
final class Progress implements AutoCloseable {

  private static final Progress NONE = new Progress(null);

  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /**
   * A bar from {@code startBytes} to {@code totalBytes} (-1 when unknown), or a silent one when not
   * drawing on a terminal.
   */
  static Progress bytes(
      CliEnvironment env, boolean quiet, String task, long startBytes, long totalBytes) {
    if (quiet || !env.stderrIsTerminal()) {
      return NONE;
    }
    // A unit that keeps the counts readable: "0/0 MiB" says nothing about a 300 KB file.
    boolean mib = totalBytes < 0 || totalBytes >= 64L << 20;
    boolean kib = !mib && totalBytes >= 64 << 10;
    var consumer =
        env.terminalColumns() > 0
            ? new ConsoleProgressBarConsumer(env.stderr(), env.terminalColumns())
            : new ConsoleProgressBarConsumer(env.stderr());
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(totalBytes)
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(mib ? " MiB" : kib ? " KiB" : " B", mib ? 1 << 20 : kib ? 1 << 10 : 1)
            .showSpeed(new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT)))
            .startsFrom(startBytes, java.time.Duration.ZERO)
            .setUpdateIntervalMillis(250)
            .setConsumer(consumer)
            .build();
    return new Progress(bar);
  }

  void update(long bytes) {
    if (bar != null) {
      bar.stepTo(bytes);
    }
  }

  void message(String extra) {
    if (bar != null) {
      bar.setExtraMessage(" " + extra);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
