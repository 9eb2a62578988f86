package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.TensorInfo;
import dev.gemmaembed.testing.Eg2TinyModel;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Published EG2 variants hold vision and audio towers beside the text model in one file: the loader
 * maps only the text tensors and never reads the towers. The padded file here carries 1.25 GiB of
 * tower tensors (a sparse region of the file, so it costs no disk); embedding with it gives bitwise
 * the tiny model's vectors and grows the resident set by far less than the towers.
 */
class Eg2TowerPaddingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TOWER_BYTES = 5L << 28; // 1.25 GiB
  private static final String[] TOWERS = {
    "vision_tower.encoder.layers.%d.mlp.fc1.weight",
    "audio_tower.conformer.%d.ffw.weight",
    "embed_vision.embedding_projection.weight",
    "embed_audio.embedding.weight"
  };

  @Test
  void towersAreIgnoredWithoutBeingRead() throws IOException {
    Path padded = TestModels.linkedCopy(Eg2TinyModel.dir(), "eg2-tower-padded");
    Files.delete(padded.resolve("model.safetensors"));
    writePadded(
        Eg2TinyModel.dir().resolve("model.safetensors"), padded.resolve("model.safetensors"));
    List<String> texts = List.of("Hello world", "towers must not be read", "");
    List<float[]> expected;
    try (Embedder plain =
        Embedder.load(Eg2TinyModel.dir(), LoadOptions.defaults().withThreads(2))) {
      expected = plain.embedAll(texts, dev.gemmaembed.core.EmbedOptions.DEFAULT);
    }
    long before = residentBytes();
    try (Embedder e = Embedder.load(padded, LoadOptions.defaults().withThreads(2))) {
      List<float[]> got = e.embedAll(texts, dev.gemmaembed.core.EmbedOptions.DEFAULT);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(expected.get(i), got.get(i), texts.get(i));
      }
      long grown = residentBytes() - before;
      System.out.printf(
          "eg2 tower-padded file (%,d bytes): resident set grew by %,d bytes%n",
          Files.size(padded.resolve("model.safetensors")), grown);
      if (before > 0) {
        assertTrue(
            grown < TOWER_BYTES / 4,
            "resident set grew by " + grown + " bytes: the towers were read");
      }
    }
  }

  /** VmRSS of this process, or 0 where /proc is not available (the RSS check is then skipped). */
  private static long residentBytes() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      Assumptions.abort("no /proc/self/status: the RSS part of this test needs Linux");
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

  /**
   * {@code src}'s tensors with tower tensors interleaved (names sorted together, as a real
   * converter writes them); the towers' bytes are left as a hole of the sparse file.
   */
  private static void writePadded(Path src, Path dst) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st = SafetensorsFile.open(src, arena);
      ObjectNode header = JSON.createObjectNode();
      header.putObject("__metadata__").put("format", "pt");
      long per = TOWER_BYTES / 8;
      long offset = 0;
      int tower = 0;
      List<TensorInfo> text = List.copyOf(st.tensors().values());
      long[] textOffsets = new long[text.size()];
      for (int i = 0; i < text.size(); i++) {
        if (i % (text.size() / 8 + 1) == 0 && tower < 8) {
          offset =
              putTower(header, String.format(TOWERS[tower % TOWERS.length], tower), per, offset);
          tower++;
        }
        TensorInfo t = text.get(i);
        ObjectNode n = header.putObject(t.name());
        n.put("dtype", t.dtype().name());
        var shape = n.putArray("shape");
        for (long d : t.shape()) {
          shape.add(d);
        }
        textOffsets[i] = offset;
        n.putArray("data_offsets").add(offset).add(offset + t.byteLength());
        offset += t.byteLength();
      }
      while (tower < 8) {
        offset = putTower(header, String.format(TOWERS[tower % TOWERS.length], tower), per, offset);
        tower++;
      }
      byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
      int padded = (json.length + 7) / 8 * 8;
      ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(padded).put(json);
      while (head.hasRemaining()) {
        head.put((byte) ' ');
      }
      head.flip();
      long base = 8L + padded;
      try (FileChannel ch =
          FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(head, 0);
        for (int i = 0; i < text.size(); i++) {
          ByteBuffer b = st.bytes(text.get(i)).asByteBuffer();
          long at = base + textOffsets[i];
          while (b.hasRemaining()) {
            at += ch.write(b, at);
          }
        }
      }
      try (RandomAccessFile f = new RandomAccessFile(dst.toFile(), "rw")) {
        f.setLength(base + offset); // the towers' region past the last text tensor stays a hole
      }
    }
  }

  private static long putTower(ObjectNode header, String name, long bytes, long offset) {
    ObjectNode n = header.putObject(name);
    n.put("dtype", "BF16");
    n.putArray("shape").add(bytes / 2 / 1024).add(1024);
    n.putArray("data_offsets").add(offset).add(offset + bytes);
    return offset + bytes;
  }
}
