package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.function.Function;

/**
 * The Gemma 3 bidirectional encoder (transformers' {@code Gemma3TextModel}, spec §2) over a packed
 * batch: the sequences are laid end to end without padding, each with positions from 0, and
 * attention never crosses a sequence boundary. Every token is thus computed exactly as if its
 * sequence were alone, and no work is spent on padding.
 *
 * <p>Performance shape: the weight matrices are {@link WeightMatrix#pack packed} once, at
 * construction, into the caller's arena (float formats get a float32 panel copy, 406 MB for the
 * real model, freed with the arena; quantized ones stay as stored). A pass ({@link EncoderPass})
 * runs every step of a layer as one parallel loop on the shared {@link ComputePool} — products
 * split by (panel, token block), per-token steps by token ranges, attention by (sequence, query
 * block) — with q/k/v and gate/up each as one loop. Its activation buffers are pooled ({@link
 * PassPool}) and reused, so a pass in steady state allocates nothing but its result.
 */
public final class GemmaEncoder {

  private final ModelConfig cfg;
  private final EncoderWeights weights;
  private final RopeCache rope;
  private final PassPool<EncoderPass> passes;

  /**
   * An encoder whose packed weights are allocated in {@code arena} (so they are freed with it), and
   * whose activation buffers are sized for {@code passTokens}, the caller's batch budget (see
   * {@link PassPool}); {@code packWeights} false leaves the weights as stored (bitwise the same
   * products).
   */
  public GemmaEncoder(
      ModelConfig cfg, EncoderWeights weights, Arena arena, int passTokens, boolean packWeights) {
    if (passTokens < 1) {
      throw new IllegalArgumentException("passTokens must be >= 1, got " + passTokens);
    }
    this.cfg = cfg;
    this.weights = weights;
    this.rope = new RopeCache(cfg);
    this.passes =
        new PassPool<>(
            passTokens, capacity -> new EncoderPass(cfg, weights, capacity), p -> p.capacity);
    if (packWeights) {
      for (LayerWeights l : weights.layers()) {
        for (WeightMatrix m :
            new WeightMatrix[] {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()}) {
          m.pack(arena);
        }
      }
    }
  }

  public ModelConfig config() {
    return cfg;
  }

  public EncoderWeights weights() {
    return weights;
  }

  /**
   * Runs the encoder and hands the final-norm hidden states ({@code [Σ lengths × hidden]}, sequence
   * after sequence; the array may be longer) to {@code use}, returning its result. The array is
   * reused by later passes: {@code use} must not keep it. Token ids must already be range-checked
   * and each sequence no longer than {@code maxPositions}.
   */
  public <R> R forward(int[][] sequences, ComputePool pool, Function<float[], R> use) {
    int n = 0;
    int longest = 0;
    for (int[] s : sequences) {
      n += s.length;
      longest = Math.max(longest, s.length);
    }
    EncoderPass p =
        passes.acquire(Math.max(n, sequences.length)); // rows for every token and every sequence
    try {
      p.run(sequences, n, pool, rope.covering(longest));
      return use.apply(p.x);
    } finally {
      passes.release(p);
    }
  }
}
