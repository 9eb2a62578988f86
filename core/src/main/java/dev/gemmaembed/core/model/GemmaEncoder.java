package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.Attention;
import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.SimdKernels;
import java.util.Arrays;

/**
 * The Gemma 3 bidirectional encoder (transformers' {@code Gemma3TextModel}, spec §2) over a packed
 * batch: the sequences are laid end to end without padding, each with positions from 0, and
 * attention never crosses a sequence boundary. Every token is thus computed exactly as if its
 * sequence were alone, and no work is spent on padding.
 */
public final class GemmaEncoder {

  private final ModelConfig cfg;
  private final EncoderWeights weights;
  private final RopeTables ropeFull;
  private final RopeTables ropeSliding;

  public GemmaEncoder(ModelConfig cfg, EncoderWeights weights) {
    this.cfg = cfg;
    this.weights = weights;
    this.ropeFull = new RopeTables(cfg.ropeFullBase(), cfg.ropeFullScale(), cfg.headDim(), cfg.maxPositions());
    this.ropeSliding = new RopeTables(cfg.ropeSlidingBase(), 1.0, cfg.headDim(), cfg.maxPositions());
  }

  public ModelConfig config() {
    return cfg;
  }

  public EncoderWeights weights() {
    return weights;
  }

  /**
   * Runs the encoder. Token ids must already be range-checked and each sequence no longer than
   * {@code maxPositions}.
   *
   * @return the final-norm hidden states, {@code [Σ lengths × hidden]}, sequence after sequence
   */
  public float[] forward(int[][] sequences, ComputePool pool) {
    int n = 0;
    for (int[] s : sequences) {
      n += s.length;
    }
    Batch b = new Batch(sequences, n);
    int h = cfg.hidden();
    float[] x = new float[n * h];
    embed(sequences, x);
    Workspace ws = new Workspace(cfg, n);
    for (int l = 0; l < cfg.layers(); l++) {
      layer(l, weights.layers().get(l), b, x, ws, pool);
    }
    float[] fin = weights.finalNorm();
    pool.parallelFor(n, 8, (from, to) -> {
      for (int t = from; t < to; t++) {
        SimdKernels.rmsNorm(x, t * h, h, fin, cfg.rmsEps(), x, t * h);
      }
    });
    return x;
  }

  private void embed(int[][] sequences, float[] x) {
    int h = cfg.hidden();
    float scale = cfg.embedScale();
    int t = 0;
    for (int[] seq : sequences) {
      for (int id : seq) {
        weights.embedTokens().readRow(id, x, t * h);
        SimdKernels.scale(x, t * h, h, scale);
        t++;
      }
    }
  }

