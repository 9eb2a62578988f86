package dev.gemmaembed.core.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.Utf8;
import dev.gemmaembed.kernels.WeightType;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GGUF reader on hand-made files: every metadata type round-trips, and every kind of hostile
 * header (wrong magic or version, counts and lengths larger than the file, truncation, bad or
 * overlapping offsets, bad shapes, unknown types) is a {@link CheckpointException} naming the
 * problem — never an OutOfMemoryError or an unchecked exception from deep inside.
 */
class GgufFileTest {

  @TempDir Path dir;

  /** Little-endian GGUF bytes, valid or not, exactly as written. */
  static final class Bytes {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes u8(int v) {
      out.write(v);
      return this;
    }

    Bytes u32(long v) {
      return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    Bytes u64(long v) {
      return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    Bytes str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return u64(b.length).raw(b);
    }

    Bytes raw(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    Bytes header(long tensors, long kvs) {
      return u32(GgufFile.MAGIC).u32(3).u64(tensors).u64(kvs);
    }

    Bytes tensor(String name, long[] ne, int type, long offset) {
      str(name).u32(ne.length);
      for (long d : ne) {
        u64(d);
      }
      return u32(type).u64(offset);
    }

    Bytes padTo(int alignment) {
      while (out.size() % alignment != 0) {
        out.write(0);
      }
      return this;
    }

    Bytes zeros(int n) {
      return raw(new byte[n]);
    }
  }

  private Path write(Bytes b) throws Exception {
    Path f = Files.createTempFile(dir, "t", ".gguf");
    Files.write(f, b.out.toByteArray());
    return f;
  }

  private CheckpointException fails(Bytes b, String expectedFragment) throws Exception {
    Path f = write(b);
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> {
              try (Arena arena = Arena.ofConfined()) {
                GgufFile.open(f, arena);
              }
            });
    assertTrue(e.getMessage().contains(expectedFragment), "message: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
    return e;
  }

  /** A valid two-tensor file: F32 [4] and Q8_0 [32, 2]. */
  private static Bytes valid() {
    Bytes b = new Bytes().header(2, 1);
    b.str("general.architecture").u32(8).str("gemma-embedding");
    b.tensor("norm", new long[] {4}, 0, 0);
    b.tensor("w", new long[] {32, 2}, 8, 32);
    b.padTo(32).zeros(16).padTo(32).zeros(68);
    return b;
  }

  @Test
  void readsEveryValueTypeAndTheTensorTable() throws Exception {
    Bytes b = new Bytes().header(2, 13);
    b.str("u8").u32(0).u8(200);
    b.str("i8").u32(1).u8(0xFE);
    b.str("u16").u32(2).raw(new byte[] {(byte) 0xFF, (byte) 0xFF});
    b.str("i16").u32(3).raw(new byte[] {(byte) 0xFE, (byte) 0xFF});
    b.str("u32").u32(4).u32(0xFFFF_FFFFL);
    b.str("i32").u32(5).u32(-7);
    b.str("f32").u32(6).u32(Float.floatToIntBits(1.5f));
    b.str("bool").u32(7).u8(1);
    b.str("str").u32(8).str("héllo ▁");
    b.str("u64").u32(10).u64(-1);
    b.str("i64").u32(11).u64(-9);
    b.str("f64").u32(12).u64(Double.doubleToLongBits(0.25));
    b.str("arr").u32(9).u32(8).u64(3).str("a").str("").str("ü");
    b.tensor("norm", new long[] {4}, 0, 0);
    b.tensor("w", new long[] {32, 2}, 8, 32);
    b.padTo(32).zeros(16).padTo(32).zeros(68);
    Path f = write(b);
    try (Arena arena = Arena.ofConfined()) {
      GgufFile g = GgufFile.open(f, arena);
      assertEquals(3, g.version());
      assertEquals(200L, g.get("u8").orElseThrow().asLong());
      assertEquals(-2L, g.get("i8").orElseThrow().asLong());
      assertEquals(65535L, g.get("u16").orElseThrow().asLong());
      assertEquals(-2L, g.get("i16").orElseThrow().asLong());
      assertEquals(0xFFFF_FFFFL, g.get("u32").orElseThrow().asLong());
      assertEquals(-7L, g.get("i32").orElseThrow().asLong());
      assertEquals(1.5, g.get("f32").orElseThrow().asDouble());
      assertTrue(g.get("bool").orElseThrow().asBoolean());
      assertEquals("héllo ▁", g.get("str").orElseThrow().asString());
      assertEquals("18446744073709551615", g.get("u64").orElseThrow().toString());
      assertThrows(IllegalStateException.class, () -> g.get("u64").orElseThrow().asLong());
      assertEquals(-9L, g.get("i64").orElseThrow().asLong());
      assertEquals(0.25, g.get("f64").orElseThrow().asDouble());
      assertEquals(java.util.List.of("a", "", "ü"), g.get("arr").orElseThrow().asArray().strings());
      // the elements' bytes as the file encodes them
      assertArrayEquals(
          new Bytes().u64(1).raw(new byte[] {'a'}).u64(0).str("ü").out.toByteArray(),
          g.get("arr").orElseThrow().asArray().encoded().toArray(ValueLayout.JAVA_BYTE));
      GgufTensor w = g.require("w");
      assertEquals(WeightType.Q8_0, w.type());
      assertArrayEquals(new long[] {2, 32}, w.shape());
      assertEquals(68, w.byteSize());
      assertEquals(68, g.bytes(w).byteSize());
      assertEquals(32, g.alignment());
      assertEquals(0, g.dataOffset() % 32);
    }
  }

  @Test
  void readsVersion2() throws Exception {
    Bytes b = new Bytes().u32(GgufFile.MAGIC).u32(2).u64(1).u64(1).str("k").u32(4).u32(7);
    b.tensor("t", new long[] {4}, 0, 0).padTo(32).zeros(16);
    try (Arena arena = Arena.ofConfined()) {
      GgufFile g = GgufFile.open(write(b), arena);
      assertEquals(2, g.version());
      assertEquals(7L, g.get("k").orElseThrow().asLong());
      assertEquals(16, g.require("t").byteSize());
    }
  }

  @Test
  void rejectsAWrongMagic() throws Exception {
    fails(
        new Bytes().raw("GGML".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(0).u64(0),
        "not a GGUF file");
    fails(new Bytes().u8('G'), "not a GGUF file");
  }

  @Test
  void rejectsUnsupportedVersions() throws Exception {
    fails(new Bytes().u32(GgufFile.MAGIC).u32(1).u32(0).u32(0), "version 1 is not supported");
    fails(new Bytes().u32(GgufFile.MAGIC).u32(4).u64(0).u64(0), "unsupported GGUF version 4");
    fails(new Bytes().u32(GgufFile.MAGIC).u32(Integer.reverseBytes(3)).u64(0).u64(0), "big-endian");
  }

  @Test
  void rejectsCountsTheFileCannotHold() throws Exception {
    fails(new Bytes().header(1L << 62, 0), "tensor count 4611686018427387904 cannot fit");
    fails(new Bytes().header(-1, 0), "tensor count 18446744073709551615 cannot fit");
    fails(new Bytes().header(0, 1L << 60), "metadata count");
    fails(new Bytes().header(0, 1).str("a").u32(9).u32(10).u64(1L << 61), "cannot fit in the");
    fails(new Bytes().header(0, 1).str("a").u32(9).u32(8).u64(Long.MAX_VALUE), "cannot fit in the");
    fails(new Bytes().header(0, 1).str("a").u32(8).u64(1L << 40), "runs past the end of the file");
    fails(new Bytes().header(0, 1).u64(-1).zeros(16), "runs past the end of the file");
  }

  @Test
  void rejectsTruncationAnywhereInTheHeader() throws Exception {
    byte[] whole = valid().out.toByteArray();
    int dataStart = whole.length - 68 - 16 - 12; // somewhere before the padding
    for (int cut = 0; cut < dataStart; cut += 3) {
      Bytes b = new Bytes().raw(java.util.Arrays.copyOf(whole, cut));
      Path f = write(b);
      assertThrows(
          CheckpointException.class,
          () -> {
            try (Arena arena = Arena.ofConfined()) {
              GgufFile.open(f, arena);
            }
          },
          "cut at " + cut);
    }
    fails(
        new Bytes().raw(java.util.Arrays.copyOf(whole, whole.length - 1)),
        "runs past the end of the data section");
  }

  @Test
  void rejectsBadOffsetsAndOverlaps() throws Exception {
    Bytes misaligned =
        new Bytes().header(1, 0).tensor("t", new long[] {4}, 0, 4).padTo(32).zeros(64);
    fails(misaligned, "tensor 't': data offset 4 is not a multiple of the alignment 32");
    Bytes past =
        new Bytes().header(1, 0).tensor("t", new long[] {4}, 0, 1L << 40).padTo(32).zeros(64);
    fails(past, "runs past the end of the data section");
    Bytes negative =
        new Bytes().header(1, 0).tensor("t", new long[] {4}, 0, -32).padTo(32).zeros(64);
    fails(negative, "is not a multiple of the alignment");
    Bytes overlap =
        new Bytes()
            .header(2, 0)
            .tensor("a", new long[] {16}, 0, 0)
            .tensor("b", new long[] {8}, 0, 32)
            .padTo(32)
            .zeros(128);
    fails(overlap, "overlaps tensor 'a'");
  }

  @Test
  void rejectsBadShapesAndTypes() throws Exception {
    fails(
        new Bytes().header(1, 0).tensor("t", new long[] {4, 1, 1, 1, 1}, 0, 0).padTo(32).zeros(32),
        "n_dims 5");
    fails(
        new Bytes().header(1, 0).tensor("t", new long[] {}, 0, 0).padTo(32).zeros(32), "n_dims 0");
    fails(
        new Bytes().header(1, 0).tensor("t", new long[] {-1}, 0, 0).padTo(32).zeros(32),
        "too large");
    fails(
        new Bytes()
            .header(1, 0)
            .tensor("t", new long[] {1L << 40, 1L << 40}, 0, 0)
            .padTo(32)
            .zeros(32),
        "overflows");
    fails(
        new Bytes().header(1, 0).tensor("t", new long[] {33}, 8, 0).padTo(32).zeros(64),
        "not a multiple of the Q8_0 block size");
    fails(
        new Bytes().header(1, 0).tensor("t", new long[] {32}, 99, 0).padTo(32).zeros(64),
        "unsupported tensor type 99 in tensor 't'");
    fails(
        new Bytes()
            .header(2, 0)
            .tensor("t", new long[] {8}, 0, 0)
            .tensor("t", new long[] {8}, 0, 32)
            .padTo(32)
            .zeros(64),
        "duplicate tensor name 't'");
  }

  /** What the JDK's strict UTF-8 decoder accepts. */
  private static boolean decodes(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void theArrayStringCheckAcceptsExactlyWhatTheUtf8DecoderAccepts() {
    // every non-ASCII byte followed by every byte, then (3- and 4-byte leads) by each bound of a
    // continuation byte, with one byte before (inside the range) and one after (outside); then
    // random 4-8 byte runs of lead and continuation bytes, where 4-byte forms and their bounds live
    int[] interesting = {
      0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF,
      0xF0, 0xF3, 0xF4, 0xF5, 0xFF
    };
    byte[] b = new byte[5];
    int checked = 0;
    for (int b0 = 0x80; b0 <= 0xFF; b0++) {
      for (int b1 = 0; b1 <= 0xFF; b1++) {
        for (int b2 : b0 >= 0xE0 ? interesting : new int[] {0x80}) {
          b[0] = 'x';
          b[1] = (byte) b0;
          b[2] = (byte) b1;
          b[3] = (byte) b2;
          b[4] = (byte) 0xFF; // out of range: must not be read
          for (int end = 2; end <= 4; end++) {
            byte[] in = Arrays.copyOfRange(b, 0, end);
            assertEquals(
                decodes(in), Utf8.firstInvalid(b, 0, end) < 0, HexFormat.of().formatHex(in));
            checked++;
          }
        }
      }
    }
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 300_000; i++) {
      byte[] in = new byte[4 + r.nextInt(5)];
      for (int k = 0; k < in.length; k++) {
        in[k] =
            (byte)
                (r.nextInt(4) == 0 ? r.nextInt(256) : interesting[r.nextInt(interesting.length)]);
      }
      assertEquals(
          decodes(in), Utf8.firstInvalid(in, 0, in.length) < 0, HexFormat.of().formatHex(in));
      checked++;
    }
    assertTrue(Utf8.firstInvalid("ü€𝄞 ok".getBytes(StandardCharsets.UTF_8), 0, 10) < 0);
    assertTrue(checked > 800_000, "checked " + checked);
  }

  /** The strings of array 'k' of a file holding only that, after opening it. */
  private List<String> arrayStrings(Bytes b, Arena arena) throws Exception {
    return GgufFile.open(write(b), arena).get("k").orElseThrow().asArray().strings();
  }

  private static Bytes stringArray(byte[]... strings) {
    Bytes b = new Bytes().header(0, 1).str("k").u32(9).u32(8).u64(strings.length);
    for (byte[] s : strings) {
      b.u64(s.length).raw(s);
    }
    return b;
  }

  @Test
  void anArraysStringsAreCheckedAsUtf8WhenRead() throws Exception {
    byte[] bad = {(byte) 0xC3, 0x28};
    String longText = "ü".repeat(100); // 200 bytes: its length is not one ASCII byte
    byte[] longOk = longText.getBytes(StandardCharsets.UTF_8);
    try (Arena arena = Arena.ofConfined()) {
      // opening reads no string; the first read checks them all and names the first bad one
      List<String> strings = arrayStrings(stringArray("ok".getBytes(), bad, bad), arena);
      CheckpointException e = assertThrows(CheckpointException.class, () -> strings.get(0));
      assertTrue(
          e.getMessage().endsWith("metadata 'k'[1]: string at offset 67 is not valid UTF-8"),
          e.getMessage());
      GgufArray array =
          GgufFile.open(write(stringArray("ok".getBytes(), bad)), arena)
              .get("k")
              .orElseThrow()
              .asArray();
      assertEquals("ok", array.stringAt(0));
      assertThrows(CheckpointException.class, () -> array.stringAt(1));
      // a lead byte at a string's end and a continuation byte at the next one's start: each
      // string is malformed, though together they would be a well-formed "©"
      byte[] lead = {(byte) 0xC2};
      byte[] continuation = {(byte) 0xA9};
      e =
          assertThrows(
              CheckpointException.class,
              () -> arrayStrings(stringArray(lead, continuation), arena).get(1));
      assertTrue(e.getMessage().contains("'k'[0]: string at offset"), e.getMessage());
      // a string of 0x80 bytes or more: each string is checked on its own
      assertEquals(
          List.of(longText, "ok"), arrayStrings(stringArray(longOk, "ok".getBytes()), arena));
      e =
          assertThrows(
              CheckpointException.class,
              () -> arrayStrings(stringArray(longOk, "ok".getBytes(), bad), arena).get(0));
      assertTrue(e.getMessage().contains("'k'[2]: string at offset"), e.getMessage());
    }
  }

  @Test
  void rejectsMalformedMetadata() throws Exception {
    fails(new Bytes().header(0, 1).str("k").u32(13).u8(0), "unknown value type 13");
    fails(new Bytes().header(0, 1).str("k").u32(7).u8(2), "bool byte is 2");
    fails(
        new Bytes().header(0, 1).str("k").u32(8).u64(2).raw(new byte[] {(byte) 0xC3, 0x28}),
        "not valid UTF-8");
    fails(
        new Bytes().header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(2),
        "duplicate metadata key 'k'");
    fails(new Bytes().header(0, 1).str("general.alignment").u32(4).u32(24), "power of two");
    fails(new Bytes().header(0, 1).str("general.alignment").u32(10).u64(32), "must be a UINT32");
    Bytes deep = new Bytes().header(0, 1).str("k").u32(9);
    for (int i = 0; i < 5; i++) {
      deep.u32(9).u64(1);
    }
    deep.u32(4).u64(1).u32(0);
    fails(deep, "nested deeper");
  }

  @Test
  void honoursACustomAlignment() throws Exception {
    Bytes b = new Bytes().header(1, 1).str("general.alignment").u32(4).u32(64);
    b.tensor("t", new long[] {4}, 0, 64).padTo(64).zeros(128);
    try (Arena arena = Arena.ofConfined()) {
      GgufFile g = GgufFile.open(write(b), arena);
      assertEquals(64, g.alignment());
      assertEquals(0, g.dataOffset() % 64);
      assertEquals(16, g.bytes(g.require("t")).byteSize());
    }
  }
}
