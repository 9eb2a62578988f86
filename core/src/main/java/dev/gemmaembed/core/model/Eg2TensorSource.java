package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;

/**
 * The text tensors of an EmbeddingGemma 2 checkpoint by their names after the text model's prefix:
 * {@code language_model.} ({@code EmbeddingGemma2Model} has no {@code model.} wrapper), {@code
 * model.language_model.} (accepted by ollama), or none. Tensors under other prefixes ({@code
 * vision_tower.*}, {@code audio_tower.*}, {@code embed_vision.*}, {@code embed_audio.*}) are never
 * asked for, so never read.
 */
final class Eg2TensorSource implements TensorSource {

  static final String[] PREFIXES = {"language_model.", "model.language_model.", ""};

  private final TensorSource inner;
  private final String prefix;

  private Eg2TensorSource(TensorSource inner, String prefix) {
    this.inner = inner;
    this.prefix = prefix;
  }

  /**
   * The prefix under which {@code inner} holds the token table (the first one when none does, so
   * errors name it).
   */
  static Eg2TensorSource over(TensorSource inner) {
    for (String p : PREFIXES) {
      if (inner.has(p + "embed_tokens.weight")) {
        return new Eg2TensorSource(inner, p);
      }
    }
    return new Eg2TensorSource(inner, PREFIXES[0]);
  }

  @Override
  public boolean has(String name) {
    return inner.has(prefix + name);
  }

  @Override
  public WeightMatrix matrix(String name, int rows, int cols) {
    return inner.matrix(prefix + name, rows, cols);
  }

  @Override
  public TokenEmbeddings table(String name, int rows, int cols) {
    return inner.table(prefix + name, rows, cols);
  }

  @Override
  public float[] vector(String name, int n) {
    return inner.vector(prefix + name, n);
  }
}
