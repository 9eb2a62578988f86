package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightType;
import java.util.ArrayList;
import java.util.List;

/**
 * The hyper-parameters of an EmbeddingGemma 2 text model ({@code text_config} of its config.json),
 * resolved per layer.
 *
 * @param headDim per layer: head width d (256 on sliding, 512 on global layers in the release)
 * @param kvHeads per layer: key/value heads (2 sliding, 1 global)
 * @param fullAttention per layer: true for global attention
 * @param radius sliding layers let query i see key j iff |i − j| ≤ radius ({@code sliding_window})
 * @param slidingRope RoPE of the sliding layers; {@code fullRope} of the global ones
 * @param pleDim {@code hidden_size_per_layer_input}: the width of each layer's PLE slice
 * @param embeddingDim width of {@code embedding_projection}'s output, per token
 */
public record Eg2Config(
    int vocabSize,
    int hidden,
    int intermediate,
    int layers,
    int heads,
    int[] headDim,
    int[] kvHeads,
    boolean[] fullAttention,
    int radius,
    Eg2Rope slidingRope,
    Eg2Rope fullRope,
    int pleDim,
    int embeddingDim,
    float rmsEps,
    int maxPositions) {

  /** Attention radius of layer {@code l}, or -1 for a global layer. */
  public int radius(int layer) {
    return fullAttention[layer] ? -1 : radius;
  }

  public Eg2Rope rope(int layer) {
    return fullAttention[layer] ? fullRope : slidingRope;
  }

  /** The widest q row over all layers (heads · d). */
  public int maxQueryWidth() {
    int m = 0;
    for (int l = 0; l < layers; l++) {
      m = Math.max(m, heads * headDim[l]);
    }
    return m;
  }

  /** The widest k/v row over all layers (kv · d). */
  public int maxKeyWidth() {
    int m = 0;
    for (int l = 0; l < layers; l++) {
      m = Math.max(m, kvHeads[l] * headDim[l]);
    }
    return m;
  }

  /**
   * The embedding scale sqrt(hidden) as transformers applies it: cast to the token table's dtype
   * ({@code bf16} 22.625 for hidden 512, float32 22.627417 for F32 weights).
   */
  public float embedScale(WeightType tableType) {
    float s = (float) Math.sqrt(hidden);
    return switch (tableType) {
      case BF16 -> Float.intBitsToFloat(roundToBf16Bits(Float.floatToRawIntBits(s)));
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(s));
      default -> s;
    };
  }

  /** Round-to-nearest-even of a float32 to bfloat16, as the top 16 bits of a float32. */
  private static int roundToBf16Bits(int bits) {
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return rounded & 0xFFFF0000;
  }

  /** A summary line and one line per layer: type, heads, head width, kv heads, window, RoPE. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add(
        String.format(
            "%d layers, hidden %d, intermediate %d, PLE width %d, output %d, sliding radius %d, vocab %d",
            layers, hidden, intermediate, pleDim, embeddingDim, radius, vocabSize));
    for (int l = 0; l < layers; l++) {
      Eg2Rope r = rope(l);
      out.add(
          String.format(
              "  layer %2d  %-7s  q %d×%d  kv %d×%d  %s  rope %s θ=%s%s",
              l,
              fullAttention[l] ? "global" : "sliding",
              heads,
              headDim[l],
              kvHeads[l],
              headDim[l],
              fullAttention[l] ? "window all" : "window ±" + radius,
              r.type(),
              r.theta(),
              r.type().equals(Eg2Rope.PROPORTIONAL) ? " partial " + r.partialRotaryFactor() : ""));
    }
    return out;
  }
}
