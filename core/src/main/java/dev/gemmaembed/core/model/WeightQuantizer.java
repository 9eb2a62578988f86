package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory quantization of a loaded float checkpoint ({@code LoadOptions.withQuantize}): every
 * matrix — token table, attention and feed-forward projections, Dense layers — is re-encoded in one
 * GGML block format with ggml's reference quantizer, the layout {@code llama-quantize --pure}
 * produces; norm vectors stay float32. Matrices that are already quantized are kept as they are.
 */
public final class WeightQuantizer {

  private WeightQuantizer() {}

  /**
   * A copy of {@code model} whose float matrices are {@code format} blocks allocated from {@code
   * alloc}.
   *
   * @throws IllegalArgumentException if {@code format} is not {@link WeightType#quantizable()
   *     quantizable}
   */
  public static LoadedModel quantize(LoadedModel model, WeightType format, SegmentAllocator alloc) {
    EncoderWeights w = model.weights();
    List<LayerWeights> layers = new ArrayList<>(w.layers().size());
    for (LayerWeights l : w.layers()) {
      layers.add(
          new LayerWeights(
              l.inputNorm(),
              q(l.q(), format, alloc),
              q(l.k(), format, alloc),
              q(l.v(), format, alloc),
              q(l.o(), format, alloc),
              l.qNorm(),
              l.kNorm(),
              l.postAttentionNorm(),
              l.preFeedforwardNorm(),
              q(l.gate(), format, alloc),
              q(l.up(), format, alloc),
              q(l.down(), format, alloc),
              l.postFeedforwardNorm()));
    }
    WeightMatrix table = q(w.embedTokens().matrix(), format, alloc);
    TokenEmbeddings embed = table == w.embedTokens().matrix() ? w.embedTokens() : () -> table;
    EncoderWeights weights = new EncoderWeights(embed, List.copyOf(layers), w.finalNorm());
    SentenceTransformerHead h = model.head();
    List<DenseLayer> dense = new ArrayList<>();
    for (DenseLayer d : h.dense()) {
      dense.add(new DenseLayer(q(d.weight(), format, alloc), d.bias(), d.tanh()));
    }
    return new LoadedModel(
        model.config(),
        weights,
        new SentenceTransformerHead(h.pooling(), dense, h.normalize()),
        model.tokenizer(),
        model.prompts(),
        model.maxSeqLength(),
        model.source() + " (quantized to " + format + " in memory)");
  }

  private static WeightMatrix q(WeightMatrix m, WeightType format, SegmentAllocator alloc) {
    return m.type().blockSize() > 1
        ? m
        : format.quantize(m, alloc); // block types are quantized already
  }
}
