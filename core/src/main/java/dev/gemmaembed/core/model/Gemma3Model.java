package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.ComputePool;
import java.lang.foreign.Arena;
import java.util.function.Function;

/** EmbeddingGemma (Gemma 3 text encoder): its config and weights, run by {@link GemmaEncoder}. */
public record Gemma3Model(ModelConfig config, EncoderWeights weights) implements EncoderModel {

  @Override
  public Architecture architecture() {
    return Architecture.GEMMA3;
  }

  @Override
  public TokenEmbeddings tokenEmbeddings() {
    return weights.embedTokens();
  }

  @Override
  public int maxPositions() {
    return config.maxPositions();
  }

  @Override
  public int outputWidth() {
    return config.hidden();
  }

  @Override
  public Encoder newEncoder(Arena arena, int passTokens, boolean packWeights) {
    GemmaEncoder encoder = new GemmaEncoder(config, weights, arena, passTokens, packWeights);
    return new Encoder() {
      @Override
      public <R> R forward(int[][] sequences, ComputePool pool, Function<float[], R> use) {
        return encoder.forward(sequences, pool, use);
      }
    };
  }
}
