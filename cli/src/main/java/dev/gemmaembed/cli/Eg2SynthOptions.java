package dev.gemmaembed.cli;

import dev.gemmaembed.tools.Eg2SyntheticSpec;
import picocli.CommandLine.Option;

/**
 * The {@code synth --arch embeddinggemma2} shape flags, each named after the config key it sets
 * (global-layer values after {@code per_layer_config}'s keys); unset ones keep the preset's value.
 */
final class Eg2SynthOptions {

  @Option(names = "--hidden-size", paramLabel = "H", description = "EG2: hidden_size.")
  Integer hiddenSize;

  @Option(names = "--num-hidden-layers", paramLabel = "L", description = "EG2: num_hidden_layers (global every 6th and the last).")
  Integer numHiddenLayers;

  @Option(names = "--num-attention-heads", paramLabel = "N", description = "EG2: num_attention_heads.")
  Integer numAttentionHeads;

  @Option(names = "--num-key-value-heads", paramLabel = "N", description = "EG2: num_key_value_heads of sliding layers.")
  Integer numKeyValueHeads;

  @Option(names = "--head-dim", paramLabel = "D", description = "EG2: head_dim of sliding layers.")
  Integer headDim;

  @Option(names = "--global-num-key-value-heads", paramLabel = "N",
      description = "EG2: per_layer_config num_key_value_heads of the global layers.")
  Integer globalNumKeyValueHeads;

  @Option(names = "--global-head-dim", paramLabel = "D", description = "EG2: per_layer_config head_dim of the global layers.")
  Integer globalHeadDim;

  @Option(names = "--intermediate-size", paramLabel = "I", description = "EG2: intermediate_size.")
  Integer intermediateSize;

  @Option(names = "--hidden-size-per-layer-input", paramLabel = "P", description = "EG2: hidden_size_per_layer_input (PLE width).")
  Integer hiddenSizePerLayerInput;

  @Option(names = "--sliding-window", paramLabel = "R", description = "EG2: sliding_window (the inclusive radius).")
  Integer slidingWindow;

  @Option(names = "--partial-rotary-factor", paramLabel = "F",
      description = "EG2: write proportional RoPE with this factor on the global layers (negative controls only).")
  Double partialRotaryFactor;

  /** Whether any flag was given (they apply to EG2 only). */
  boolean any() {
    return hiddenSize != null || numHiddenLayers != null || numAttentionHeads != null || numKeyValueHeads != null
        || headDim != null || globalNumKeyValueHeads != null || globalHeadDim != null || intermediateSize != null
        || hiddenSizePerLayerInput != null || slidingWindow != null || partialRotaryFactor != null;
  }

  Eg2SyntheticSpec apply(Eg2SyntheticSpec p) {
    return new Eg2SyntheticSpec(p.name(), p.seed(), or(hiddenSize, p.hiddenSize()), or(numHiddenLayers, p.numHiddenLayers()),
        or(numAttentionHeads, p.numAttentionHeads()), or(numKeyValueHeads, p.numKeyValueHeads()), or(headDim, p.headDim()),
        or(globalNumKeyValueHeads, p.globalNumKeyValueHeads()), or(globalHeadDim, p.globalHeadDim()),
        or(intermediateSize, p.intermediateSize()), or(hiddenSizePerLayerInput, p.hiddenSizePerLayerInput()),
        p.embeddingDim(), or(slidingWindow, p.slidingWindow()), p.vocabSize(), p.maxPositionEmbeddings(), p.maxSeqLength(),
        partialRotaryFactor != null ? partialRotaryFactor : p.partialRotaryFactor());
  }

  private static int or(Integer flag, int preset) {
    if (flag != null && flag <= 0) {
      throw CliException.input("shape flags must be positive, got " + flag);
    }
    return flag != null ? flag : preset;
  }
}
