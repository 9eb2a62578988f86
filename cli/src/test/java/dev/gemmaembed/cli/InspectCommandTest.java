package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.tools.GgufWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gemma-embed inspect} prints what a file says, with the control characters in it escaped.
 */
class InspectCommandTest {

  private static void assertNoControlCharacters(String text) {
    assertTrue(
        text.chars()
            .noneMatch(c -> (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0x202e),
        text);
  }

  @Test
  void ggufStringsAreShownWithTheirControlCharactersEscaped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("evil.gguf");
    new GgufWriter()
        .putString("general.architecture", "gemma-embedding\u001b]0;owned\u0007")
        .putString("general.name\u001b[2J", "evil\u009b31m\u202e")
        .addTensor("t\u001b[31m", new long[] {32}, WeightType.F32, out -> out.reserve(128))
        .write(file);
    var r = CliHarness.exec("inspect", file.toString());
    assertEquals(0, r.exit(), r.toString());
    String out = r.out();
    assertNoControlCharacters(out);
    assertTrue(out.contains("\"gemma-embedding\\x1B]0;owned\\x07\""), out);
    assertTrue(
        out.contains("general.name\\x1B[2J") && out.contains("\"evil\\x9B31m\\u202E\""), out);
    assertTrue(out.contains("t\\x1B[31m"), out);
  }

  @Test
  void safetensorsMetadataAndNamesAreEscapedToo(@TempDir Path dir) throws Exception {
    String header =
        "{\"__metadata__\":{\"format\\u001b[5m\":\"pt\\u0007\"},"
            + "\"w\\u001b[31m\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
    bytes.write(json);
    bytes.write(new byte[4]);
    Path file = dir.resolve("evil.safetensors");
    Files.write(file, bytes.toByteArray());
    var r = CliHarness.exec("inspect", file.toString());
    assertEquals(0, r.exit(), r.toString());
    assertNoControlCharacters(r.out());
    assertTrue(
        r.out().contains("format\\x1B[5m = pt\\x07") && r.out().contains("w\\x1B[31m"), r.out());
  }
}
