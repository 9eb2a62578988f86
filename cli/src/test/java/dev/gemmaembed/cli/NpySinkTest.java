package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpySinkTest {

  @Test
  void headerIsPatchedInPlaceWithTheFinalRowCount(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("m.npy");
    float[][] rows = {{1f, -2.5f, 3e-8f}, {Float.MIN_VALUE, Float.MAX_VALUE, -0f}};
    try (var ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      var sink = new NpySink(ch, 3);
      for (int i = 0; i < rows.length; i++) {
        sink.write(new InputRecord(i, "", null, null), rows[i]);
      }
      sink.finish();
    }
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(NpySink.HEADER_BYTES + 2 * 3 * 4, bytes.length);
    List<float[]> back = OutputParsers.npy(bytes);
    assertArrayEquals(rows[0], back.get(0));
    assertArrayEquals(rows[1], back.get(1));
  }

  @Test
  void headerLengthIsTheSameForAnyRowCount() {
    assertEquals(0, NpySink.HEADER_BYTES % 64);
    assertEquals(NpySink.HEADER_BYTES, NpySink.header(0, 768).remaining());
    assertEquals(
        NpySink.HEADER_BYTES, NpySink.header(Long.MAX_VALUE, Integer.MAX_VALUE).remaining());
  }
}
