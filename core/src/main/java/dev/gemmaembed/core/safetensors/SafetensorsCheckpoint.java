package dev.gemmaembed.core.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.model.TensorSource;
import dev.gemmaembed.core.model.TokenEmbeddings;
import dev.gemmaembed.kernels.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors of a model folder's safetensors checkpoint: {@code model.safetensors}, or the shards
 * that {@code model.safetensors.index.json}'s {@code weight_map} names (transformers' {@code
 * save_pretrained} layout for large models). Each shard is mapped once, when the first of its
 * tensors is asked for; a shard no asked-for tensor lives in is never opened.
 */
public final class SafetensorsCheckpoint implements TensorSource {

  public static final String SINGLE = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path index;
  private final Arena arena;

  /** Tensor name → shard file (a plain name in the folder). */
  private final Map<String, Path> weightMap;

  private final Map<Path, SafetensorsTensorSource> shards = new HashMap<>();

  private SafetensorsCheckpoint(Path index, Arena arena, Map<String, Path> weightMap) {
    this.index = index;
    this.arena = arena;
    this.weightMap = weightMap;
  }

  /**
   * The folder's single-file checkpoint, else its sharded one; a {@link ConfigException} when it
   * has neither.
   */
  public static TensorSource open(Path dir, Arena arena) {
    Path single = dir.resolve(SINGLE);
    if (Files.isRegularFile(single)) {
      return new SafetensorsTensorSource(SafetensorsFile.open(single, arena));
    }
    Path index = dir.resolve(INDEX);
    if (Files.isRegularFile(index)) {
      return new SafetensorsCheckpoint(index, arena, readIndex(dir, index));
    }
    throw new ConfigException(
        single, "model weights not found (nor a sharded checkpoint's " + INDEX + ")");
  }

  private static Map<String, Path> readIndex(Path dir, Path index) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(index));
    } catch (JacksonException e) {
      throw new CheckpointException(index, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CheckpointException(index, "cannot read: " + e.getMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(
          index, "missing 'weight_map' (an object of tensor name → shard file)");
    }
    Map<String, Path> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      String shard = e.getValue().asText("");
      // shards are files of the folder itself: refuse paths that would leave it
      if (!e.getValue().isTextual()
          || shard.isEmpty()
          || shard.contains("/")
          || shard.contains("\\")
          || shard.equals(".")
          || shard.equals("..")) {
        throw new CheckpointException(
            index,
            "weight_map['"
                + e.getKey()
                + "']: '"
                + e.getValue().asText()
                + "' is not a shard file name in the model folder");
      }
      out.put(e.getKey(), dir.resolve(shard));
    }
    return out;
  }

  @Override
  public boolean has(String name) {
    return weightMap.containsKey(name);
  }

  @Override
  public WeightMatrix matrix(String name, int rows, int cols) {
    return shard(name).matrix(name, rows, cols);
  }

  @Override
  public TokenEmbeddings table(String name, int rows, int cols) {
    return shard(name).table(name, rows, cols);
  }

  @Override
  public float[] vector(String name, int n) {
    return shard(name).vector(name, n);
  }

  private synchronized SafetensorsTensorSource shard(String name) {
    Path file = weightMap.get(name);
    if (file == null) {
      throw new CheckpointException(index, "missing tensor '" + name + "' (not in weight_map)");
    }
    SafetensorsTensorSource src =
        shards.computeIfAbsent(
            file,
            f -> {
              if (!Files.isRegularFile(f)) {
                throw new CheckpointException(
                    f, "shard named by " + index.getFileName() + " not found");
              }
              return new SafetensorsTensorSource(SafetensorsFile.open(f, arena));
            });
    if (!src.has(name)) {
      throw new CheckpointException(
          file, "missing tensor '" + name + "' that " + index.getFileName() + " places here");
    }
    return src;
  }
}
