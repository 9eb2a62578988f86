package dev.gemmaembed.tools;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes files through a temporary sibling that is renamed into place only once complete, so an
 * interrupted run never leaves a truncated file that looks finished.
 */
public final class AtomicFiles {

  /** Writes into the given temporary path. */
  @FunctionalInterface
  public interface Writer {
    void write(Path tmp) throws IOException;
  }

  private static final AtomicLong COUNTER = new AtomicLong();

  private AtomicFiles() {}

  public static void write(Path target, Writer writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Not Files.createTempFile: that creates the file mode 0600; this keeps the umask's mode.
    Path tmp = Files.createFile(dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid()
        + "-" + COUNTER.incrementAndGet() + ".part"));
    try {
      writer.write(tmp);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public static void writeString(Path target, String content) throws IOException {
    write(target, tmp -> Files.writeString(tmp, content));
  }

  public static void writeBytes(Path target, byte[] content) throws IOException {
    write(target, tmp -> Files.write(tmp, content));
  }
}
