package dev.gemmaembed.tools;

import java.nio.charset.StandardCharsets;

/**
 * The portable, bit-exact weight recipe of synthetic EmbeddingGemma checkpoints ({@code
 * shared/spec/synthetic-checkpoint.md}): element i of tensor {@code name} is SplitMix64's finaliser
 * of {@code (seed ^ fnv1a64(name)) + (i + 1) · GOLDEN}, mapped to a uniform value in [−std·√3,
 * std·√3) with one rounding to float32.
 */
public final class SyntheticRecipe {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private SyntheticRecipe() {}

  public static long fnv1a64(String name) {
    long h = 0xCBF29CE484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001B3L;
    }
    return h;
  }

  /** The standard deviation the recipe assigns to a tensor of this name and [out, in] shape. */
  public static double std(String name, long[] shape, double normStd, double embedStd) {
    if (name.endsWith("norm.weight")) {
      return normStd;
    }
    if (name.endsWith("embed_tokens.weight")) {
      return embedStd;
    }
    return 1.0 / Math.sqrt(shape[1]);
  }

  /** Values of tensor {@code name} for elements {@code [start, start + out.length)}. */
  public static void fill(String name, long seed, double std, long start, float[] out) {
    long s = seed ^ fnv1a64(name);
    double a = std * Math.sqrt(3.0);
    for (int j = 0; j < out.length; j++) {
      out[j] = (float) (((2.0 * uniform(s, start + j)) - 1.0) * a);
    }
  }

  /**
   * The EmbeddingGemma 2 variant (shared/spec/embeddinggemma2.md, "Synthetic checkpoints"): {@code
   * (float)(centre + (2u − 1)·spread·√3)} in double with one rounding.
   */
  public static void fillCentred(
      String name, long seed, double centre, double spread, long start, float[] out) {
    long s = seed ^ fnv1a64(name);
    double a = spread * Math.sqrt(3.0);
    for (int j = 0; j < out.length; j++) {
      out[j] = (float) (centre + ((2.0 * uniform(s, start + j)) - 1.0) * a);
    }
  }

  /**
   * u in [0, 1) of element {@code i}: SplitMix64's finaliser of {@code s + (i + 1) · GOLDEN}, top
   * 24 bits.
   */
  private static double uniform(long s, long i) {
    long x = s + (i + 1) * GOLDEN;
    long z = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 40) / 16777216.0;
  }
}
