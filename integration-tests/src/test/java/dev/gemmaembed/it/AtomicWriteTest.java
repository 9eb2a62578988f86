package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.tools.AtomicFiles;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers never leave a truncated file under the final name. */
class AtomicWriteTest {

  @Test
  void aFailedWriteLeavesNothingBehind(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("out.bin");
    assertThrows(IOException.class, () -> AtomicFiles.write(target, tmp -> {
      Files.write(tmp, new byte[1000]);
      throw new IOException("disk full (simulated)");
    }));
    assertFalse(Files.exists(target));
    try (var files = Files.list(dir)) {
      assertTrue(files.findAny().isEmpty(), "temporary file was not removed");
    }
  }

  @Test
  void aReplacedFileKeepsItsModeAndALinkIsWrittenThrough(@TempDir Path dir) throws IOException {
    Path target = Files.writeString(dir.resolve("target.bin"), "old");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    Path link = Files.createSymbolicLink(dir.resolve("link.bin"), target.getFileName());
    AtomicFiles.writeString(link, "new");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("new", Files.readString(target));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
  }

  @Test
  void aReplacedFileKeepsItsOwnerWhereTheProcessMaySetIt(@TempDir Path dir) throws IOException {
    Path target = Files.writeString(dir.resolve("owned.bin"), "old");
    UserPrincipal nobody;
    try {
      nobody = target.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(target, nobody);
    } catch (IOException e) {
      Assumptions.abort("skipped: only root may give a file to another user (" + e + ")");
      return;
    }
    AtomicFiles.writeString(target, "new");
    assertEquals("new", Files.readString(target));
    assertEquals(nobody, Files.getOwner(target));
  }

  @Test
  void devicesAndDescriptorsAreWrittenDirectlyAndDirectoriesRefused(@TempDir Path dir) throws IOException {
    assertTrue(AtomicFiles.isDirect(Path.of("/dev/stdout")), "/dev/stdout");
    assertTrue(AtomicFiles.isDirect(Path.of("/dev/null")), "/dev/null");
    assertFalse(AtomicFiles.isDirect(dir.resolve("new.bin")));
    assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(dir, "x"));
    assertThrows(FileSystemException.class, () -> AtomicFiles.check(dir));
    AtomicFiles.writeBytes(Path.of("/dev/null"), new byte[100]);
    assertTrue(Files.readAttributes(Path.of("/dev/null"), BasicFileAttributes.class).isOther(), "/dev/null is a device");
  }

  /** Kills a JVM that is writing the 1.2 GB full-size checkpoint part-way through. */
  @Test
  void aKilledSynthRunLeavesNoCompleteLookingWeights(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("full");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), WriteFullModel.class.getName(), out.toString())
        .redirectErrorStream(true).start();
    Path weights = out.resolve("model.safetensors");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // wait until the big file is being written (its temporary sibling exists and grows)
    while (System.nanoTime() < deadline && !partialExists(out)) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertTrue(partialExists(out), "the writer never started the weights file");
    assertFalse(Files.exists(weights), "a truncated model.safetensors was left under its final name");
  }

  private static boolean partialExists(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return false;
    }
    try (var files = Files.list(out)) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith(".model.safetensors."));
    }
  }

  /** Child process entry point. */
  public static final class WriteFullModel {
    public static void main(String[] args) throws IOException {
      SyntheticCheckpointWriter.write(SyntheticSpec.full(300), Path.of(args[0]));
    }
  }
}
