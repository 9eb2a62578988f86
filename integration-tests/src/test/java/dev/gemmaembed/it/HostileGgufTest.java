package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.GemmaEmbedException;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.gguf.GgufFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged copies of a real GGUF (the tiny Q8_0 model): each is refused by {@code Embedder.load}
 * with a typed {@link GemmaEmbedException} whose message names the file and the problem; nothing
 * else escapes (no OutOfMemoryError, no index or argument exception from inside the parser).
 */
class HostileGgufTest {

  @TempDir static Path dir;
  private static byte[] original;

  @BeforeAll
  static void readOriginal() throws Exception {
    original = Files.readAllBytes(GgufFixtures.q8_0());
  }

  private static GemmaEmbedException refused(byte[] bytes, String expected) throws Exception {
    Path f = Files.createTempFile(dir, "hostile", ".gguf");
    Files.write(f, bytes);
    GemmaEmbedException e =
        assertThrows(
            GemmaEmbedException.class,
            () -> Embedder.load(f, LoadOptions.defaults().withThreads(1)).close());
    assertTrue(
        e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected),
        e.getMessage());
    return e;
  }

  /** Position of the tensor info of {@code name}: just past its name (at n_dims). */
  private static int infoOf(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] pattern =
        ByteBuffer.allocate(8 + n.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(n.length)
            .put(n)
            .array();
    for (int i = original.length - pattern.length; i >= 0; i--) {
      if (Arrays.equals(original, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i + pattern.length;
      }
    }
    throw new AssertionError(name + " not found");
  }

  private static byte[] patch(int at, int bytes, long value) {
    byte[] b = original.clone();
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes == 4) {
      bb.putInt(at, (int) value);
    } else {
      bb.putLong(at, value);
    }
    return b;
  }

  /** For a 2-D tensor info at {@code p}: n_dims u32, ne 2 × u64, type u32, offset u64. */
  private static int typeField(String tensor) {
    return infoOf(tensor) + 4 + 16;
  }

  private static int offsetField(String tensor) {
    return typeField(tensor) + 4;
  }

  private static long offsetOf(String tensor) {
    return ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(offsetField(tensor));
  }

  @Test
  void wrongMagicAndVersion() throws Exception {
    byte[] magic = original.clone();
    magic[0] = 'X';
    refused(magic, "not a GGUF file");
    refused(patch(4, 4, 1), "version 1 is not supported");
    refused(patch(4, 4, 7), "unsupported GGUF version 7");
  }

  @Test
  void hugeCounts() throws Exception {
    refused(patch(8, 8, Long.MAX_VALUE), "tensor count");
    refused(patch(16, 8, 1L << 40), "metadata count");
    // the first key's string length
    refused(patch(24, 8, 1L << 50), "runs past the end of the file");
  }

  @Test
  void truncatedFiles() throws Exception {
    long dataStart;
    try (Arena arena = Arena.ofConfined()) {
      dataStart = GgufFile.open(GgufFixtures.q8_0(), arena).dataOffset();
    }
    Random rng = new Random(5);
    int[] cuts = {
      0,
      3,
      7,
      15,
      23,
      100,
      5000,
      (int) dataStart - 40,
      (int) dataStart - 1,
      (int) dataStart + 10,
      original.length / 2,
      original.length - 1
    };
    for (int cut : cuts) {
      refused(Arrays.copyOf(original, cut), cut < 4 ? "not a GGUF" : "");
    }
    for (int i = 0; i < 8; i++) {
      int cut = 24 + rng.nextInt((int) dataStart - 24);
      refused(Arrays.copyOf(original, cut), "");
    }
  }

  @Test
  void badOffsets() throws Exception {
    String t = "blk.0.attn_q.weight";
    refused(patch(offsetField(t), 8, offsetOf(t) + 1), "is not a multiple of the alignment 32");
    refused(patch(offsetField(t), 8, 1L << 40), "runs past the end of the data section");
    refused(patch(offsetField(t), 8, -32), "is not a multiple of the alignment");
  }

  @Test
  void overlappingTensors() throws Exception {
    refused(
        patch(offsetField("blk.0.attn_q.weight"), 8, offsetOf("blk.0.attn_k.weight")),
        "overlaps tensor");
  }

  @Test
  void unsupportedTensorTypes() throws Exception {
    // MXFP4 blocks (17 bytes) fit in the Q8_0 tensor's place: the file is well formed, the type is
    // not computable.
    refused(
        patch(typeField("blk.0.attn_q.weight"), 4, 39),
        "unsupported tensor type MXFP4 in tensor 'blk.0.attn_q.weight'");
    refused(
        patch(typeField("blk.0.attn_q.weight"), 4, 1234),
        "unsupported tensor type 1234 in tensor 'blk.0.attn_q.weight'");
  }

  /** Random single-byte damage in the tensor table: a typed error or a file that still loads. */
  @Test
  void randomDamageToTheTensorTable() throws Exception {
    int from = infoOf("dense_2.weight") - 16;
    long dataStart;
    try (Arena arena = Arena.ofConfined()) {
      dataStart = GgufFile.open(GgufFixtures.q8_0(), arena).dataOffset();
    }
    Random rng = new Random(9);
    for (int i = 0; i < 40; i++) {
      byte[] b = original.clone();
      int at = from + rng.nextInt((int) dataStart - from);
      b[at] = (byte) rng.nextInt(256);
      Path f = Files.createTempFile(dir, "damaged", ".gguf");
      Files.write(f, b);
      try (Arena arena = Arena.ofConfined()) {
        GgufFile.open(f, arena);
      } catch (CheckpointException expected) {
        assertTrue(expected.getMessage().startsWith(f.toString()), expected.getMessage());
      } catch (RuntimeException | Error e) {
        fail("byte " + at + " set to " + (b[at] & 0xFF) + ": " + e, e);
      }
    }
  }
}
