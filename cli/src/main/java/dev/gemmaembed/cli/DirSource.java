package dev.gemmaembed.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every .txt and .md file under a directory, in path order, one document each: its text, its file
 * name as title and its path relative to the directory as id. Hidden files and folders (a leading
 * '.') are skipped. Symbolic links are not followed out of the directory: a link to a file inside
 * it is read, one to a file elsewhere skipped, and linked folders are not entered — unless {@code
 * followLinks}, which follows every link (a loop is entered once). Files are read one at a time.
 */
final class DirSource implements TextSource {

  private final Path dir;
  private final List<Path> files;
  private int next;

  private DirSource(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
  }

  static DirSource open(Path dir, boolean followLinks) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw CliException.input("--dir " + dir + ": no such directory");
    }
    // walked from its real path, so that DIR may itself be a link (to a notes folder elsewhere)
    Path root = dir.toRealPath();
    List<Path> found = new ArrayList<>();
    Set<FileVisitOption> options =
        followLinks
            ? EnumSet.of(FileVisitOption.FOLLOW_LINKS)
            : EnumSet.noneOf(FileVisitOption.class);
    Files.walkFileTree(
        root,
        options,
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return d.equals(root) || !hidden(root.relativize(d))
                ? FileVisitResult.CONTINUE
                : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (isDocument(file)
                && !hidden(root.relativize(file))
                && (attrs.isRegularFile() || attrs.isSymbolicLink() && linksInside(file, root))) {
              found.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              return FileVisitResult
                  .CONTINUE; // a followed link back up the tree: its files are listed once already
            }
            throw e;
          }
        });
    List<Path> files = found.stream().sorted().toList();
    if (files.isEmpty()) {
      throw CliException.input("--dir " + dir + ": no .txt or .md files in it");
    }
    return new DirSource(root, files);
  }

  /**
   * Whether the link {@code file} (not followed by the walk) leads to a regular file under {@code
   * root}.
   */
  private static boolean linksInside(Path file, Path root) {
    try {
      return Files.isRegularFile(file) && file.toRealPath().startsWith(root);
    } catch (IOException broken) {
      return false;
    }
  }

  private static boolean isDocument(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".txt") || name.endsWith(".md");
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public InputRecord next() throws IOException {
    if (next == files.size()) {
      return null;
    }
    int i = next++;
    Path file = files.get(i);
    String id = dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    return new InputRecord(i, read(file), file.getFileName().toString(), InputRecord.Id.string(id));
  }

  /**
   * The file's text, at most {@link TxtSource#MAX_LINE_CHARS} characters (the model reads far
   * fewer).
   */
  private static String read(Path file) throws IOException {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try (Reader in = new InputStreamReader(Files.newInputStream(file), decoder)) {
      // UTF-8 never decodes to more chars than bytes, so the file size bounds the buffer.
      char[] buf = new char[(int) Math.min(Files.size(file), TxtSource.MAX_LINE_CHARS)];
      int n = 0;
      int r;
      while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
        n += r;
      }
      int start = n > 0 && buf[0] == '\uFEFF' ? 1 : 0;
      return new String(buf, start, n - start);
    }
  }

  int size() {
    return files.size();
  }
}
