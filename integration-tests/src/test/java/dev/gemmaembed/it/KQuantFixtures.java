package dev.gemmaembed.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemmaembed.core.gguf.GgufNames;
import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.tools.GgufQuantizeTool;
import dev.gemmaembed.tools.SafetensorsWriter;
import dev.gemmaembed.tools.SourceTensor;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import dev.gemmaembed.tools.TensorLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The kquant model of shared/golden/kquant: its matrices as {@link SourceTensor}s straight from the
 * synthetic recipe (what the quantizer reads after converting the checkpoint, without writing the
 * 270 MB checkpoint), and llama.cpp's mix.gguf rebuilt by the project's quantizer.
 */
final class KQuantFixtures {

  static final SyntheticSpec SPEC =
      SyntheticSpec.preset("kquant", SyntheticSpec.defaultSeed("kquant"));

  private static final Path DIR = Path.of("target", "test-models");

  private KQuantFixtures() {}

  /** llama.cpp's gguf-manifest.json of the kquant files (per tensor: type, ne, n_bytes, sha256). */
  static JsonNode ggufManifest(String file) {
    return Golden.jsonAt("/golden/kquant/gguf-manifest.json.gz").get(file);
  }

  /**
   * mix.gguf as the project writes it: the kquant checkpoint (written once under target/) quantized
   * with each tensor in the type llama.cpp's mix.gguf has for it (Q6_K token table, Q2_K … Q5_K,
   * Q4_1/Q5_1, Q5_0/IQ4_NL, IQ4_XS and Q8_0 Dense).
   */
  static synchronized Path ourMix() {
    Path file = DIR.resolve("gguf").resolve("kquant-mix.gguf");
    if (Files.exists(file)) {
      return file;
    }
    JsonNode mix = ggufManifest("MIX.gguf");
    TensorLayout layout =
        new TensorLayout() {
          @Override
          public WeightType tensorType(String ggufName, long[] ne, int layers) {
            return WeightType.valueOf(mix.get(ggufName).get("type").asText());
          }

          @Override
          public int fileType() {
            return 15;
          }
        };
    try {
      Path model = DIR.resolve("kquant-777");
      if (!Files.exists(model.resolve("model.safetensors"))) {
        SyntheticCheckpointWriter.write(SPEC, model);
      }
      GgufQuantizeTool.write(model, file, layout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * shared/golden/kquant/mix.gguf (llama.cpp's) when this checkout sits next to shared/; empty on
   * CI.
   */
  static Optional<Path> llamaCppMix() {
    String prop = System.getProperty("gemma.shared");
    Path shared = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
    Path mix = shared.resolve("golden").resolve("kquant").resolve("mix.gguf");
    return Files.isRegularFile(mix) ? Optional.of(mix) : Optional.empty();
  }

  /** Every 2-D tensor by GGUF name ({@code ne = [cols, rows]}), Dense layers included. */
  static Map<String, SourceTensor> matrices() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    SyntheticCheckpointWriter.transformerTensors(SPEC)
        .forEach(
            (name, shape) -> {
              if (shape.length == 2) {
                shapes.put(name, shape);
              }
            });
    shapes.put("2_Dense/linear.weight", new long[] {SPEC.denseDim(), SPEC.hidden()});
    shapes.put("3_Dense/linear.weight", new long[] {SPEC.hidden(), SPEC.denseDim()});
    Map<String, SourceTensor> out = new LinkedHashMap<>();
    shapes.forEach(
        (recipeName, shape) -> {
          String gguf =
              switch (recipeName) {
                case "2_Dense/linear.weight" -> GgufNames.DENSE_2;
                case "3_Dense/linear.weight" -> GgufNames.DENSE_3;
                default -> GgufNames.fromHf(recipeName);
              };
          SafetensorsWriter.Values v = SyntheticCheckpointWriter.values(SPEC, recipeName, shape);
          long cols = shape[1];
          out.put(
              gguf,
              new SourceTensor(
                  gguf, new long[] {cols, shape[0]}, (r, dst) -> v.fill(r * cols, dst)));
        });
    return out;
  }
}
