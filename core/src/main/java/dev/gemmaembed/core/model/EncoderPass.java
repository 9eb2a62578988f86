package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.BatchAttention;
import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.SimdKernels;
import dev.gemmaembed.kernels.WeightMatrix;

/**
 * One forward pass of the {@link GemmaEncoder} over a packed batch: the activation buffers, sized
 * for {@code capacity} tokens (and sequences), and the steps of the model that work on them. Every
 * step is one parallel loop on the pool, whose bodies are created once per buffer set, so a pass in
 * steady state allocates nothing. One pass runs at a time on a buffer set.
 */
final class EncoderPass {

  /**
   * Tokens per feed-forward tile: the feed-forward block runs tile by tile so that its widest
   * activations (gate, up) exist for one tile only. Quantized matrices decode their weights once
   * per product, so smaller tiles cost speed ({@code bench/README.md}).
   */
  static final int FEED_FORWARD_TILE = 512;

  private static final int TOKEN_GRAIN = 8;

  private final ModelConfig cfg;
  private final EncoderWeights weights;

  /** Tokens, and sequences, it has room for. */
  final int capacity;

  /** The residual stream, {@code [tokens × hidden]}. */
  final float[] x;

  /**
   * {@code [tokens × hidden]}: a norm of {@code x} as a block's input, then the block's output
   * until it is added to {@code x}.
   */
  final float[] h;

  /** Queries {@code [tokens × heads·headDim]}, overwritten in place by the attention output. */
  final float[] q;

  /** Keys and values, {@code [tokens × kvHeads·headDim]}. */
  final float[] k;

  final float[] v;

  /** Tokens of a feed-forward tile. */
  private final int tileCapacity;

  /** A tile's rows of h, {@code [tile × hidden]}: the input of gate and up. */
  private final float[] hTile;

  /**
   * A tile's gate and up, {@code [tile × intermediate]} each, at offsets 0 and {@code upOffset}.
   */
  private final float[] gateUpTile;

  private final int upOffset;

  private final int[] start;
  private final int[] length;
  private final int[] position;
  private final BatchAttention attention;
  private final WeightMatrix[] qkvWeights = new WeightMatrix[3];
  private final float[][] qkvOut;
  private final int[] qkvOffsets = new int[3];
  private final WeightMatrix[] gateUpWeights = new WeightMatrix[2];
  private final float[][] gateUpOut;
  private final int[] gateUpOffsets;

  private final ComputePool.RangeBody embedRows = this::embedRows;
  private final ComputePool.RangeBody normRows = this::normRows;
  private final ComputePool.RangeBody addNormedRows = this::addNormedRows;
  private final ComputePool.RangeBody qkNormRope = this::qkNormRope;
  private final ComputePool.RangeBody geluGate = this::geluGate;

  // the batch in progress
  private ComputePool pool;
  private int[][] sequences;
  private int tokens;
  private int nSeq;
  // the step in progress: its weights, tables, and a norm's operands
  private LayerWeights layer;
  private RopeTables rope;
  private float[] normIn;
  private float[] normWeight;
  private float[] normOut;

  EncoderPass(ModelConfig cfg, EncoderWeights weights, int capacity) {
    this.cfg = cfg;
    this.weights = weights;
    this.capacity = capacity;
    int hd = cfg.hidden();
    int qDim = cfg.heads() * cfg.headDim();
    int kvDim = cfg.kvHeads() * cfg.headDim();
    x = new float[capacity * hd];
    h = new float[capacity * hd];
    q = new float[capacity * qDim];
    k = new float[capacity * kvDim];
    v = new float[capacity * kvDim];
    tileCapacity = Math.min(capacity, FEED_FORWARD_TILE);
    int tileOut = tileCapacity * cfg.intermediate();
    hTile = freeDuringFeedForward(k, tileCapacity * hd);
    gateUpTile = freeDuringFeedForward(q, 2 * tileOut);
    upOffset = tileOut;
    start = new int[capacity];
    length = new int[capacity];
    position = new int[capacity];
    attention = new BatchAttention(cfg.heads(), cfg.kvHeads(), cfg.headDim(), capacity);
    qkvOut = new float[][] {q, k, v};
    gateUpOut = new float[][] {gateUpTile, gateUpTile};
    gateUpOffsets = new int[] {0, upOffset};
  }

