package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.ComputePool;
import java.util.function.Function;

/**
 * One architecture's forward pass over a packed batch (sequences end to end, each with positions
 * from 0): it hands the per-token hidden states the sentence-transformers head pools ({@code [Σ
 * lengths × EncoderModel.outputWidth()]}, sequence after sequence; the array may be longer) to
 * {@code use} and returns its result. The array is reused by later passes: {@code use} must not
 * keep it. Implementations are thread-safe.
 */
public interface Encoder {

  <R> R forward(int[][] sequences, ComputePool pool, Function<float[], R> use);
}
