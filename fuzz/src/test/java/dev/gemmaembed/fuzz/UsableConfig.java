package dev.gemmaembed.fuzz;

import dev.gemmaembed.core.model.ModelConfig;

/**
 * What every accepted config must give the forward pass, checked independently of the readers' own
 * rules: RMSNorm's ε positive, a finite positive query scale, room for {@code <bos>} x {@code
 * <eos>}, and RoPE angles that stay finite at the last position for every frequency.
 */
public final class UsableConfig {

  private UsableConfig() {}

  public static void check(ModelConfig c) {
    require(
        c.vocabSize() > 0 && c.headDim() > 0,
        "vocab " + c.vocabSize() + ", head_dim " + c.headDim());
    require(c.rmsEps() > 0 && Float.isFinite(c.rmsEps()), "rms eps " + c.rmsEps());
    require(c.queryScale() > 0 && Float.isFinite(c.queryScale()), "query scale " + c.queryScale());
    require(c.maxPositions() >= 3, "positions " + c.maxPositions());
    for (double base : new double[] {c.ropeFullBase(), c.ropeSlidingBase()}) {
      // base^(2k/d) is monotonic in k: the first and last frequencies are the extremes
      for (int k : new int[] {0, c.headDim() / 2 - 1}) {
        float exponent = (float) (2 * k) / c.headDim();
        float invFreq = (float) (1f / (float) Math.pow(base, exponent) / c.ropeFullScale());
        float angle = (float) (c.maxPositions() - 1) * invFreq;
        require(
            Float.isFinite(invFreq) && Float.isFinite(angle),
            "RoPE base "
                + base
                + " scale "
                + c.ropeFullScale()
                + " gives inv_freq "
                + invFreq
                + " at k="
                + k);
      }
    }
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(
          "an accepted config would make the forward pass non-finite: " + what);
    }
  }
}
