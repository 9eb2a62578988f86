package dev.gemmaembed.core.model;

/**
 * cos/sin tables of rotate-half RoPE for one base, positions {@code [0, positions)}: row p holds
 * the {@code headDim / 2} angles p · inv_freq[k], computed in float32 as transformers does ({@code
 * inv_freq = 1 / base^(2k/d)}, divided by the linear scaling factor). Immutable; an encoder
 * replaces its tables by longer ones when a longer sequence comes (2 MB each for all of
 * EmbeddingGemma's 2048 positions, 0.25 MB for 256).
 */
final class RopeTables {

  final float[] cos;
  final float[] sin;
  final int half;
  final int positions;

  RopeTables(double base, double linearFactor, int headDim, int positions) {
    half = headDim / 2;
    this.positions = positions;
    float[] invFreq = new float[half];
    for (int k = 0; k < half; k++) {
      float exponent = (float) (2 * k) / headDim;
      invFreq[k] = (float) (1f / (float) Math.pow(base, exponent) / linearFactor);
    }
    cos = new float[positions * half];
    sin = new float[positions * half];
    for (int p = 0; p < positions; p++) {
      for (int k = 0; k < half; k++) {
        float angle = (float) p * invFreq[k];
        cos[p * half + k] = (float) Math.cos(angle);
        sin[p * half + k] = (float) Math.sin(angle);
      }
    }
  }
}
