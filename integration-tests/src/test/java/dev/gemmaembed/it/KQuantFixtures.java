package dev.gemmaembed.it;

import dev.gemmaembed.core.gguf.GgufNames;
import dev.gemmaembed.tools.SafetensorsWriter;
import dev.gemmaembed.tools.SourceTensor;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kquant model's matrices (shared/golden/kquant) as {@link SourceTensor}s straight from the
 * synthetic recipe, under their GGUF names: what the quantizer reads after converting the
 * checkpoint, without writing the 270 MB checkpoint first.
 */
final class KQuantFixtures {

  static final SyntheticSpec SPEC = SyntheticSpec.preset("kquant", SyntheticSpec.defaultSeed("kquant"));

  private KQuantFixtures() {}

  /** Every 2-D tensor by GGUF name ({@code ne = [cols, rows]}), Dense layers included. */
  static Map<String, SourceTensor> matrices() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    SyntheticCheckpointWriter.transformerTensors(SPEC).forEach((name, shape) -> {
      if (shape.length == 2) {
        shapes.put(name, shape);
      }
    });
    shapes.put("2_Dense/linear.weight", new long[] {SPEC.denseDim(), SPEC.hidden()});
    shapes.put("3_Dense/linear.weight", new long[] {SPEC.hidden(), SPEC.denseDim()});
    Map<String, SourceTensor> out = new LinkedHashMap<>();
    shapes.forEach((recipeName, shape) -> {
      String gguf = switch (recipeName) {
        case "2_Dense/linear.weight" -> GgufNames.DENSE_2;
        case "3_Dense/linear.weight" -> GgufNames.DENSE_3;
        default -> GgufNames.fromHf(recipeName);
      };
      SafetensorsWriter.Values v = SyntheticCheckpointWriter.values(SPEC, recipeName, shape);
      long cols = shape[1];
      out.put(gguf, new SourceTensor(gguf, new long[] {cols, shape[0]}, (r, dst) -> v.fill(r * cols, dst)));
    });
    return out;
  }
}
