package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.GemmaEmbedException;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufTensor;
import dev.gemmaembed.kernels.BlockFormat;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged copies of the project's kquant mix.gguf (every K-quant, legacy and IQ4 type): NaN or
 * infinite block scales, truncation and a type whose blocks no longer fit the tensor's place are
 * typed {@link GemmaEmbedException}s naming the file (and the tensor where one is at fault). The
 * block scales of the matrices are checked at load, the token table's only as rows are looked up,
 * so it is never read whole.
 */
class HostileKQuantTest {

  private static final short NAN = (short) 0x7E00;
  private static final short INF = (short) 0x7C00;

  @TempDir static Path dir;
  private static byte[] original;
  private static long dataOffset;
  private static Map<String, GgufTensor> tensors;

  @BeforeAll
  static void readOriginal() throws Exception {
    Path mix = KQuantFixtures.ourMix();
    original = Files.readAllBytes(mix);
    try (Arena arena = Arena.ofConfined()) {
      GgufFile f = GgufFile.open(mix, arena);
      dataOffset = f.dataOffset();
      tensors = Map.copyOf(f.tensors());
    }
  }

  private static Path write(byte[] bytes) throws Exception {
    Path f = Files.createTempFile(dir, "hostile", ".gguf");
    Files.write(f, bytes);
    return f;
  }

  private static GemmaEmbedException refused(byte[] bytes, String expected) throws Exception {
    Path f = write(bytes);
    GemmaEmbedException e =
        assertThrows(
            GemmaEmbedException.class,
            () -> Embedder.load(f, LoadOptions.defaults().withThreads(1)).close());
    assertTrue(
        e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected),
        e.getMessage());
    return e;
  }

  /**
   * A copy with the last fp16 scale of block {@code block} in row {@code row} of {@code tensor} set
   * to {@code half}.
   */
  private static byte[] withScale(String tensor, int row, int block, short half) {
    GgufTensor t = tensors.get(tensor);
    BlockFormat f = BlockFormat.valueOf(t.type().name());
    int[] scales = f.scaleOffsets();
    long at =
        dataOffset
            + t.offset()
            + row * f.rowBytes((int) t.ne()[0])
            + (long) block * f.blockBytes()
            + scales[scales.length - 1];
    byte[] b = original.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort((int) at, half);
    return b;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "blk.0.attn_q.weight",
        "blk.1.ffn_down.weight",
        "blk.2.attn_k.weight",
        "blk.3.ffn_up.weight",
        "blk.4.attn_output.weight",
        "blk.4.ffn_gate.weight",
        "blk.5.attn_v.weight",
        "blk.5.ffn_down.weight",
        "dense_2.weight"
      })
  void aNanOrInfiniteScaleInAMatrixIsRefusedAtLoad(String tensor) throws Exception {
    String type = tensors.get(tensor).type().name();
    refused(withScale(tensor, 1, 0, NAN), "tensor '" + tensor + "' (" + type + ") row 1, block 0");
    refused(withScale(tensor, 2, 0, INF), "tensor '" + tensor + "' (" + type + ") row 2, block 0");
  }

  @Test
  void aBadScaleInTheTokenTableIsFoundWhenItsRowIsLookedUp() throws Exception {
    // "Hello world" is [2, 9259, 1902, 1]: the Q6_K table row 9259 gets an infinite scale.
    Path f = write(withScale("token_embd.weight", 9259, 0, INF));
    try (Embedder e = Embedder.load(f, LoadOptions.defaults().withThreads(1))) {
      e.embed("good morning");
      CheckpointException ex =
          assertThrows(CheckpointException.class, () -> e.embed("Hello world"));
      assertTrue(
          ex.getMessage().startsWith(f.toString())
              && ex.getMessage().contains("token_embd.weight row 9259"),
          ex.getMessage());
    }
  }

  @Test
  void aTypeWhoseBlocksNoLongerFitIsRefused() throws Exception {
    // blk.0.attn_q.weight Q2_K (84 bytes per 256 values) relabelled Q6_K (210): it now overlaps the
    // next tensor.
    byte[] b = original.clone();
    byte[] name = "blk.0.attn_q.weight".getBytes(StandardCharsets.UTF_8);
    byte[] pattern =
        ByteBuffer.allocate(8 + name.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(name.length)
            .put(name)
            .array();
    int at = -1;
    for (int i = 0; i < dataOffset && at < 0; i++) {
      if (Arrays.equals(b, i, i + pattern.length, pattern, 0, pattern.length)) {
        at = i + pattern.length;
      }
    }
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 4 + 16, 14);
    refused(b, "blk.0.attn_q.weight");
  }

  @Test
  void truncatedBlocksAreRefused() throws Exception {
    GgufTensor table = tensors.get("token_embd.weight");
    GgufTensor dense = tensors.get("dense_2.weight");
    long[] cuts = {
      dataOffset + table.offset() + 1000, dataOffset + dense.offset() + 100, original.length - 1
    };
    for (long cut : cuts) {
      refused(Arrays.copyOf(original, (int) cut), "");
    }
  }
}
