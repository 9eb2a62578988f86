package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.tools.AtomicFiles;
import dev.gemmaembed.tools.SafetensorsWriter;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers never leave a truncated file under the final name. */
class AtomicWriteTest {

  @Test
  void aFailedWriteLeavesNothingBehind(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("out.bin");
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.write(
                target,
                tmp -> {
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
      nobody =
          target.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
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
  void devicesAndDescriptorsAreWrittenDirectlyAndDirectoriesRefused(@TempDir Path dir)
      throws IOException {
    assertTrue(AtomicFiles.isDirect(Path.of("/dev/stdout")), "/dev/stdout");
    assertTrue(AtomicFiles.isDirect(Path.of("/dev/null")), "/dev/null");
    assertFalse(AtomicFiles.isDirect(dir.resolve("new.bin")));
    assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(dir, "x"));
    assertThrows(FileSystemException.class, () -> AtomicFiles.check(dir));
    AtomicFiles.writeBytes(Path.of("/dev/null"), new byte[100]);
    assertTrue(
        Files.readAttributes(Path.of("/dev/null"), BasicFileAttributes.class).isOther(),
        "/dev/null is a device");
  }

  /**
   * Kills a JVM part-way through writing a checkpoint's model.safetensors: the child writes the
   * tiny model's tensors as the synth writer does, says so once it has reached layer 1, and waits
   * there to be killed.
   */
  @Test
  void aKilledSynthRunLeavesNoCompleteLookingWeights(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("tiny");
    Files.createDirectories(out);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                WriteModelAndHalt.class.getName(),
                out.toString())
            .redirectErrorStream(true)
            .start();
    try (var lines =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null && !line.equals(WriteModelAndHalt.HALTED)) {
        System.out.println("child: " + line);
      }
      assertEquals(WriteModelAndHalt.HALTED, line, "the child ended before it reached layer 1");
      p.destroyForcibly().waitFor();
    }
    assertTrue(partialExists(out), "the writer never started the weights file");
    assertFalse(
        Files.exists(out.resolve("model.safetensors")),
        "a truncated model.safetensors was left under its final name");
  }

  private static boolean partialExists(Path out) throws IOException {
    try (var files = Files.list(out)) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith(".model.safetensors."));
    }
  }

  /**
   * Child process entry point: writes the tiny model's weights and halts inside layer 1's first
   * tensor.
   */
  public static final class WriteModelAndHalt {
    static final String HALTED = "halted in layer 1";

    public static void main(String[] args) throws IOException {
      SyntheticSpec spec = SyntheticSpec.tiny(1234);
      SafetensorsWriter writer = new SafetensorsWriter();
      SyntheticCheckpointWriter.transformerTensors(spec)
          .forEach(
              (name, shape) -> {
                SafetensorsWriter.Values values =
                    SyntheticCheckpointWriter.values(spec, name, shape);
                writer.add(
                    name, shape, name.startsWith("layers.1.") ? WriteModelAndHalt::halt : values);
              });
      writer.write(Path.of(args[0]).resolve("model.safetensors"));
    }

    private static void halt(long start, float[] out) {
      System.out.println(HALTED);
      System.out.flush();
      try {
        new CountDownLatch(1).await(); // until the parent kills this process
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("interrupted while waiting to be killed");
    }
  }
}
