package dev.gemmaembed.core.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * cos/sin tables of rotate-half RoPE for one base, positions {@code [0, maxPositions)}: row p holds
 * the {@code headDim / 2} angles p · inv_freq[k], computed in float32 as transformers does
 * ({@code inv_freq = 1 / base^(2k/d)}, divided by the linear scaling factor).
 *
 * <p>Tables are immutable and shared by every encoder with the same parameters (2 MB each for
 * EmbeddingGemma), so loading a model again does not recompute half a million cos/sin.
 */
final class RopeTables {

  private record Key(double base, double linearFactor, int headDim, int maxPositions) {}

  private static final Map<Key, RopeTables> CACHE = new ConcurrentHashMap<>();

  final float[] cos;
  final float[] sin;
  final int half;

  private RopeTables(double base, double linearFactor, int headDim, int maxPositions) {
    half = headDim / 2;
    float[] invFreq = new float[half];
    for (int k = 0; k < half; k++) {
      float exponent = (float) (2 * k) / headDim;
      invFreq[k] = (float) (1f / (float) Math.pow(base, exponent) / linearFactor);
    }
    cos = new float[maxPositions * half];
    sin = new float[maxPositions * half];
    for (int p = 0; p < maxPositions; p++) {
      for (int k = 0; k < half; k++) {
        float angle = (float) p * invFreq[k];
        cos[p * half + k] = (float) Math.cos(angle);
        sin[p * half + k] = (float) Math.sin(angle);
      }
    }
  }

  /** The (shared) tables for these parameters. */
  static RopeTables of(double base, double linearFactor, int headDim, int maxPositions) {
    return CACHE.computeIfAbsent(new Key(base, linearFactor, headDim, maxPositions),
        k -> new RopeTables(k.base(), k.linearFactor(), k.headDim(), k.maxPositions()));
  }
}
