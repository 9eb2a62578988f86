package dev.gemmaembed.core.model;

import java.lang.foreign.Arena;

/** EmbeddingGemma 2: its config and weights, run by {@link Eg2Encoder}. */
public record Eg2Model(Eg2Config config, Eg2Weights weights) implements EncoderModel {

  @Override
  public Architecture architecture() {
    return Architecture.EMBEDDING_GEMMA2;
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
    return config.embeddingDim();
  }

  @Override
  public Encoder newEncoder(Arena arena, int passTokens, boolean packWeights) {
    return new Eg2Encoder(config, weights, arena, passTokens, packWeights);
  }
}