  /**
   * {@code buffer} if it holds {@code size} floats, else a new array: the feed-forward tiles live
   * in the query and key buffers when they fit (6 MB less per buffer set of 2048 tokens). Those are
   * free during the feed-forward block: the attention output in q has been consumed by the
   * o-projection, keys and values were copied into the attention's own scratch, and the next layer
   * rewrites both.
   */
  private static float[] freeDuringFeedForward(float[] buffer, int size) {
    return size <= buffer.length ? buffer : new float[size];
  }

  /**
   * Runs the encoder over {@code sequences} ({@code tokens} tokens in all), leaving the final-norm
   * hidden states in {@link #x}, sequence after sequence.
   */
  void run(int[][] sequences, int tokens, ComputePool pool, RopeCache.Tables ropes) {
    begin(pool, tokens, lengths(sequences));
    try {
      embed(sequences);
      for (int l = 0; l < cfg.layers(); l++) {
        layer(weights.layers().get(l), ropes.forLayer(cfg.fullAttention()[l]), cfg.radius(l));
      }
      norm(x, weights.finalNorm(), x);
    } finally {
      end();
    }
  }

  /**
   * One Gemma 3 encoder layer on the residual stream {@code x} (sandwich norms; the sliding layers'
   * attention sees keys within {@code radius}, the full ones, radius −1, all).
   */
  void layer(LayerWeights w, RopeTables rope, int radius) {
    norm(x, w.inputNorm(), h);
    selfAttention(w, rope, radius);
    addNormed(h, w.postAttentionNorm(), x);
    norm(x, w.preFeedforwardNorm(), h);
    feedForward(w);
    addNormed(h, w.postFeedforwardNorm(), x);
  }

  /** Sets the batch up: sequence s is {@code lengths[s]} tokens, laid end to end from token 0. */
  void begin(ComputePool pool, int tokens, int[] lengths) {
    this.pool = pool;
    this.tokens = tokens;
    this.nSeq = lengths.length;
    int t = 0;
    for (int s = 0; s < nSeq; s++) {
      start[s] = t;
      length[s] = lengths[s];
      for (int i = 0; i < length[s]; i++) {
        position[t + i] = i;
      }
      t += length[s];
    }
  }

  /** The scaled token embeddings of {@code sequences} (those {@link #begin} set up) into x. */
  void embed(int[][] sequences) {
    this.sequences = sequences;
    pool.parallelFor(nSeq, 1, embedRows);
  }

  void end() {
    pool = null;
    sequences = null;
    layer = null;
    rope = null;
    normIn = normWeight = normOut = null;
  }

  private static int[] lengths(int[][] sequences) {
    int[] lengths = new int[sequences.length];
    for (int s = 0; s < sequences.length; s++) {
      lengths[s] = sequences[s].length;
    }
    return lengths;
  }

  /** {@code out = RMSNorm(in) · weight} per token ({@code out} may be {@code in}). */
  void norm(float[] in, float[] weight, float[] out) {
    normIn = in;
    normWeight = weight;
    normOut = out;
    pool.parallelFor(tokens, TOKEN_GRAIN, normRows);
  }

  /**
   * The residual connection: {@code residual += RMSNorm(block) · weight} per token ({@code block}
   * is overwritten).
   */
  void addNormed(float[] block, float[] weight, float[] residual) {
    normIn = block;
    normWeight = weight;
    normOut = residual;
    pool.parallelFor(tokens, TOKEN_GRAIN, addNormedRows);
  }

  /** {@code h = o_proj(attention(q, k, v))} with q, k, v projected from {@code h}. */
  void selfAttention(LayerWeights w, RopeTables rope, int radius) {
    projectQkv(w, rope);
    attend(radius);
    Matmul.multiply(pool, w.o(), q, tokens, h);
  }

