package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InputTooLongException;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.Truncation;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.SafetensorsTensorSource;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tokenizer.TruncatedIds;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Over-long texts, very many texts and tensors past 2 GB. */
class ResourceLimitsTest {

  @Test
  void aOneMegabyteTextIsTruncatedToTheModelsLimit() {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 1 << 20) {
      sb.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit; 東京 🚀 1234.\n");
    }
    try (Embedder e = Embedder.load(TinyModel.dir(), LoadOptions.defaults().withThreads(2))) {
      TruncatedIds prepared = e.prepare(sb.toString(), EmbedOptions.DEFAULT, Truncation.CUT);
      int[] ids = prepared.ids();
      assertTrue(prepared.truncated());
      assertEquals(2048, ids.length);
      assertEquals(2, ids[0]);
      assertEquals(1, ids[2047]);
      assertThrows(
          InputTooLongException.class,
          () -> e.prepare(sb.toString(), EmbedOptions.DEFAULT, Truncation.REFUSE));
      float[] v = e.embed(sb.toString());
      assertArrayEquals(
          e.embedTokenIds(List.of(ids), 0).getFirst(), v, "the text embeds as its cut ids");
    }
  }

  @Test
  void oneHundredThousandShortTextsRunInBatches() {
    List<String> texts = new ArrayList<>(100_000);
    for (int i = 0; i < 100_000; i++) {
      texts.add("item " + i);
    }
    try (Embedder e = Embedder.load(TinyModel.dir(), LoadOptions.defaults().withThreads(2))) {
      EmbedOptions eight = EmbedOptions.DEFAULT.withDimensions(8);
      List<float[]> out = e.embedAll(texts, eight);
      assertEquals(100_000, out.size());
      for (int i : new int[] {0, 4_321, 99_999}) {
        assertArrayEquals(
            e.embed(texts.get(i), eight), out.get(i), "text " + i + " alone vs in the run");
      }
    }
  }

  /** A sparse 2.1 GB safetensors file: the mapping and row reads work past the 2 GB mark. */
  @Test
  void tensorsLargerThanTwoGigabytesMap(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    int cols = 64;
    int rows = 8_650_752; // 8.65 M × 64 × 4 B = 2.2 GB
    long bytes = (long) rows * cols * 4;
    String header =
        "{\"embed_tokens.weight\":{\"dtype\":\"F32\",\"shape\":["
            + rows
            + ","
            + cols
            + "],\"data_offsets\":[0,"
            + bytes
            + "]}}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("big.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
      raf.write(json);
      raf.setLength(8 + json.length + bytes); // sparse: no 2 GB written
      ByteBuffer last = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < cols; i++) {
        last.putFloat(i + 0.5f);
      }
      raf.seek(8 + json.length + bytes - cols * 4L);
      raf.write(last.array());
    }
    assertTrue(Files.size(file) > (1L << 31));
    try (Arena arena = Arena.ofConfined()) {
      WeightMatrix m =
          new SafetensorsTensorSource(SafetensorsFile.open(file, arena))
              .matrix("embed_tokens.weight", rows, cols);
      float[] row = new float[cols];
      m.readRow(rows - 1, row, 0);
      for (int i = 0; i < cols; i++) {
        assertEquals(i + 0.5f, row[i]);
      }
      m.readRow(rows / 2, row, 0);
      assertEquals(0f, row[0]);
    }
  }
}
