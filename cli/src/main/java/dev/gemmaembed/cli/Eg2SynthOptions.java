package dev.gemmaembed.cli;

import dev.gemmaembed.tools.Eg2SyntheticSpec;
import picocli.CommandLine.Option;

/**
 * The shape flags only {@code synth --arch embeddinggemma2} has, each named after the config key it
 * sets (global-layer values after {@code per_layer_config}'s keys); the shared ones ({@code
 * --hidden --layers --heads --kv-heads --head-dim --intermediate --sliding-window}) are {@link
 * SynthCommand}'s. Unset ones keep the preset's value.
 */
final class Eg2SynthOptions {

  @Option(
      names = "--global-num-key-value-heads",
      paramLabel = "N",
      description = "EG2: per_layer_config num_key_value_heads of the global layers.")
  Integer globalNumKeyValueHeads;

  @Option(
      names = "--global-head-dim",
      paramLabel = "D",
      description = "EG2: per_layer_config head_dim of the global layers.")
  Integer globalHeadDim;

  @Option(
      names = "--hidden-size-per-layer-input",
      paramLabel = "P",
      description = "EG2: hidden_size_per_layer_input (PLE width).")
  Integer hiddenSizePerLayerInput;

  @Option(
      names = "--partial-rotary-factor",
      paramLabel = "F",
      description =
          "EG2: write proportional RoPE with this factor on the global layers (negative controls only).")
  Double partialRotaryFactor;

  /** Whether any flag was given (they apply to EG2 only). */
  boolean any() {
    return globalNumKeyValueHeads != null
        || globalHeadDim != null
        || hiddenSizePerLayerInput != null
        || partialRotaryFactor != null;
  }

  /**
   * {@code p} with the shared shape flags of {@code synth} (sliding_window is the inclusive radius)
   * and these applied.
   */
  Eg2SyntheticSpec apply(Eg2SyntheticSpec p, SynthCommand shared) {
    return new Eg2SyntheticSpec(
        p.name(),
        p.seed(),
        or(shared.hidden, p.hiddenSize()),
        or(shared.layers, p.numHiddenLayers()),
        or(shared.heads, p.numAttentionHeads()),
        or(shared.kvHeads, p.numKeyValueHeads()),
        or(shared.headDim, p.headDim()),
        or(globalNumKeyValueHeads, p.globalNumKeyValueHeads()),
        or(globalHeadDim, p.globalHeadDim()),
        or(shared.intermediate, p.intermediateSize()),
        or(hiddenSizePerLayerInput, p.hiddenSizePerLayerInput()),
        p.embeddingDim(),
        or(shared.slidingWindow, p.slidingWindow()),
        p.vocabSize(),
        p.maxPositionEmbeddings(),
        p.maxSeqLength(),
        partialRotaryFactor != null ? partialRotaryFactor : p.partialRotaryFactor());
  }

  private static int or(Integer flag, int preset) {
    if (flag != null && flag <= 0) {
      throw CliException.input("shape flags must be positive, got " + flag);
    }
    return flag != null ? flag : preset;
  }
}