  /** Each sequence's attention, keys within {@code radius} (−1: all), written over the queries. */
  void attend(int radius) {
    attention.run(pool, q, k, v, start, length, nSeq, radius, cfg.queryScale(), q);
  }

  /** q, k, v = h · W (one parallel loop); then q_norm / k_norm per head and RoPE on q and k. */
  void projectQkv(LayerWeights w, RopeTables rope) {
    this.layer = w;
    this.rope = rope;
    qkvWeights[0] = w.q();
    qkvWeights[1] = w.k();
    qkvWeights[2] = w.v();
    Matmul.multiplyAll(pool, h, tokens, qkvWeights, qkvOut, qkvOffsets);
    pool.parallelFor(tokens, TOKEN_GRAIN, qkNormRope);
  }

  /**
   * {@code h = down(gelu_tanh(gate(h)) · up(h))}, tile by tile: each tile's rows of h are copied
   * out, then overwritten by the tile's output.
   */
  void feedForward(LayerWeights w) {
    gateUpWeights[0] = w.gate();
    gateUpWeights[1] = w.up();
    int hd = cfg.hidden();
    for (int t0 = 0; t0 < tokens; t0 += tileCapacity) {
      int m = Math.min(tileCapacity, tokens - t0);
      System.arraycopy(h, t0 * hd, hTile, 0, m * hd);
      Matmul.multiplyAll(pool, hTile, m, gateUpWeights, gateUpOut, gateUpOffsets);
      pool.parallelFor(m, TOKEN_GRAIN, geluGate);
      Matmul.multiply(pool, w.down(), gateUpTile, m, h, hd, t0 * hd); // gate is at offset 0
    }
  }

  /** Token embeddings × sqrt(hidden), sequences {@code [from, to)}. */
  private void embedRows(int from, int to) {
    int hd = cfg.hidden();
    float scale = cfg.embedScale();
    for (int s = from; s < to; s++) {
      int t = start[s];
      for (int id : sequences[s]) {
        weights.embedTokens().readRow(id, x, t * hd);
        SimdKernels.scale(x, t * hd, hd, scale);
        t++;
      }
    }
  }

  private void normRows(int from, int to) {
    int hd = cfg.hidden();
    for (int t = from; t < to; t++) {
      SimdKernels.rmsNorm(normIn, t * hd, hd, normWeight, cfg.rmsEps(), normOut, t * hd);
    }
  }

  private void addNormedRows(int from, int to) {
    int hd = cfg.hidden();
    for (int t = from; t < to; t++) {
      int off = t * hd;
      SimdKernels.rmsNorm(normIn, off, hd, normWeight, cfg.rmsEps(), normIn, off);
      SimdKernels.add(normOut, off, normIn, off, hd);
    }
  }

  /** q_norm / k_norm per head, then RoPE with the layer type's base; v is left as is. */
  private void qkNormRope(int from, int to) {
    int d = cfg.headDim();
    int nq = cfg.heads();
    int nkv = cfg.kvHeads();
    float eps = cfg.rmsEps();
    for (int t = from; t < to; t++) {
      int tableOff = position[t] * rope.half;
      for (int hd = 0; hd < nq; hd++) {
        int off = (t * nq + hd) * d;
        SimdKernels.rmsNorm(q, off, d, layer.qNorm(), eps, q, off);
        SimdKernels.ropeRotateHalf(q, off, d, rope.cos, rope.sin, tableOff);
      }
      for (int hd = 0; hd < nkv; hd++) {
        int off = (t * nkv + hd) * d;
        SimdKernels.rmsNorm(k, off, d, layer.kNorm(), eps, k, off);
        SimdKernels.ropeRotateHalf(k, off, d, rope.cos, rope.sin, tableOff);
      }
    }
  }

  private void geluGate(int from, int to) {
    int f = cfg.intermediate();
    for (int t = from; t < to; t++) {
      SimdKernels.geluTanhMul(gateUpTile, t * f, gateUpTile, upOffset + t * f, f);
    }
  }
}
