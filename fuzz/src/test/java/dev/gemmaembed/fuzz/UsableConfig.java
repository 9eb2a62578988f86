package dev.gemmaembed.fuzz;

import dev.gemmaembed.core.model.ModelConfig;

/**
 * What every accepted config must give the forward pass, checked independently of the readers'
 * own rules: RMSNorm's ε positive, a finite positive query scale, room for {@code <bos>} x
 * {@code <eos>}, and RoPE angles that stay finite at the last position for every frequency.
 */
public final class UsableConfig {

  private UsableConfig() {}

  public static void check(ModelConfig c) {
    require(c.rmsEps() > 0 && Float.isFinite(c.rmsEps()), "rms eps " + c.rmsEps());
    require(c.queryScale() > 0 && Float.isFinite(c.queryScale()), "query scale " + c.queryScale());
    require(c.maxPositions() >= 3, "positions " + c.maxPositions());
    for (double base : new double[] {c.ropeFullBase(), c.ropeSlidingBase()}) {
      for (int k = 0; k < c.headDim() / 2; k++) {
        float exponent = (float) (2 * k) / c.headDim();
        float invFreq = (float) (1f / (float) Math.pow(base, exponent) / c.ropeFullScale());
        float angle = (float) (c.maxPositions() - 1) * invFreq;
        require(Float.isFinite(invFreq) && Float.isFinite(angle), "RoPE base " + base + " scale " + c.ropeFullScale()
            + " gives inv_freq " + invFreq + " at k=" + k);
      }
    }
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("an accepted config would make the forward pass non-finite: " + what);
    }
  }
}
