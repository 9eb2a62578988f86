package dev.gemmaembed.tools;

import dev.gemmaembed.core.ConfigException;
import dev.gemmaembed.core.TerminalText;
import dev.gemmaembed.core.gguf.Eg2GgufNames;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufModelLoader;
import dev.gemmaembed.core.gguf.GgufTensor;
import dev.gemmaembed.core.gguf.GgufValue;
import dev.gemmaembed.core.model.Architecture;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.TensorInfo;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints a checkpoint's metadata and tensor table (name, type, shape, bytes) for a GGUF file, a
 * {@code .safetensors} file, or a model directory (its {@code model.safetensors}). Shapes are shown
 * in PyTorch order, {@code [rows, cols]}: a GGUF {@code ne = [768, 262144]} prints as {@code
 * [262144, 768]}. Names and values come from the file: control characters in them are printed
 * escaped ({@link TerminalText}), so that a file cannot drive the terminal.
 */
public final class CheckpointInspector {

  private CheckpointInspector() {}

  public static void inspect(Path path, PrintWriter out) {
    Path file = Files.isDirectory(path) ? path.resolve("model.safetensors") : path;
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file, "no such checkpoint file");
    }
    Path config = path.resolve("config.json");
    if (Files.isDirectory(path) && Files.isRegularFile(config)) {
      Architecture arch = Architecture.of(config);
      out.printf("%s: architecture %s (model_type %s)%n", path, arch, arch.modelType());
      arch.describe(config).forEach(line -> out.println("  " + line));
      out.println();
    }
    try (Arena arena = Arena.ofConfined()) {
      if (GgufModelLoader.isGguf(file)) {
        gguf(GgufFile.open(file, arena), out);
      } else {
        safetensors(SafetensorsFile.open(file, arena), out);
      }
    }
    out.flush();
  }

  private static void gguf(GgufFile f, PrintWriter out) {
    out.printf(
        "%s: GGUF v%d, %,d bytes, alignment %d, data section at offset %,d%n",
        safe(f.path()), f.version(), f.fileSize(), f.alignment(), f.dataOffset());
    out.printf(
        "%nmetadata (%d %s):%n", f.metadata().size(), f.metadata().size() == 1 ? "key" : "keys");
    int width = f.metadata().keySet().stream().mapToInt(String::length).max().orElse(10);
    for (Map.Entry<String, GgufValue> e : f.metadata().entrySet()) {
      String ours =
          Eg2GgufNames.OURS.contains(e.getKey())
              ? "  (gemma-embed's key: unverified against llama.cpp)"
              : "";
      out.printf(
          "  %-" + width + "s  %-7s  %s%s%n",
          safe(e.getKey()),
          e.getValue().type(),
          safe(e.getValue()),
          ours);
    }
    Map<String, long[]> byType = new TreeMap<>();
    int nameWidth = f.tensors().keySet().stream().mapToInt(String::length).max().orElse(10);
    out.printf("%ntensors (%d):%n", f.tensors().size());
    out.printf("  %-" + nameWidth + "s  %-7s  %-16s  %12s%n", "name", "type", "shape", "bytes");
    for (GgufTensor t : f.tensors().values()) {
      out.printf(
          "  %-" + nameWidth + "s  %-7s  %-16s  %,12d%n",
          safe(t.name()),
          t.type(),
          Arrays.toString(t.shape()),
          t.byteSize());
      tally(byType, t.type().toString(), t.byteSize());
    }
    totals(byType, out);
  }

  private static void safetensors(SafetensorsFile f, PrintWriter out) {
    long total = f.tensors().values().stream().mapToLong(TensorInfo::byteLength).sum();
    out.printf(
        "%s: safetensors, %d tensors, %,d bytes of tensor data%n",
        safe(f.path()), f.tensors().size(), total);
    out.printf(
        "%nmetadata (%d %s):%n", f.metadata().size(), f.metadata().size() == 1 ? "key" : "keys");
    f.metadata().forEach((k, v) -> out.printf("  %s = %s%n", safe(k), safe(v)));
    Map<String, long[]> byType = new TreeMap<>();
    int nameWidth = f.tensors().keySet().stream().mapToInt(String::length).max().orElse(10);
    out.printf("%ntensors (%d):%n", f.tensors().size());
    out.printf("  %-" + nameWidth + "s  %-7s  %-16s  %12s%n", "name", "type", "shape", "bytes");
    for (TensorInfo t : f.tensors().values()) {
      out.printf(
          "  %-" + nameWidth + "s  %-7s  %-16s  %,12d%n",
          safe(t.name()),
          t.dtype(),
          Arrays.toString(t.shape()),
          t.byteLength());
      tally(byType, t.dtype().toString(), t.byteLength());
    }
    totals(byType, out);
  }

  private static String safe(Object text) {
    return TerminalText.escape(String.valueOf(text));
  }

  private static void tally(Map<String, long[]> byType, String type, long bytes) {
    long[] c = byType.computeIfAbsent(type, k -> new long[2]);
    c[0]++;
    c[1] += bytes;
  }

  private static void totals(Map<String, long[]> byType, PrintWriter out) {
    out.printf("%nby type:%n");
    byType.forEach((type, c) -> out.printf("  %-7s %5d tensors  %,15d bytes%n", type, c[0], c[1]));
  }
}
