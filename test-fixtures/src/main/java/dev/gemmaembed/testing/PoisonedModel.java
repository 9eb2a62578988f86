package dev.gemmaembed.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * A copy of the tiny model under target/ whose token-embedding row of {@code <bos>} (id 2, in every
 * text) is NaN: it loads, and every vector it would give is NaN.
 */
public final class PoisonedModel {

  private PoisonedModel() {}

  public static synchronized Path bosRowNaN() throws IOException {
    Path src = TinyModel.dir().toAbsolutePath();
    Path dir = src.resolveSibling("tiny-nan-bos");
    if (Files.exists(dir.resolve(".complete"))) {
      return dir;
    }
    try (Stream<Path> files = Files.walk(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dst = dir.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else if (!p.getFileName().toString().equals(".complete")) {
          Files.copy(p, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve("model.safetensors"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      int headerLength = (int) len.getLong(0);
      ByteBuffer header = ByteBuffer.allocate(headerLength);
      ch.read(header, 8);
      JsonNode table = new ObjectMapper().readTree(header.array()).get("embed_tokens.weight");
      int cols = table.get("shape").get(1).asInt();
      long row =
          8 + headerLength + table.get("data_offsets").get(0).asLong() + 2L * cols * Float.BYTES;
      ByteBuffer nan = ByteBuffer.allocate(cols * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      while (nan.hasRemaining()) {
        nan.putFloat(Float.NaN);
      }
      ch.write(nan.flip(), row);
    }
    Files.writeString(dir.resolve(".complete"), "ok");
    return dir;
  }
}