  private void layer(int l, LayerWeights w, Batch b, float[] x, Workspace ws, ComputePool pool) {
    int n = b.tokens;
    int h = cfg.hidden();
    int d = cfg.headDim();
    int nq = cfg.heads();
    int nkv = cfg.kvHeads();
    float eps = cfg.rmsEps();

    rmsNormRows(pool, x, ws.h, n, h, w.inputNorm());
    Matmul.multiply(pool, w.q(), ws.h, n, ws.q);
    Matmul.multiply(pool, w.k(), ws.h, n, ws.k);
    Matmul.multiply(pool, w.v(), ws.h, n, ws.v);

    // q_norm / k_norm per head, then RoPE with the layer type's base; v is left as is.
    RopeTables rope = cfg.fullAttention()[l] ? ropeFull : ropeSliding;
    pool.parallelFor(n, 8, (from, to) -> {
      for (int t = from; t < to; t++) {
        int pos = b.position[t];
        for (int hd = 0; hd < nq; hd++) {
          int off = (t * nq + hd) * d;
          SimdKernels.rmsNorm(ws.q, off, d, w.qNorm(), eps, ws.q, off);
          SimdKernels.ropeRotateHalf(ws.q, off, d, rope.cos, rope.sin, pos * rope.half);
        }
        for (int hd = 0; hd < nkv; hd++) {
          int off = (t * nkv + hd) * d;
          SimdKernels.rmsNorm(ws.k, off, d, w.kNorm(), eps, ws.k, off);
          SimdKernels.ropeRotateHalf(ws.k, off, d, rope.cos, rope.sin, pos * rope.half);
        }
      }
    });

    int radius = cfg.radius(l);
    pool.parallelFor(n, 4, (from, to) -> {
      for (int t = from; t < to; t++) {
        int s = b.sequenceOf[t];
        int i = b.position[t];
        Attention.attend(ws.q, ws.k, ws.v, b.start[s], b.length[s], nq, nkv, d, radius, cfg.queryScale(),
            ws.attn, i, i + 1);
      }
    });

    Matmul.multiply(pool, w.o(), ws.attn, n, ws.a);
    addNormalized(pool, x, ws.a, n, h, w.postAttentionNorm());

    rmsNormRows(pool, x, ws.h, n, h, w.preFeedforwardNorm());
    Matmul.multiply(pool, w.gate(), ws.h, n, ws.gate);
    Matmul.multiply(pool, w.up(), ws.h, n, ws.up);
    int f = cfg.intermediate();
    pool.parallelFor(n, 8, (from, to) -> {
      for (int t = from; t < to; t++) {
        SimdKernels.geluTanhMul(ws.gate, t * f, ws.up, t * f, f);
      }
    });
    Matmul.multiply(pool, w.down(), ws.gate, n, ws.a);
    addNormalized(pool, x, ws.a, n, h, w.postFeedforwardNorm());
  }

  private void rmsNormRows(ComputePool pool, float[] in, float[] out, int n, int h, float[] weight) {
    pool.parallelFor(n, 8, (from, to) -> {
      for (int t = from; t < to; t++) {
        SimdKernels.rmsNorm(in, t * h, h, weight, cfg.rmsEps(), out, t * h);
      }
    });
  }

  /** Sandwich norm: x += RMSNorm(a), the norm applied before the residual add. */
  private void addNormalized(ComputePool pool, float[] x, float[] a, int n, int h, float[] weight) {
    pool.parallelFor(n, 8, (from, to) -> {
      for (int t = from; t < to; t++) {
        SimdKernels.rmsNorm(a, t * h, h, weight, cfg.rmsEps(), a, t * h);
        SimdKernels.add(x, t * h, a, t * h, h);
      }
    });
  }

  /** Where each packed token belongs: its sequence and its position inside it. */
  private static final class Batch {
    final int tokens;
    final int[] start;
    final int[] length;
    final int[] sequenceOf;
    final int[] position;

    Batch(int[][] sequences, int tokens) {
      this.tokens = tokens;
      start = new int[sequences.length];
      length = new int[sequences.length];
      sequenceOf = new int[tokens];
      position = new int[tokens];
      int t = 0;
      for (int s = 0; s < sequences.length; s++) {
        start[s] = t;
        length[s] = sequences[s].length;
        Arrays.fill(sequenceOf, t, t + length[s], s);
        for (int i = 0; i < length[s]; i++) {
          position[t + i] = i;
        }
        t += length[s];
      }
    }
  }

  /** Activation buffers of one forward pass (sized for the packed batch). */
  private static final class Workspace {
    final float[] h;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] attn;
    final float[] a;
    final float[] gate;
    final float[] up;

    Workspace(ModelConfig cfg, int n) {
      int qDim = cfg.heads() * cfg.headDim();
      int kvDim = cfg.kvHeads() * cfg.headDim();
      h = new float[n * cfg.hidden()];
      q = new float[n * qDim];
      k = new float[n * kvDim];
      v = new float[n * kvDim];
      attn = new float[n * qDim];
      a = new float[n * cfg.hidden()];
      gate = new float[n * cfg.intermediate()];
      up = new float[n * cfg.intermediate()];
    }
  }
}
