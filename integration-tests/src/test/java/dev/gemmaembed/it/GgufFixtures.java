package dev.gemmaembed.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tools.GgufQuantizeTool;
import dev.gemmaembed.tools.QuantType;
import dev.gemmaembed.tools.TensorLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
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

  /**
   * llama.cpp's *-Q4_0.gguf layout: Q4_0 matrices with a Q8_0 token table (ggml-org's QAT file).
   */
  static final TensorLayout LLAMA_Q4_0 =
      new TensorLayout() {
        @Override
        public WeightType tensorType(String ggufName, long[] ne, int layers) {
          return ne.length < 2
              ? WeightType.F32
              : ggufName.equals("token_embd.weight") ? WeightType.Q8_0 : WeightType.Q4_0;
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
        Files.createSymbolicLink(link, TinyModel.dir().toAbsolutePath());
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
   * shared/golden/tiny (llama.cpp's own files) when this checkout sits next to it ({@code
   * -Dgemma.shared=DIR} overrides); empty on CI.
   */
  static Optional<Path> sharedTiny() {
    String prop = System.getProperty("gemma.shared");
    Path shared = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
    Path tiny = shared.resolve("golden").resolve("tiny");
    return Files.isRegularFile(tiny.resolve("embeddinggemma-synthetic-tiny-Q8_0.gguf"))
        ? Optional.of(tiny)
        : Optional.empty();
  }

  /**
   * llama.cpp's own file of {@code type} (Q8_0 or Q4_0): shared/golden/tiny's when present, else
   * ours, once its SHA-256 proves it the same bytes (so CI runs llama.cpp's file without a 20 MB
   * fixture per type: the token table does not compress).
   */
  static Path llamaCpp(String type) {
    String name = "embeddinggemma-synthetic-tiny-" + type + ".gguf";
    Optional<Path> shared = sharedTiny();
    if (shared.isPresent()) {
      return shared.get().resolve(name);
    }
    Path ours = type.equals("Q8_0") ? q8_0() : q4_0();
    String sha = sha256(ours);
    if (!sha.equals(QuantizerHashTest.LLAMA_CPP_FILE_SHA256.get(name))) {
      throw new IllegalStateException(
          ours + " is not llama.cpp's " + name + " (SHA-256 " + sha + ")");
    }
    return ours;
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cases of golden-q8_0.jsonl or golden-q4_0.jsonl. */
  static List<QuantCase> cases(String resource) {
    List<QuantCase> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : Golden.lines(resource)) {
      out.add(
          new QuantCase(
              i++,
              n.get("text").asText(),
              Golden.ints(n.get("ids")),
              Golden.floats(n.get("embedding_numpy_dequant")),
              Golden.floats(n.get("embedding_llama_cpp"))));
    }
    return out;
  }
}
