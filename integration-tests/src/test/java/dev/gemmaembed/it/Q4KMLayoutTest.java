package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemmaembed.core.gguf.GgufNames;
import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.tools.QuantType;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import dev.gemmaembed.tools.TensorLayout;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --type q4_k_m} picks llama-quantize's Q4_K_M type for every tensor: on the real model's
 * shapes that is 134 Q4_K, 13 Q6_K, 12 Q8_0 and 12 Q5_0 matrices
 * (shared/bench/llama-cpp-baseline.md), the 1152-wide ffn_down falling back from Q6_K to Q8_0 and
 * from Q4_K to Q5_0.
 */
class Q4KMLayoutTest {

  static Map<WeightType, Integer> matrixTypes(SyntheticSpec spec, QuantType type) {
    Map<String, long[]> ne = new LinkedHashMap<>();
    SyntheticCheckpointWriter.transformerTensors(spec)
        .forEach(
            (name, shape) -> {
              if (shape.length == 2) {
                ne.put(GgufNames.fromHf(name), new long[] {shape[1], shape[0]});
              }
            });
    ne.put(GgufNames.DENSE_2, new long[] {spec.hidden(), spec.denseDim()});
    ne.put(GgufNames.DENSE_3, new long[] {spec.denseDim(), spec.hidden()});
    Map<WeightType, Integer> counts = new EnumMap<>(WeightType.class);
    ne.forEach(
        (name, dims) ->
            counts.merge(
                TensorLayout.fitWidth(type.tensorType(name, dims, spec.layers()), dims[0]),
                1,
                Integer::sum));
    return counts;
  }

  @Test
  void fullSizeModelGetsLlamaQuantizesMix() {
    assertEquals(
        Map.of(WeightType.Q4_K, 134, WeightType.Q6_K, 13, WeightType.Q8_0, 12, WeightType.Q5_0, 12),
        matrixTypes(SyntheticSpec.full(300), QuantType.Q4_K_M));
  }

  @Test
  void kquantModelKeepsQ6KOnTheLayersUseMoreBitsPicks() {
    // 6 layers: use_more_bits picks layers 2 and 5 (attn_v and ffn_down), plus the token table.
    assertEquals(
        Map.of(WeightType.Q4_K, 40, WeightType.Q6_K, 5),
        matrixTypes(KQuantFixtures.SPEC, QuantType.Q4_K_M));
    assertEquals(
        WeightType.Q6_K,
        QuantType.Q4_K_M.tensorType("blk.2.attn_v.weight", new long[] {256, 128}, 6));
    assertEquals(
        WeightType.Q4_K,
        QuantType.Q4_K_M.tensorType("blk.2.attn_k.weight", new long[] {256, 128}, 6));
    assertEquals(
        WeightType.F32, QuantType.Q4_K_M.tensorType("blk.2.attn_norm.weight", new long[] {256}, 6));
  }

  @Test
  void pureKQuantsFallBackWhereRowsAreNotWholeBlocks() {
    assertEquals(
        Map.of(WeightType.Q4_K, 147, WeightType.Q5_0, 24),
        matrixTypes(SyntheticSpec.full(300), QuantType.Q4_K));
    assertEquals(
        Map.of(WeightType.Q6_K, 147, WeightType.Q8_0, 24),
        matrixTypes(SyntheticSpec.full(300), QuantType.Q6_K));
    assertEquals(
        Map.of(WeightType.Q5_K, 147, WeightType.Q5_1, 24),
        matrixTypes(SyntheticSpec.full(300), QuantType.Q5_K));
    assertEquals(
        Map.of(WeightType.Q2_K, 147, WeightType.IQ4_NL, 24),
        matrixTypes(SyntheticSpec.full(300), QuantType.Q2_K));
    assertEquals(WeightType.F16, TensorLayout.fitWidth(WeightType.Q4_K, 48));
    assertEquals(WeightType.Q4_0, TensorLayout.fitWidth(WeightType.Q4_0, 1152));
  }
}
