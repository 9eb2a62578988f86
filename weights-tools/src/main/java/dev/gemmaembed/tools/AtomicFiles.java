package dev.gemmaembed.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes output files so that a run never destroys what it was not meant to replace, and an
 * interrupted run never leaves a truncated file that looks finished:
 *
 * <ul>
 *   <li>symbolic links are followed: the file they point at is written, and the link stays;
 *   <li>a regular file (or a name that does not exist yet) is written through a temporary sibling
 *       of the link's target, renamed into place once complete; a replaced file keeps its
 *       permission bits, and its owner and group where the process may set them;
 *   <li>anything else that accepts writes (a character device such as /dev/null, a FIFO, a socket,
 *       or a descriptor such as /dev/stdout) is written directly, never renamed over;
 *   <li>a directory is refused.
 * </ul>
 */
public final class AtomicFiles {

  /** Writes into the given regular file. */
  @FunctionalInterface
  public interface Writer {
    void write(Path file) throws IOException;
  }

  private static final AtomicLong COUNTER = new AtomicLong();

  /** As Linux's limit on links followed in one path lookup (ELOOP beyond it). */
  private static final int MAX_LINKS = 40;

  private AtomicFiles() {}

  /** How a target path is written. */
  private record Plan(Path path, boolean direct, PosixFileAttributes replaced) {}

  /**
   * Fails, without touching anything, when {@code target} cannot be written: a directory, a file in
   * a directory the process may not write, or an unwritable device. Call it before the work whose
   * result is to be written, so that a mistake costs nothing.
   */
  public static void check(Path target) throws IOException {
    Plan plan = plan(target);
    if (plan.direct()) {
      if (!Files.isWritable(plan.path())) {
        throw new AccessDeniedException(target.toString(), null, "not writable");
      }
      return;
    }
    Path dir = plan.path().getParent();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new FileSystemException(target.toString(), null, "its folder cannot be created");
    }
    if (!Files.isWritable(dir)) {
      throw new AccessDeniedException(
          target.toString(), null, "the folder " + dir + " is not writable");
    }
  }

  /**
   * True when {@code target} is written directly (a device, FIFO, socket or descriptor) rather than
   * replaced, so a caller that can stream may do so through {@link #openDirect}.
   */
  public static boolean isDirect(Path target) throws IOException {
    return plan(target).direct();
  }

  /** Opens a direct target (see {@link #isDirect}) for writing; the caller closes the stream. */
  public static OutputStream openDirect(Path target) throws IOException {
    Plan plan = plan(target);
    if (!plan.direct()) {
      throw new IllegalArgumentException(
          target + " is a regular file: write it with AtomicFiles.write");
    }
    return open(plan.path());
  }

  public static void write(Path target, Writer writer) throws IOException {
    Plan plan = plan(target);
    if (plan.direct()) {
      writeDirect(plan.path(), writer);
    } else {
      replace(target, plan, writer);
    }
  }

  public static void writeString(Path target, String content) throws IOException {
    write(target, tmp -> Files.writeString(tmp, content));
  }

  public static void writeBytes(Path target, byte[] content) throws IOException {
    write(target, tmp -> Files.write(tmp, content));
  }

  private static void replace(Path target, Plan plan, Writer writer) throws IOException {
    Path file = plan.path();
    Path dir = file.getParent();
    Files.createDirectories(dir);
    // Not Files.createTempFile: that creates the file mode 0600; this keeps the umask's mode.
    Path tmp;
    try {
      tmp =
          Files.createFile(
              dir.resolve(
                  "."
                      + file.getFileName()
                      + "."
                      + ProcessHandle.current().pid()
                      + "-"
                      + COUNTER.incrementAndGet()
                      + ".part"));
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(
          target.toString(), null, "the folder " + dir + " is not writable");
    }
    try {
      writer.write(tmp);
      if (plan.replaced() != null) {
        keepAttributes(tmp, plan.replaced());
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The writer needs a regular file (some seek back to patch a header), so it writes a temporary
   * one, which is then copied into the device; a failed write leaves the device as it was.
   */
  private static void writeDirect(Path device, Writer writer) throws IOException {
    try (OutputStream out = open(device)) {
      Path tmp = Files.createTempFile("gemma-embed-", ".part");
      try {
        writer.write(tmp);
        Files.copy(tmp, out);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * APPEND, not TRUNCATE: /dev/stdout may be the shell's regular file (opened with {@code >>}),
   * which must not be cut; devices and FIFOs ignore both.
   */
  private static OutputStream open(Path device) throws IOException {
    return Channels.newOutputStream(
        Files.newByteChannel(device, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
  }

  private static void keepAttributes(Path tmp, PosixFileAttributes old) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
    // Only root may give a file away, and only a member may set its group: otherwise the new file
    // is the writer's, as any file it creates.
    try {
      view.setGroup(old.group());
    } catch (IOException e) {
      // keep the writer's group
    }
    try {
      view.setOwner(old.owner());
    } catch (IOException e) {
      // keep the writer as owner
    }
    view.setPermissions(old.permissions());
  }

  /**
   * Follows {@code target}'s symbolic links to the path that is actually written. A link into /proc
   * (/dev/stdout → /proc/self/fd/1) names an open descriptor, which is written directly whatever it
   * refers to.
   */
  private static Plan plan(Path target) throws IOException {
    Path p = target.toAbsolutePath();
    for (int hops = 0; ; hops++) {
      if (p.startsWith("/proc") || p.startsWith("/dev/fd")) {
        return new Plan(p, true, null);
      }
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return new Plan(p, false, null);
      }
      if (attrs.isSymbolicLink()) {
        if (hops == MAX_LINKS) {
          throw new FileSystemException(
              target.toString(), null, "too many levels of symbolic links");
        }
        p = p.resolveSibling(Files.readSymbolicLink(p));
        continue;
      }
      if (attrs.isDirectory()) {
        throw new FileSystemException(target.toString(), null, "is a directory; give a file name");
      }
      if (attrs.isRegularFile()) {
        return new Plan(
            p,
            false,
            Files.getFileAttributeView(p, PosixFileAttributeView.class) == null
                ? null
                : Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
      }
      return new Plan(p, true, null);
    }
  }
}
