package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.core.QuantizationRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --calibration FILE}: embeddings whose per-dimension range int8/uint8 use, as
 * sentence-transformers' {@code calibration_embeddings}. A {@code .npy} float32 matrix (n × dims, C
 * order), or {@code embed}'s JSONL output (one {@code "embedding"} array per line).
 */
final class CalibrationFile {

  private static final Pattern NPY_HEADER =
      Pattern.compile(
          "\\{\\s*'descr':\\s*'<f4',\\s*'fortran_order':\\s*False,\\s*'shape':\\s*\\((\\d+),\\s*(\\d+)\\),?\\s*}\\s*");

  private CalibrationFile() {}

  static QuantizationRange read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw CliException.input("--calibration " + file + ": no such file");
    }
    String name = file.getFileName().toString();
    List<float[]> rows = name.endsWith(".npy") ? npy(file) : jsonl(file);
    return QuantizationRange.of(rows, "--calibration " + file);
  }

  private static List<float[]> npy(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10
        || (bytes[0] & 0xFF) != 0x93
        || !new String(bytes, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")
        || bytes[6] != 1) {
      throw CliException.input("--calibration " + file + ": not an NPY 1.0 file");
    }
    int headerLength = Short.toUnsignedInt(b.getShort(8));
    if (10 + headerLength > bytes.length) {
      throw CliException.input("--calibration " + file + ": header runs past the end of the file");
    }
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    Matcher m = NPY_HEADER.matcher(header);
    if (!m.matches()) {
      throw CliException.input(
          "--calibration "
              + file
              + ": expected a C-order float32 ('<f4') matrix of shape "
              + "(n, dims), got header "
              + header.strip());
    }
    long n = Long.parseLong(m.group(1));
    long dims = Long.parseLong(m.group(2));
    long data = bytes.length - 10L - headerLength;
    if (dims == 0
        || n > Integer.MAX_VALUE
        || dims > Integer.MAX_VALUE
        || n * dims * Float.BYTES != data) {
      throw CliException.input(
          "--calibration "
              + file
              + ": shape ("
              + n
              + ", "
              + dims
              + ") needs "
              + n * dims * Float.BYTES
              + " bytes of data, the file has "
              + data);
    }
    b.position(10 + headerLength);
    List<float[]> rows = new ArrayList<>((int) n);
    for (long r = 0; r < n; r++) {
      float[] v = new float[(int) dims];
      b.asFloatBuffer().get(v);
      b.position(b.position() + v.length * Float.BYTES);
      rows.add(v);
    }
    return rows;
  }

  private static List<float[]> jsonl(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<float[]> rows = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode e;
        try {
          e = json.readTree(line).get("embedding");
        } catch (JsonProcessingException ex) {
          throw CliException.input(
              "--calibration "
                  + file
                  + ", line "
                  + number
                  + ": not JSON ("
                  + ex.getOriginalMessage()
                  + ")");
        }
        if (e == null || !e.isArray()) {
          throw CliException.input(
              "--calibration " + file + ", line " + number + ": no \"embedding\" array");
        }
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) {
          if (!e.get(i).isNumber()) {
            throw CliException.input(
                "--calibration "
                    + file
                    + ", line "
                    + number
                    + ": embedding["
                    + i
                    + "] is not a number");
          }
          v[i] = e.get(i).floatValue();
        }
        rows.add(v);
      }
    }
    return rows;
  }
}
