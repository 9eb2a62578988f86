package dev.gemmaembed.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Undoes the launcher's stderr detour, on the first write to stderr. The {@code gemma-embed} script
 * pipes the JVM's stderr through a filter that drops the "Using incubator modules" warning the JVM
 * prints at start-up, and passes the real stderr as another descriptor. Before anything of the
 * CLI's own reaches stderr, {@code dup2} puts the real stderr back on descriptor 2: messages then
 * reach the terminal or file directly and in order, never after the process has exited, and the
 * filter sees its end. Waiting for that first write matters: the downcall costs a fresh JVM about
 * 100 ms (the linker and its generated classes), which a job that prints nothing on stderr (a short
 * embed) never pays; its filter ends when the JVM exits.
 */
final class LauncherStderr {

  /** The descriptor holding the real stderr, set by the launcher. */
  static final String FD_PROPERTY = "gemma-embed.stderr.fd";

  private LauncherStderr() {}

  /**
   * {@code System.err}; under the launcher (with {@link #FD_PROPERTY} set), first replaced by a
   * stream that moves the real stderr back onto descriptor 2 before its first byte.
   */
  static PrintStream stderr() {
    Integer fd = Integer.getInteger(FD_PROPERTY);
    return fd == null || fd <= 2 ? System.err : Installed.ERR;
  }

  /** Installed once per process, at the first {@link #stderr()} under the launcher. */
  private static final class Installed {
    static final PrintStream ERR = install();

    private static PrintStream install() {
      PrintStream detoured = System.err;
      PrintStream err =
          new PrintStream(
              new Reclaiming(detoured, Integer.getInteger(FD_PROPERTY)), true, detoured.charset());
      System.setErr(err);
      return err;
    }
  }

  /**
   * Bytes for the JVM's descriptor-2 stream ({@code target}), written after {@code dup2(fd, 2)}:
   * the same stream object then writes to the real stderr.
   */
  private static final class Reclaiming extends OutputStream {
    private final PrintStream target;
    private final int fd;
    private boolean reclaimed;

    Reclaiming(PrintStream target, int fd) {
      this.target = target;
      this.fd = fd;
    }

    @Override
    public void write(int b) {
      reclaim();
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      reclaim();
      target.write(b, off, len);
    }

    @Override
    public void flush() {
      target.flush();
    }

    @Override
    public void close() throws IOException {
      flush(); // stderr stays open for the JVM's own messages
    }

    /**
     * Does nothing after the first call, or when the C library cannot be called (then stderr keeps
     * flowing through the launcher's filter).
     */
    // downcalls to dup2/close of the C library: restricted methods, allowed by the launcher's
    // --enable-native-access=ALL-UNNAMED
    @SuppressWarnings("restricted")
    private synchronized void reclaim() {
      if (reclaimed) {
        return;
      }
      reclaimed = true;
      try {
        Linker linker = Linker.nativeLinker();
        var ints2 =
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        var ints1 = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        MethodHandle dup2 =
            linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(), ints2);
        MethodHandle close =
            linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(), ints1);
        target.flush();
        if ((int) dup2.invokeExact(fd, 2) == 2) {
          int ignored = (int) close.invokeExact(fd);
        }
      } catch (Throwable e) {
        // No dup2 here (not a POSIX C library): stderr keeps flowing through the launcher's filter.
      }
    }
  }
}
