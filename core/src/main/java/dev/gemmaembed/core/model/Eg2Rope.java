package dev.gemmaembed.core.model;

/**
 * The RoPE parameters of one EmbeddingGemma 2 layer type ({@code rope_parameters.<type>}), with the
 * inverse frequencies they give a head of width d (rotate-half layout: pair (j, j + d/2) turns by
 * position · f[j]).
 *
 * <ul>
 *   <li>"default": {@code f[j] = θ^(−2j/d)} for every j &lt; d/2;
 *   <li>"proportional" (transformers' {@code _compute_proportional_rope_parameters}): only the
 *       first {@code n = int(partial_rotary_factor · d // 2)} pairs turn, with the exponent still
 *       over the full d; {@code f[j] = 0} for the rest, so they pass through unrotated.
 * </ul>
 *
 * {@code factor} divides every frequency (1 when absent).
 */
public record Eg2Rope(String type, double theta, double factor, double partialRotaryFactor) {

  public static final String DEFAULT = "default";
  public static final String PROPORTIONAL = "proportional";

  /** Default RoPE with base {@code theta}. */
  public static Eg2Rope plain(double theta) {
    return new Eg2Rope(DEFAULT, theta, 1.0, 1.0);
  }

  /** Pairs of a width-{@code headDim} head that rotate. */
  public int rotatedPairs(int headDim) {
    return type.equals(PROPORTIONAL)
        ? (int) Math.floor(partialRotaryFactor * headDim / 2)
        : headDim / 2;
  }

  /**
   * {@code headDim / 2} inverse frequencies in float32, computed as transformers does ({@code 1 /
   * θ^(float(2j) / d)}, then divided by the factor).
   */
  public float[] inverseFrequencies(int headDim) {
    float[] f = new float[headDim / 2];
    int n = Math.min(rotatedPairs(headDim), f.length);
    for (int j = 0; j < n; j++) {
      float exponent = (float) (2 * j) / headDim;
      f[j] = (float) (1f / (float) Math.pow(theta, exponent) / factor);
    }
    return f;
  }
}
