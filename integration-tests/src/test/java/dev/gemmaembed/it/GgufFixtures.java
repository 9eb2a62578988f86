package dev.gemmaembed.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.gguf.GgufTensorType;
import dev.gemmaembed.tools.GgufQuantizeTool;
import dev.gemmaembed.tools.QuantType;
import dev.gemmaembed.tools.TensorLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * GGUF files of the tiny model made with the project's own quantizer, once per build under
 * target/test-models/gguf. Their per-tensor hashes (and whole-file hashes) equal those of the
 * llama.cpp-made files in shared/golden/tiny, so CI tests the same bytes without reading
 * /work/shared. The model folder is reached through a link named like llama.cpp's source folder,
 * because the converter writes the folder name as {@code general.name}.
 */
final class GgufFixtures {

  /** llama.cpp's *-Q4_0.gguf layout: Q4_0 matrices with a Q8_0 token table (ggml-org's QAT file). */
  static final TensorLayout LLAMA_Q4_0 = new TensorLayout() {
    @Override
    public GgufTensorType tensorType(String ggufName, long[] ne, int layers) {
      return ne.length < 2 ? GgufTensorType.F32
          : ggufName.equals("token_embd.weight") ? GgufTensorType.Q8_0 : GgufTensorType.Q4_0;
    }

    @Override
    public int fileType() {
      return 2;
    }
  };

  /** One golden text of golden-q8_0 / golden-q4_0. */
  record QuantCase(int index, String text, int[] ids, float[] numpyDequant, float[] llamaCpp) {}

  private static final Path DIR = Path.of("target", "test-models", "gguf");

  private GgufFixtures() {}

  /** llama.cpp's embeddinggemma-synthetic-tiny-Q8_0.gguf, rebuilt: every matrix Q8_0. */
  static Path q8_0() {
    return make("embeddinggemma-synthetic-tiny-Q8_0.gguf", QuantType.Q8_0);
  }

  /** llama.cpp's embeddinggemma-synthetic-tiny-Q4_0.gguf, rebuilt (Q8_0 token table). */
  static Path q4_0() {
    return make("embeddinggemma-synthetic-tiny-Q4_0.gguf", LLAMA_Q4_0);
  }

  /** The tiny model written with {@code gemma-embed quantize --type type}. */
  static Path of(QuantType type) {
    return type == QuantType.Q8_0 ? q8_0() : make("tiny-" + type + ".gguf", type);
  }

  /** The tiny model's folder under the name llama.cpp's files were converted from. */
  static synchronized Path namedModelDir() {
    Path link = Path.of("target", "test-models", "embeddinggemma-synthetic-tiny");
    try {
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, TestModels.tiny().toAbsolutePath());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return link;
  }

  private static synchronized Path make(String name, TensorLayout layout) {
    Path file = DIR.resolve(name);
    if (!Files.exists(file)) {
      try {
        GgufQuantizeTool.write(namedModelDir(), file, layout);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return file;
  }

  /**
   * shared/golden/tiny (llama.cpp's own files) when this checkout sits next to it
   * ({@code -Dgemma.shared=DIR} overrides); empty on CI.
   */
  static Optional<Path> sharedTiny() {
    String prop = System.getProperty("gemma.shared");
    Path shared = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
    Path tiny = shared.resolve("golden").resolve("tiny");
    return Files.isRegularFile(tiny.resolve("embeddinggemma-synthetic-tiny-Q8_0.gguf")) ? Optional.of(tiny) : Optional.empty();
  }

  /** The cases of golden-q8_0.jsonl or golden-q4_0.jsonl. */
  static List<QuantCase> cases(String resource) {
    List<QuantCase> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : Golden.lines(resource)) {
      out.add(new QuantCase(i++, n.get("text").asText(), Golden.ints(n.get("ids")),
          Golden.floats(n.get("embedding_numpy_dequant")), Golden.floats(n.get("embedding_llama_cpp"))));
    }
    return out;
  }
}
