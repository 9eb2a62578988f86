package dev.gemmaembed.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.model.PositionalTokenTable;
import dev.gemmaembed.core.model.TokenEmbeddings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

  @TempDir Path dir;

  /** Header JSON + data bytes → a safetensors file. */
  private Path file(String name, String header, byte[] data) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(len.array());
    out.write(json);
    out.write(data);
    Path p = dir.resolve(name);
    Files.write(p, out.toByteArray());
    return p;
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  private CheckpointException fails(Path p) {
    try (Arena arena = Arena.ofConfined()) {
      return assertThrows(CheckpointException.class, () -> SafetensorsFile.open(p, arena));
    }
  }

  @Test
  void readsF32Bf16AndF16TensorsWithOptionalModelPrefix() throws IOException {
    byte[] f32 = floats(1.5f, -2f, 3.25f, 0f);
    ByteBuffer half = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    half.putShort((short) (Float.floatToIntBits(1.5f) >>> 16))
        .putShort((short) (Float.floatToIntBits(-2f) >>> 16));
    half.putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-4f));
    byte[] data = new byte[24];
    System.arraycopy(f32, 0, data, 0, 16);
    System.arraycopy(half.array(), 0, data, 16, 8);
    Path p =
        file(
            "ok.safetensors",
            """
        {"__metadata__":{"format":"pt"},
         "model.a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},
         "b":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]},
         "c":{"dtype":"F16","shape":[2],"data_offsets":[20,24]}}""",
            data);
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st = SafetensorsFile.open(p, arena);
      assertEquals("pt", st.metadata().get("format"));
      SafetensorsTensorSource src = new SafetensorsTensorSource(st);
      float[] row = new float[2];
      src.matrix("a", 2, 2).readRow(1, row, 0);
      assertArrayEquals(new float[] {3.25f, 0f}, row);
      assertArrayEquals(new float[] {1.5f, -2f}, src.vector("b", 2));
      assertArrayEquals(new float[] {0.5f, -4f}, src.vector("c", 2));
      CheckpointException shape =
          assertThrows(CheckpointException.class, () -> src.matrix("a", 4, 1));
      assertTrue(shape.getMessage().contains("'model.a' has shape [2, 2]"), shape.getMessage());
      CheckpointException missing =
          assertThrows(CheckpointException.class, () -> src.vector("zzz", 1));
      assertTrue(missing.getMessage().contains("missing tensor 'zzz'"), missing.getMessage());
    }
  }

  /**
   * A table of a file on disk is read with positional reads (not through the mapping), giving the
   * same rows as the mapped matrix; one of an image in memory stays the mapped matrix.
   */
  @Test
  void tablesOfFilesReadRowsFromTheFile() throws IOException {
    float[] values = new float[7 * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i - 10) * 0.375f;
    }
    byte[] bf16 = new byte[values.length * 2];
    ByteBuffer b = ByteBuffer.wrap(bf16).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putShort((short) (Float.floatToIntBits(v) >>> 16));
    }
    byte[] data = new byte[4 + values.length * 4 + bf16.length];
    System.arraycopy(floats(values), 0, data, 4, values.length * 4);
    System.arraycopy(bf16, 0, data, 4 + values.length * 4, bf16.length);
    Path p =
        file(
            "table.safetensors",
            """
        {"pad":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
         "f32":{"dtype":"F32","shape":[7,3],"data_offsets":[4,88]},
         "bf16":{"dtype":"BF16","shape":[7,3],"data_offsets":[88,130]}}""",
            data);
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsTensorSource src = new SafetensorsTensorSource(SafetensorsFile.open(p, arena));
      for (String name : new String[] {"f32", "bf16"}) {
        TokenEmbeddings table = src.table(name, 7, 3);
        assertInstanceOf(PositionalTokenTable.class, table);
        assertSame(table.matrix().type(), src.matrix(name, 7, 3).type());
        for (int r = 0; r < 7; r++) {
          float[] read = new float[4];
          float[] mapped = new float[4];
          table.readRow(r, read, 1);
          src.matrix(name, 7, 3).readRow(r, mapped, 1);
          assertArrayEquals(mapped, read, name + " row " + r);
          assertArrayEquals(
              Arrays.copyOfRange(values, 3 * r, 3 * r + 3), Arrays.copyOfRange(read, 1, 4));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> table.readRow(7, new float[3], 0));
      }
      SafetensorsTensorSource inMemory =
          new SafetensorsTensorSource(
              SafetensorsFile.parse(p, MemorySegment.ofArray(Files.readAllBytes(p))));
      assertFalse(inMemory.table("f32", 7, 3) instanceof PositionalTokenTable);
    }
  }

  @Test
  void fileShorterThanTheLengthPrefix() throws IOException {
    Path p = dir.resolve("short.safetensors");
    Files.write(p, new byte[] {1, 2, 3});
    assertTrue(fails(p).getMessage().contains("too short"));
  }

  @Test
  void headerLengthPastEndOfFile() throws IOException {
    Path p = dir.resolve("past.safetensors");
    Files.write(
        p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).array());
    CheckpointException e = fails(p);
    assertTrue(e.getMessage().contains("header length 1000000 runs past the end"), e.getMessage());
    assertTrue(e.getMessage().contains("past.safetensors"), e.getMessage());
  }

  @Test
  void hugeHeaderLengthIsRejectedWithoutAllocating() throws IOException {
    Path p = dir.resolve("huge.safetensors");
    Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
    assertTrue(fails(p).getMessage().contains("runs past the end"));
  }

  @Test
  void headerThatIsNotJson() throws IOException {
    assertTrue(
        fails(file("bad.safetensors", "{not json", new byte[0]))
            .getMessage()
            .contains("not valid JSON"));
  }

  @Test
  void truncatedData() throws IOException {
    Path p =
        file(
            "trunc.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
            floats(1, 2));
    CheckpointException e = fails(p);
    assertTrue(
        e.getMessage().contains("tensor 'a'") && e.getMessage().contains("past the data section"),
        e.getMessage());
  }

  @Test
  void overlappingTensors() throws IOException {
    Path p =
        file(
            "overlap.safetensors",
            """
        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
         "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""",
            floats(1, 2, 3));
    CheckpointException e = fails(p);
    assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
  }

  @Test
  void byteLengthDisagreesWithShape() throws IOException {
    Path p =
        file(
            "shape.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
            floats(1, 2));
    CheckpointException e = fails(p);
    assertTrue(e.getMessage().contains("needs 12 bytes but data_offsets span 8"), e.getMessage());
  }

  @Test
  void unknownDtype() throws IOException {
    Path p =
        file(
            "dtype.safetensors",
            "{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            floats(1, 2));
    CheckpointException e = fails(p);
    assertTrue(e.getMessage().contains("unknown dtype 'Q7'"), e.getMessage());
  }

  @Test
  void knownButUnsupportedDtypeFailsWhenUsed() throws IOException {
    Path p =
        file(
            "i8.safetensors",
            "{\"a\":{\"dtype\":\"I8\",\"shape\":[2,2],\"data_offsets\":[0,4]}}",
            new byte[4]);
    try (Arena arena = Arena.ofConfined()) {
      var src = new SafetensorsTensorSource(SafetensorsFile.open(p, arena));
      CheckpointException e = assertThrows(CheckpointException.class, () -> src.matrix("a", 2, 2));
      assertTrue(e.getMessage().contains("dtype I8"), e.getMessage());
    }
  }

  @Test
  void negativeOrOverflowingShapes() throws IOException {
    assertTrue(
        fails(
                file(
                    "neg.safetensors",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
                    new byte[0]))
            .getMessage()
            .contains("bad shape"));
    assertTrue(
        fails(
                file(
                    "ovf.safetensors",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}",
                    new byte[0]))
            .getMessage()
            .contains("overflows"));
  }

  @Test
  void missingFile() {
    CheckpointException e = fails(dir.resolve("nope.safetensors"));
    assertTrue(e.getMessage().contains("file not found"), e.getMessage());
    assertTrue(Arrays.asList(e.getMessage().split(":")).getFirst().endsWith("nope.safetensors"));
  }
}
