package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.TensorInfo;
import dev.gemmaembed.testing.Eg2TinyModel;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tools.GgufQuantizeTool;
import dev.gemmaembed.tools.QuantType;
import dev.gemmaembed.tools.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint split into shards with {@code model.safetensors.index.json} (as transformers' {@code
 * save_pretrained} writes large models) gives bitwise the vectors of the single file, for both
 * architectures; a shard name that leaves the folder, or a missing shard, is a typed error.
 */
class ShardedCheckpointTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TEXTS =
      List.of("Hello world", "a longer text about the red planet, Mars", "");

  @Test
  void gemma3ShardsEmbedAsTheSingleFile() throws IOException {
    Path sharded = shard(TinyModel.dir(), "sharded-gemma3", 3);
    assertFalse(Files.exists(sharded.resolve("model.safetensors")));
    assertSameVectors(TinyModel.dir(), sharded);
  }

  @Test
  void eg2ShardsEmbedAsTheSingleFile() throws IOException {
    assertSameVectors(Eg2TinyModel.dir(), shard(Eg2TinyModel.dir(), "sharded-eg2", 4));
  }

  @Test
  void quantizeReadsShards() throws IOException {
    Path sharded = shard(TinyModel.dir(), "sharded-gemma3-quantize", 2);
    Path a = Path.of("target", "test-models", "from-single-q8_0.gguf");
    Path b = Path.of("target", "test-models", "from-shards-q8_0.gguf");
    GgufQuantizeTool.quantize(TinyModel.dir(), a, QuantType.Q8_0);
    GgufQuantizeTool.quantize(sharded, b, QuantType.Q8_0);
    assertSameVectors(a, b);
  }

  @Test
  void badIndexesAreTypedErrors() throws IOException {
    Path dir = shard(Eg2TinyModel.dir(), "sharded-eg2-bad", 2);
    Path index = dir.resolve("model.safetensors.index.json");
    String good = Files.readString(index);
    Files.writeString(
        index, good.replaceFirst("model-00001-of-00002.safetensors", "../escape.safetensors"));
    String msg = assertThrows(CheckpointException.class, () -> Embedder.load(dir)).getMessage();
    assertTrue(msg.contains("weight_map") && msg.contains("escape"), msg);
    Files.writeString(index, good);
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    msg = assertThrows(CheckpointException.class, () -> Embedder.load(dir)).getMessage();
    assertTrue(msg.contains("model-00002-of-00002.safetensors") && msg.contains("not found"), msg);
  }

  private static void assertSameVectors(Path single, Path sharded) {
    try (Embedder a = Embedder.load(single, LoadOptions.defaults().withThreads(2));
        Embedder b = Embedder.load(sharded, LoadOptions.defaults().withThreads(2))) {
      for (String t : TEXTS) {
        assertArrayEquals(a.embed(t), b.embed(t), t);
      }
    }
  }

  /**
   * A copy of {@code src}'s folder (other files linked) whose float32 model.safetensors is split
   * round-robin over {@code n} shards, with the index.
   */
  static Path shard(Path src, String name, int n) throws IOException {
    Path dir = TestModels.linkedCopy(src, name);
    Files.delete(dir.resolve("model.safetensors"));
    ObjectNode index = JSON.createObjectNode();
    index.putObject("metadata").put("total_size", 0);
    ObjectNode map = index.putObject("weight_map");
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st = SafetensorsFile.open(src.resolve("model.safetensors"), arena);
      List<SafetensorsWriter> writers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        writers.add(new SafetensorsWriter());
      }
      int i = 0;
      for (TensorInfo t : st.tensors().values()) {
        var bytes = st.bytes(t);
        String file = String.format("model-%05d-of-%05d.safetensors", i % n + 1, n);
        writers
            .get(i % n)
            .add(
                t.name(),
                t.shape(),
                (start, out) -> {
                  for (int j = 0; j < out.length; j++) {
                    out[j] = bytes.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, start + j);
                  }
                });
        map.put(t.name(), file);
        i++;
      }
      for (int k = 0; k < n; k++) {
        writers
            .get(k)
            .write(dir.resolve(String.format("model-%05d-of-%05d.safetensors", k + 1, n)));
      }
    }
    Files.writeString(dir.resolve("model.safetensors.index.json"), JSON.writeValueAsString(index));
    return dir;
  }
}
