package dev.gemmaembed.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Undoes the launcher's stderr detour. The {@code gemma-embed} script pipes the JVM's stderr
 * through a filter that drops the "Using incubator modules" warning the JVM prints at start-up, and
 * passes the real stderr as another descriptor. Once that warning is out, {@code dup2} puts the
 * real stderr back on descriptor 2: messages then reach the terminal or file directly and in order,
 * never after the process has exited, and the filter sees its end.
 */
final class LauncherStderr {

  /** The descriptor holding the real stderr, set by the launcher. */
  static final String FD_PROPERTY = "gemma-embed.stderr.fd";

  private LauncherStderr() {}

  /**
   * Does nothing unless the launcher set {@link #FD_PROPERTY}, or when the C library cannot be
   * called.
   */
  // downcalls to dup2/close of the C library: restricted methods, allowed by the launcher's
  // --enable-native-access=ALL-UNNAMED
  @SuppressWarnings("restricted")
  static void reclaim() {
    Integer fd = Integer.getInteger(FD_PROPERTY);
    if (fd == null || fd <= 2) {
      return;
    }
    try {
      Linker linker = Linker.nativeLinker();
      var ints2 =
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
      var ints1 = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
      MethodHandle dup2 =
          linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(), ints2);
      MethodHandle close =
          linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(), ints1);
      System.err.flush();
      if ((int) dup2.invokeExact((int) fd, 2) == 2) {
        int ignored = (int) close.invokeExact((int) fd);
      }
    } catch (Throwable e) {
      // No dup2 here (not a POSIX C library): stderr keeps flowing through the launcher's filter.
    }
  }
}
