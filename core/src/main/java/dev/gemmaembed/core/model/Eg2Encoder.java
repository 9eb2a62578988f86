package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.BatchAttention;
import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.SimdKernels;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The EmbeddingGemma 2 text encoder (transformers' {@code EmbeddingGemma2TextModel}, spec "Forward
 * pass") over a packed batch: sequences end to end, each with positions from 0, attention never
 * crossing a sequence boundary, so every token is computed as if its sequence were alone.
 *
 * <p>Per layer i (head width d and kv heads from the config): {@code h = rms(x; in)}; q, k, v; q/k
 * normed per head (weights as is) and v without weight; RoPE on q, k; attention with scaling 1.0
 * (window radius on sliding layers); {@code x += rms(o; post_attn)}; the GeGLU MLP with {@code x +=
 * rms(m; post_ff)}; the PLE block {@code x += rms(proj(gelu(gate(x)) ⊙ Q_i); ple_post)} with {@code
 * Q_i = rms(x₀ · Wple_iᵀ / √H; ple_norm)} from the scaled embeddings x₀; then {@code x *=
 * layer_scalar}. Finally {@code rms(x; norm) · Wembᵀ} per token, {@code [T, E]}.
 *
 * <p>The PLE projection {@code [L·P, H]} is used as L row slices {@code [P, H]}, one per layer, so
 * a pass holds one layer's PLE input ({@code T × P}) instead of all of them ({@code T × L·P}).
 * Every step is a product or a per-token loop; each output row depends only on its own token (and
 * its sequence's window), so results are bitwise independent of batch composition and threads.
 */
final class Eg2Encoder implements Encoder {

  /** RoPE tables grow in steps of this many positions. */
  private static final int ROPE_STEP = 256;

  /** Buffer capacities are multiples of this many tokens. */
  private static final int CAPACITY_STEP = 128;

  private final Eg2Config cfg;
  private final Eg2Weights weights;

  /** Per layer: the rows of the PLE projection that make that layer's input, {@code [P, H]}. */
  private final WeightMatrix[] pleSlices;

  /** Per layer: its index into the distinct (RoPE parameters, head width) pairs. */
  private final int[] ropeSlot;

  private final List<RopeKey> ropeKeys = new ArrayList<>();

  /** Tables by slot, covering the longest sequence so far; replaced, never changed. */
  private volatile RopeTable[] ropeSoFar;

  private final float embedScale;
  private final float pleScale;
  private final int passTokens;

  /** One idle buffer set (null when in use or not yet made). Guarded by {@code this}. */
  private Pass idle;

  private record RopeKey(Eg2Rope rope, int headDim) {}

  /**
   * cos/sin of rotate-half RoPE, {@code [positions × d/2]}, angles in float32 as transformers
   * computes them.
   */
  private record RopeTable(float[] cos, float[] sin, int half, int positions) {
    static RopeTable of(RopeKey key, int positions) {
      float[] invFreq = key.rope().inverseFrequencies(key.headDim());
      int half = invFreq.length;
      float[] cos = new float[positions * half];
      float[] sin = new float[positions * half];
      for (int p = 0; p < positions; p++) {
        for (int j = 0; j < half; j++) {
          float angle = (float) p * invFreq[j];
          cos[p * half + j] = (float) Math.cos(angle);
          sin[p * half + j] = (float) Math.sin(angle);
        }
      }
      return new RopeTable(cos, sin, half, positions);
    }
  }

  Eg2Encoder(Eg2Config cfg, Eg2Weights weights, Arena arena, int passTokens, boolean packWeights) {
    if (passTokens < 1) {
      throw new IllegalArgumentException("passTokens must be >= 1, got " + passTokens);
    }
    this.cfg = cfg;
    this.weights = weights;
    this.passTokens = roundUp(passTokens);
    int layers = cfg.layers();
    pleSlices = new WeightMatrix[layers];
    for (int l = 0; l < layers; l++) {
      pleSlices[l] = rowSlice(weights.pleProjection(), l * cfg.pleDim(), cfg.pleDim());
    }
    ropeSlot = new int[layers];
    for (int l = 0; l < layers; l++) {
      RopeKey key = new RopeKey(cfg.rope(l), cfg.headDim()[l]);
      int slot = ropeKeys.indexOf(key);
      if (slot < 0) {
        slot = ropeKeys.size();
        ropeKeys.add(key);
      }
      ropeSlot[l] = slot;
    }
    ropeSoFar = ropeTables(Math.min(ROPE_STEP, cfg.maxPositions()));
    embedScale = cfg.embedScale(weights.embedTokens().matrix().type());
    pleScale = (float) (1.0 / Math.sqrt(cfg.hidden()));
    if (packWeights) {
      for (WeightMatrix m : weights.productMatrices()) {
        if (m != weights.pleProjection()) {
          m.pack(arena);
        }
      }
      for (WeightMatrix m : pleSlices) {
        m.pack(arena);
      }
    }
  }

  /** Rows {@code [from, from + count)} of {@code m} as a matrix over the same bytes. */
  private static WeightMatrix rowSlice(WeightMatrix m, int from, int count) {
    long rowBytes = m.type().rowBytes(m.cols());
    return m.type().matrix(m.data().asSlice(from * rowBytes, count * rowBytes), count, m.cols());
  }

  @Override
  public <R> R forward(int[][] sequences, ComputePool pool, Function<float[], R> use) {
    int n = 0;
    for (int[] s : sequences) {
      n += s.length;
    }
    Pass p = acquire(Math.max(n, sequences.length));
    try {
      p.run(sequences, n, pool);
      return use.apply(p.out);
    } finally {
      release(p);
    }
  }

  private synchronized Pass take() {
    Pass p = idle;
    idle = null;
    return p;
  }

  private Pass acquire(int size) {
    Pass p = take();
    if (p != null && p.capacity >= size) {
      return p;
    }
    // a single short text gets a set of its own size; bigger batches the whole budget at once
    int capacity = size <= passTokens / 4 ? roundUp(size) : Math.max(passTokens, roundUp(size));
    return new Pass(Math.max(capacity, p == null ? 0 : p.capacity));
  }

  private synchronized void release(Pass p) {
    if (idle == null || idle.capacity < p.capacity) {
      idle = p;
    }
  }

  private static int roundUp(int tokens) {
    return (tokens + CAPACITY_STEP - 1) / CAPACITY_STEP * CAPACITY_STEP;
  }

  private RopeTable[] ropeTables(int positions) {
    RopeTable[] t = new RopeTable[ropeKeys.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = RopeTable.of(ropeKeys.get(i), positions);
    }
    return t;
  }

  /** Tables covering positions {@code [0, longest)}. */
  private RopeTable[] ropeFor(int longest) {
    RopeTable[] r = ropeSoFar;
    if (r[0].positions() >= longest) {
      return r;
    }
    synchronized (this) {
      r = ropeSoFar;
      if (r[0].positions() < longest) {
        int positions =
            Math.min(cfg.maxPositions(), (longest + ROPE_STEP - 1) / ROPE_STEP * ROPE_STEP);
        r = ropeTables(Math.max(positions, longest));
        ropeSoFar = r;
      }
      return r;
    }
  }

  /**
   * The activation buffers of one pass, for {@code capacity} tokens, and its per-token loop bodies.
   */
  private final class Pass {
    final int capacity;

    /** The residual stream {@code [T × H]}. */
    final float[] x;

    /** The scaled token embeddings x₀ {@code [T × H]}, the PLE input. */
    final float[] x0;

    /** {@code [T × H]}: a norm of x as a product's input, then a block's output. */
    final float[] h;

    /** Queries {@code [T × heads·d]}, overwritten in place by the attention output. */
    final float[] q;

    final float[] k;
    final float[] v;

    /** {@code [T × I]} each. */
    final float[] gate;

    final float[] up;

    /** This layer's PLE input Q_i and the PLE gate, {@code [T × P]} each. */
    final float[] ple;

    final float[] pleGate;

    /** The output rows {@code [T × E]}. */
    final float[] out;

    final int[] start;
    final int[] length;
    final int[] position;

    /** Attention scratch per distinct (kv heads, head width). */
    final BatchAttention[] attention;

    final float[] ones;

    /** The products' arguments, refilled per layer (no allocation in the layer loop). */
    final WeightMatrix[] qkvWeights = new WeightMatrix[3];

    final float[][] qkv;
    final WeightMatrix[] gateUpWeights = new WeightMatrix[2];
    final float[][] gateUp;
    final int[] qkvOffsets = new int[3];
    final int[] gateUpOffsets = new int[2];

    int[][] sequences;
    int layerIndex;
    Eg2LayerWeights layer;

    /** The layer after {@link #layer}, or null after the last. */
    Eg2LayerWeights next;

    RopeTable rope;

    final ComputePool.RangeBody embedRows = this::embedRows;
    final ComputePool.RangeBody layerInputs = this::layerInputs;
    final ComputePool.RangeBody qkvNormRope = this::qkvNormRope;
    final ComputePool.RangeBody attentionResidual = this::attentionResidual;
    final ComputePool.RangeBody geluGate = this::geluGate;
    final ComputePool.RangeBody feedForwardResidual = this::feedForwardResidual;
    final ComputePool.RangeBody pleGelu = this::pleGelu;
    final ComputePool.RangeBody closeLayer = this::closeLayer;

    Pass(int capacity) {
      this.capacity = capacity;
      int hd = cfg.hidden();
      x = new float[capacity * hd];
      x0 = new float[capacity * hd];
      h = new float[capacity * hd];
      q = new float[capacity * cfg.maxQueryWidth()];
      k = new float[capacity * cfg.maxKeyWidth()];
      v = new float[capacity * cfg.maxKeyWidth()];
      gate = new float[capacity * cfg.intermediate()];
      up = new float[capacity * cfg.intermediate()];
      ple = new float[capacity * cfg.pleDim()];
      pleGate = new float[capacity * cfg.pleDim()];
      out = new float[capacity * cfg.embeddingDim()];
      start = new int[capacity];
      length = new int[capacity];
      position = new int[capacity];
      attention = new BatchAttention[cfg.layers()];
      for (int l = 0; l < cfg.layers(); l++) {
        for (int m = 0; m < l && attention[l] == null; m++) {
          if (cfg.kvHeads()[m] == cfg.kvHeads()[l] && cfg.headDim()[m] == cfg.headDim()[l]) {
            attention[l] = attention[m];
          }
        }
        if (attention[l] == null) {
          attention[l] =
              new BatchAttention(cfg.heads(), cfg.kvHeads()[l], cfg.headDim()[l], capacity);
        }
      }
      qkv = new float[][] {q, k, v};
      gateUp = new float[][] {gate, up};
      int maxDim = Arrays.stream(cfg.headDim()).max().orElse(0);
      ones = new float[maxDim];
      Arrays.fill(ones, 1f);
    }

    void run(int[][] sequences, int n, ComputePool pool) {
      this.sequences = sequences;
      int t = 0;
      int longest = 0;
      for (int s = 0; s < sequences.length; s++) {
        longest = Math.max(longest, sequences[s].length);
        start[s] = t;
        length[s] = sequences[s].length;
        for (int i = 0; i < length[s]; i++) {
          position[t + i] = i;
        }
        t += length[s];
      }
      RopeTable[] ropes = ropeFor(longest);
      try {
        pool.parallelFor(sequences.length, 1, embedRows);
        layerIndex = 0;
        layer = weights.layers().get(0);
        Matmul.multiply(pool, pleSlices[0], x0, n, ple);
        pool.parallelFor(n, 8, layerInputs);
        for (int l = 0; l < cfg.layers(); l++) {
          layer(l, ropes[ropeSlot[l]], n, sequences.length, pool);
        }
        Matmul.multiply(pool, weights.embeddingProjection(), h, n, out);
      } finally {
        this.sequences = null;
        this.layer = null;
        this.next = null;
        this.rope = null;
      }
    }

    /**
     * Layer l, from its inputs (h = rms(x; in), ple = Q_l, made by the previous step) to the next
     * layer's inputs (or, after the last layer, h = rms(x; norm)).
     */
    private void layer(int l, RopeTable table, int n, int nSeq, ComputePool pool) {
      layerIndex = l;
      layer = weights.layers().get(l);
      rope = table;
      qkvWeights[0] = layer.q();
      qkvWeights[1] = layer.k();
      qkvWeights[2] = layer.v();
      Matmul.multiplyAll(pool, h, n, qkvWeights, qkv, qkvOffsets);
      pool.parallelFor(n, 8, qkvNormRope);
      attention[l].run(
          pool, q, k, v, start, length, nSeq, cfg.radius(l), 1f, q); // scaling 1.0, in place
      Matmul.multiply(pool, layer.o(), q, n, h);
      pool.parallelFor(n, 8, attentionResidual);
      gateUpWeights[0] = layer.gate();
      gateUpWeights[1] = layer.up();
      Matmul.multiplyAll(pool, h, n, gateUpWeights, gateUp, gateUpOffsets);
      pool.parallelFor(n, 8, geluGate);
      Matmul.multiply(pool, layer.down(), gate, n, h);
      pool.parallelFor(n, 8, feedForwardResidual);
      Matmul.multiply(pool, layer.pleGate(), x, n, pleGate);
      pool.parallelFor(n, 8, pleGelu);
      Matmul.multiply(pool, layer.pleProjection(), pleGate, n, h);
      // the next layer's PLE input (ple is free: pleGelu has consumed Q_l), then one loop that
      // closes this layer and makes the next one's inputs
      next = l + 1 < cfg.layers() ? weights.layers().get(l + 1) : null;
      if (next != null) {
        Matmul.multiply(pool, pleSlices[l + 1], x0, n, ple);
      }
      pool.parallelFor(n, 8, closeLayer);
    }

    /**
     * x = x₀ = embed_tokens[id] · sqrt(H) (the scale in the table's dtype), sequences {@code [from,
     * to)}.
     */
    private void embedRows(int from, int to) {
      int hd = cfg.hidden();
      for (int s = from; s < to; s++) {
        int t = start[s];
        for (int id : sequences[s]) {
          weights.embedTokens().readRow(id, x0, t * hd);
          SimdKernels.scale(x0, t * hd, hd, embedScale);
          System.arraycopy(x0, t * hd, x, t * hd, hd);
          t++;
        }
      }
    }

    /** The first layer's inputs: {@link #layerInput} for tokens {@code [from, to)}. */
    private void layerInputs(int from, int to) {
      for (int t = from; t < to; t++) {
        layerInput(t, layer);
      }
    }

    /**
     * Token t's inputs of layer {@code w}: Q = rms(ple · H^-1/2; ple_norm) in place (ple holds x₀ ·
     * Wpleᵀ of that layer) and h = rms(x; input_layernorm).
     */
    private void layerInput(int t, Eg2LayerWeights w) {
      int p = cfg.pleDim();
      int hd = cfg.hidden();
      SimdKernels.scale(ple, t * p, p, pleScale);
      SimdKernels.rmsNorm(ple, t * p, p, weights.pleNorm(), cfg.rmsEps(), ple, t * p);
      SimdKernels.rmsNorm(x, t * hd, hd, w.inputNorm(), cfg.rmsEps(), h, t * hd);
    }

    /** Per head: q = rope(rms(q; q_norm)), k = rope(rms(k; k_norm)), v = rms(v) without weight. */
    private void qkvNormRope(int from, int to) {
      int d = cfg.headDim()[layerIndex];
      int nq = cfg.heads();
      int nkv = cfg.kvHeads()[layerIndex];
      float eps = cfg.rmsEps();
      for (int t = from; t < to; t++) {
        int tableOff = position[t] * rope.half();
        for (int hd = 0; hd < nq; hd++) {
          int off = (t * nq + hd) * d;
          SimdKernels.rmsNorm(q, off, d, layer.qNorm(), eps, q, off);
          SimdKernels.ropeRotateHalf(q, off, d, rope.cos(), rope.sin(), tableOff);
        }
        for (int hd = 0; hd < nkv; hd++) {
          int off = (t * nkv + hd) * d;
          SimdKernels.rmsNorm(k, off, d, layer.kNorm(), eps, k, off);
          SimdKernels.ropeRotateHalf(k, off, d, rope.cos(), rope.sin(), tableOff);
          SimdKernels.rmsNorm(v, off, d, ones, eps, v, off);
        }
      }
    }

    /** x += rms(h; post_attention); h = rms(x; pre_feedforward). */
    private void attentionResidual(int from, int to) {
      int hd = cfg.hidden();
      float eps = cfg.rmsEps();
      for (int t = from; t < to; t++) {
        int off = t * hd;
        SimdKernels.rmsNorm(h, off, hd, layer.postAttentionNorm(), eps, h, off);
        SimdKernels.add(x, off, h, off, hd);
        SimdKernels.rmsNorm(x, off, hd, layer.preFeedforwardNorm(), eps, h, off);
      }
    }

    private void geluGate(int from, int to) {
      int f = cfg.intermediate();
      for (int t = from; t < to; t++) {
        SimdKernels.geluTanhMul(gate, t * f, up, t * f, f);
      }
    }

    /** x += rms(h; post_feedforward). */
    private void feedForwardResidual(int from, int to) {
      int hd = cfg.hidden();
      for (int t = from; t < to; t++) {
        SimdKernels.rmsNorm(h, t * hd, hd, layer.postFeedforwardNorm(), cfg.rmsEps(), h, t * hd);
        SimdKernels.add(x, t * hd, h, t * hd, hd);
      }
    }

    /** pleGate = gelu_tanh(pleGate) ⊙ Q_i. */
    private void pleGelu(int from, int to) {
      int p = cfg.pleDim();
      for (int t = from; t < to; t++) {
        SimdKernels.geluTanhMul(pleGate, t * p, ple, t * p, p);
      }
    }

    /**
     * x += rms(h; post_per_layer_input_norm); x *= layer_scalar (the whole stream); then the next
     * layer's inputs ({@link #layerInput}), or after the last layer h = rms(x; norm), the input of
     * embedding_projection.
     */
    private void closeLayer(int from, int to) {
      int hd = cfg.hidden();
      for (int t = from; t < to; t++) {
        SimdKernels.rmsNorm(h, t * hd, hd, layer.plePostNorm(), cfg.rmsEps(), h, t * hd);
        SimdKernels.add(x, t * hd, h, t * hd, hd);
        SimdKernels.scale(x, t * hd, hd, layer.layerScalar());
        if (next != null) {
          layerInput(t, next);
        } else {
          SimdKernels.rmsNorm(x, t * hd, hd, weights.finalNorm(), cfg.rmsEps(), h, t * hd);
        }
      }
    }
  }
}
