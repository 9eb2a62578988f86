package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code embed --output} writes what it names, never renaming over a device, FIFO, link or the
 * input.
 */
class OutputTargetTest {

  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;

  private static String model;
  private static String expected;

  @BeforeAll
  static void load() {
    model = TinyModel.dir().toString();
    var r = CliHarness.exec("embed", "--model", model, "hi");
    assertEquals(0, r.exit(), r.toString());
    expected = r.out();
  }

  @Test
  void devFullIsDiskFullAndStaysACharacterDevice() throws IOException {
    Path full = Path.of("/dev/full");
    Assumptions.assumeTrue(Files.exists(full), "skipped: no /dev/full on this system");
    assertEquals(
        S_IFCHR, mode(full) & S_IFMT, "/dev/full must be a character device before the test");
    var r = CliHarness.exec("embed", "--model", model, "--output", "/dev/full", "hi");
    assertEquals(ExitCodes.IO, r.exit(), r.toString());
    assertEquals("gemma-embed embed: /dev/full: disk full (no space left on device)\n", r.stderr());
    assertEquals(S_IFCHR, mode(full) & S_IFMT, "/dev/full is still a character device");
    var npy =
        CliHarness.exec(
            "embed", "--model", model, "--output", "/dev/full", "--format", "npy", "hi");
    assertEquals(ExitCodes.IO, npy.exit(), npy.toString());
    assertEquals(S_IFCHR, mode(full) & S_IFMT, "/dev/full is still a character device");
  }

  @Test
  void devNullTakesTheOutput() throws IOException {
    Path devNull = Path.of("/dev/null");
    Assumptions.assumeTrue(Files.exists(devNull), "skipped: no /dev/null on this system");
    var r = CliHarness.exec("embed", "--model", model, "--output", "/dev/null", "hi");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(S_IFCHR, mode(devNull) & S_IFMT);
  }

  @Test
  void aFifosReaderGetsTheData(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("out.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    Assumptions.assumeTrue(mkfifo.waitFor() == 0, "skipped: mkfifo failed");
    // The reader opens the FIFO's other end; the writer's open waits for it, as a shell's would.
    CompletableFuture<byte[]> reader =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    var r = CliHarness.exec("embed", "--model", model, "--output", fifo.toString(), "hi");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(expected, new String(reader.get(), java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(
        Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class).isOther(),
        "still a FIFO");
  }

  @Test
  void aSymlinksTargetGetsTheDataAndKeepsItsModeAndTheLinkStays(@TempDir Path dir)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path target = Files.writeString(data.resolve("target.jsonl"), "old\n");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
    Path link = Files.createSymbolicLink(dir.resolve("out.jsonl"), Path.of("data", "target.jsonl"));
    var r = CliHarness.exec("embed", "--model", model, "--output", link.toString(), "hi");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(Files.isSymbolicLink(link), "the link stays a link");
    assertEquals(expected, Files.readString(target));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    try (var files = Files.list(data)) {
      assertEquals(1, files.count(), "no temporary file is left next to the target");
    }
  }

  @Test
  void theInputFileIsNeverTheOutput(@TempDir Path dir) throws IOException {
    Path in = Files.writeString(dir.resolve("a.jsonl"), "{\"text\": \"hi\"}\n");
    Path alias = Files.createSymbolicLink(dir.resolve("alias.jsonl"), in);
    var r =
        CliHarness.exec(
            "embed", "--model", model, "--input", in.toString(), "--output", alias.toString());
    assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
    assertTrue(r.stderr().contains("is the input file"), r.stderr());
    assertEquals("{\"text\": \"hi\"}\n", Files.readString(in));
    var dirOut = CliHarness.exec("embed", "--model", model, "--output", dir.toString(), "hi");
    assertEquals(ExitCodes.USAGE, dirOut.exit(), dirOut.toString());
  }

  @Test
  void aReadOnlyFolderFailsWithOneLineBeforeAnyWork(@TempDir Path dir) throws IOException {
    Path ro = Files.createDirectories(dir.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Assumptions.assumeFalse(
          Files.isWritable(ro), "skipped: this user (root) may write a read-only folder");
      // No --model: the model would be looked for only after the output check, so exit 5, not 3.
      var r =
          CliHarness.exec(
              "embed",
              "--model",
              dir.resolve("no-model").toString(),
              "--output",
              ro.resolve("out.jsonl").toString(),
              "hi");
      assertEquals(ExitCodes.IO, r.exit(), r.toString());
      assertEquals(1, r.stderr().lines().count(), r.stderr());
      assertTrue(r.stderr().contains("is not writable"), r.stderr());
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }
}
