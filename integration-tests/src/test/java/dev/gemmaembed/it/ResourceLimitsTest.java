package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.SafetensorsTensorSource;
import dev.gemmaembed.kernels.WeightMatrix;
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
    try (Embedder e = Embedder.load(TestModels.tiny(), LoadOptions.defaults().withThreads(2))) {
      long t0 = System.nanoTime();
      int[] ids = e.tokenize(sb.toString(), EmbedOptions.DEFAULT);
      long t1 = System.nanoTime();
      float[] v = e.embed(sb.toString());
      long t2 = System.nanoTime();
      assertEquals(2048, ids.length);
      assertEquals(2, ids[0]);
      assertEquals(1, ids[2047]);
      assertEquals(64, v.length);
      System.out.printf("1 MiB text: tokenize+truncate %.0f ms, embed (2048 tokens) %.0f ms%n",
          (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }
  }

  @Test
  void oneHundredThousandShortTextsRunInBatches() {
    List<String> texts = new ArrayList<>(100_000);
    for (int i = 0; i < 100_000; i++) {
      texts.add("item " + i);
    }
    try (Embedder e = Embedder.load(TestModels.tiny(), LoadOptions.defaults().withThreads(2))) {
      Runtime rt = Runtime.getRuntime();
      long t0 = System.nanoTime();
      List<float[]> out = e.embedAll(texts, EmbedOptions.DEFAULT.withDimensions(8));
      long t1 = System.nanoTime();
      assertEquals(100_000, out.size());
      assertEquals(8, out.get(99_999).length);
      System.gc();
      System.out.printf("100,000 texts: %.1f s, live heap with all outputs held %d MB%n", (t1 - t0) / 1e9,
          (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
  }

  /** A sparse 2.1 GB safetensors file: the mapping and row reads work past the 2 GB mark. */
  @Test
  void tensorsLargerThanTwoGigabytesMap(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    int cols = 64;
    int rows = 8_650_752; // 8.65 M × 64 × 4 B = 2.2 GB
    long bytes = (long) rows * cols * 4;
    String header = "{\"embed_tokens.weight\":{\"dtype\":\"F32\",\"shape\":[" + rows + "," + cols
        + "],\"data_offsets\":[0," + bytes + "]}}";
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
      WeightMatrix m = new SafetensorsTensorSource(SafetensorsFile.open(file, arena))
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
