package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.BatchAttention;
import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.Matmul;
import dev.gemmaembed.kernels.RowDecodingMatrix;
import dev.gemmaembed.kernels.SimdKernels;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.function.Function;

/**
 * The Gemma 3 bidirectional encoder (transformers' {@code Gemma3TextModel}, spec §2) over a packed
 * batch: the sequences are laid end to end without padding, each with positions from 0, and
 * attention never crosses a sequence boundary. Every token is thus computed exactly as if its
 * sequence were alone, and no work is spent on padding.
 *
 * <p>Performance shape: the float32-decodable weight matrices are packed once, at construction,
 * into the panel layout of {@link dev.gemmaembed.kernels.PackedF32Matrix} (4 bytes per weight,
 * 406 MB for the real model; {@link #GemmaEncoder(ModelConfig, EncoderWeights, Arena, int)} puts them
 * in the caller's arena so they are freed with the model). Every step of a layer is one parallel
 * loop on the shared {@link ComputePool} — products split by (panel, token block), per-token steps
 * by token ranges, attention by (sequence, query block) — and q/k/v and gate/up each run as one
 * loop. The activation buffers of a pass are pooled and reused, and the loop bodies are created
 * once per buffer set, so a pass in steady state allocates nothing but its result.
 */
public final class GemmaEncoder {

  /** Pooled buffer sets kept for reuse (more may exist while many threads run passes at once). */
  private static final int POOLED_PASSES = 2;

  /**
   * Tokens per feed-forward tile (see {@link Pass#layer}). Quantized matrices decode their weights
   * once per product, so smaller tiles cost speed: bench, Q4_0, 4 × 512 tokens, 2 threads, three
   * alternating runs: 741–805 tok/s untiled, 723–777 at 512, 647–734 at 256.
   */
  private static final int FEED_FORWARD_TILE = 512;

  /** RoPE tables grow in steps of this many positions. */
  private static final int ROPE_STEP = 256;

  /** Buffer capacities are multiples of this many tokens. */
  private static final int CAPACITY_STEP = 128;

  private final ModelConfig cfg;
  private final EncoderWeights weights;
  /**
   * RoPE tables of the full-attention and the sliding layers, covering the longest sequence so far
   * in steps of {@value #ROPE_STEP} positions (replaced, never changed, so passes read them freely).
   */
  private volatile RopeTables[] ropeSoFar;
  /** The batch budget, rounded up: the capacity of a buffer set for any batch over a quarter of it. */
  private final int passTokens;
  /** Idle buffer sets; slots are null when empty. Guarded by itself. */
  private final Pass[] idle = new Pass[POOLED_PASSES];

  /**
   * An encoder whose packed weights are allocated in {@code arena} (null: automatic memory) and
   * whose activation buffers, for any batch over a quarter of {@code passTokens} (the caller's batch
   * budget), hold at least that many tokens, so that batches of varying size up to it reuse one
   * buffer set instead of growing it step by step (each outgrown set would stay in the old
   * generation as garbage until a full collection).
   */
  public GemmaEncoder(ModelConfig cfg, EncoderWeights weights, Arena arena, int passTokens) {
    if (passTokens < 1) {
      throw new IllegalArgumentException("passTokens must be >= 1, got " + passTokens);
    }
    this.cfg = cfg;
    this.weights = weights;
    this.passTokens = roundUp(passTokens);
    this.ropeSoFar = ropeTables(Math.min(ROPE_STEP, cfg.maxPositions()));
    for (LayerWeights l : weights.layers()) {
      for (WeightMatrix m : new WeightMatrix[] {l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()}) {
        if (arena != null && m instanceof RowDecodingMatrix r) {
          r.packInto(arena);
        } else {
          m.prepare();
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
    int size = n * cfg.hidden();
    return forward(sequences, pool, x -> java.util.Arrays.copyOf(x, size));
  }

  /**
   * Runs the encoder and hands the final-norm hidden states ({@code [Σ lengths × hidden]}, sequence
   * after sequence; the array may be longer) to {@code use}, returning its result. The array is
   * reused by later passes: {@code use} must not keep it.
   */
  public <R> R forward(int[][] sequences, ComputePool pool, Function<float[], R> use) {
    int n = 0;
    for (int[] s : sequences) {
      n += s.length;
    }
    Pass p = acquire(Math.max(n, sequences.length)); // rows for every token and every sequence
    try {
      p.run(sequences, n, pool);
      return use.apply(p.x);
    } finally {
      release(p);
    }
  }

  /**
   * An idle buffer set of at least {@code size} rows (the smallest such), else a new one at least
   * as big as any idle one.
   */
  private Pass acquire(int size) {
    Pass p = null;
    synchronized (idle) {
      int pick = -1;
      for (int i = 0; i < idle.length; i++) {
        if (idle[i] != null && (pick < 0 || better(idle[i], idle[pick], size))) {
          pick = i;
        }
      }
      if (pick >= 0) {
        p = idle[pick];
        idle[pick] = null;
      }
    }
    if (p == null || p.capacity < size) {
      return new Pass(capacityFor(p == null ? size : Math.max(size, p.capacity)));
    }
    return p;
  }

  /**
   * A batch of up to a quarter of the budget (a single query, say) gets a set of its own size;
   * a bigger one gets the whole budget at once, so a job of many batches allocates at most twice.
   */
  private int capacityFor(int size) {
    return size <= passTokens / 4 ? roundUp(size) : Math.max(passTokens, roundUp(size));
  }

  private RopeTables[] ropeTables(int positions) {
    return new RopeTables[] {
      new RopeTables(cfg.ropeFullBase(), cfg.ropeFullScale(), cfg.headDim(), positions),
      new RopeTables(cfg.ropeSlidingBase(), 1.0, cfg.headDim(), positions)
    };
  }

  /** Tables covering positions {@code [0, longest)}. */
  private RopeTables[] ropeFor(int longest) {
    RopeTables[] r = ropeSoFar;
    if (r[0].positions >= longest) {
      return r;
    }
    synchronized (this) {
      r = ropeSoFar;
      if (r[0].positions < longest) {
        int positions = Math.min(cfg.maxPositions(), (longest + ROPE_STEP - 1) / ROPE_STEP * ROPE_STEP);
        r = ropeTables(Math.max(positions, longest));
        ropeSoFar = r;
      }
      return r;
    }
  }

  /** Capacities grow in steps, so batches of slightly different sizes reuse one buffer set. */
  private static int roundUp(int tokens) {
    return (tokens + CAPACITY_STEP - 1) / CAPACITY_STEP * CAPACITY_STEP;
  }

  /** A set that fits beats one that doesn't; then the smaller of two that fit, the larger of two that don't. */
  private static boolean better(Pass a, Pass b, int size) {
    boolean fa = a.capacity >= size;
    if (fa != b.capacity >= size) {
      return fa;
    }
    return fa ? a.capacity < b.capacity : a.capacity > b.capacity;
  }

  private void release(Pass p) {
    synchronized (idle) {
      for (int i = 0; i < idle.length; i++) {
        if (idle[i] == null) {
          idle[i] = p;
          return;
        }
      }
    }
  }

  /**
   * The activation buffers of one pass (sized for {@code capacity} tokens) and the loop bodies
   * that work on them; the fields below the buffers describe the pass and layer in progress.
   */
  private final class Pass {
    /** Tokens, and sequences, it has room for. */
    final int capacity;
    /** The residual stream, {@code [tokens × hidden]}. */
    final float[] x;
    /**
     * {@code [tokens × hidden]}: a norm of {@code x} as a product's input, and the attention and
     * feed-forward outputs until they are added to {@code x} (each row is read before it is reused).
     */
    final float[] h;
    /** Queries {@code [tokens × heads·headDim]}, overwritten in place by the attention output. */
    final float[] q;
    final float[] k;
    final float[] v;
    /** Tokens of a feed-forward tile. */
    final int tileCapacity;
    /**
     * A tile's rows of h, {@code [tile × hidden]}, the input of gate and up: the start of {@code k}
     * when it fits (keys and values are copied into the attention's own scratch before the
     * feed-forward block runs, and rewritten by the next layer), else an array of its own.
     */
    final float[] hTile;
    /**
     * A tile's gate and up, {@code [tile × intermediate]} each, at offsets 0 and {@code upOffset}:
     * in {@code q} when both fit (the attention output in q is consumed by the o-projection before),
     * else an array of their own.
     */
    final float[] gateUpTile;
    final int upOffset;
    final int[] start;
    final int[] length;
    final int[] position;
    final BatchAttention attention;
    final float[][] qkv;
    final int[] qkvOffsets = new int[3];
    final float[][] gateUp;
    final int[] gateUpOffsets;
    final WeightMatrix[] qkvWeights = new WeightMatrix[3];
    final WeightMatrix[] gateUpWeights = new WeightMatrix[2];

    int[][] sequences;
    int layerIndex;
    LayerWeights layer;
    /** This pass's tables (full-attention, sliding) and the current layer's. */
    RopeTables[] ropes;
    RopeTables rope;

    final ComputePool.RangeBody embedRows = this::embedRows;
    final ComputePool.RangeBody inputNorm = this::inputNorm;
    final ComputePool.RangeBody qkNormRope = this::qkNormRope;
    final ComputePool.RangeBody attentionResidual = this::attentionResidual;
    final ComputePool.RangeBody geluGate = this::geluGate;
    final ComputePool.RangeBody feedForwardResidual = this::feedForwardResidual;
    final ComputePool.RangeBody finalNorm = this::finalNorm;

    Pass(int capacity) {
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
      int tileIn = tileCapacity * hd;
      int tileOut = tileCapacity * cfg.intermediate();
      hTile = tileIn <= k.length ? k : new float[tileIn];
      gateUpTile = 2 * tileOut <= q.length ? q : new float[2 * tileOut];
      upOffset = tileOut;
      start = new int[capacity];
      length = new int[capacity];
      position = new int[capacity];
      attention = new BatchAttention(cfg.heads(), cfg.kvHeads(), cfg.headDim(), capacity);
      qkv = new float[][] {q, k, v};
      gateUp = new float[][] {gateUpTile, gateUpTile};
      gateUpOffsets = new int[] {0, upOffset};
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
      ropes = ropeFor(longest);
      try {
        pool.parallelFor(sequences.length, 1, embedRows);
        pool.parallelFor(n, 8, inputNorm); // layer 0's input norm; later ones are fused below
        for (int l = 0; l < cfg.layers(); l++) {
          layer(l, n, sequences.length, pool);
        }
        pool.parallelFor(n, 8, finalNorm);
      } finally {
        this.sequences = null;
        this.layer = null;
        this.rope = null;
        this.ropes = null;
      }
    }

    private void layer(int l, int n, int nSeq, ComputePool pool) {
      layerIndex = l;
      layer = weights.layers().get(l);
      rope = ropes[cfg.fullAttention()[l] ? 0 : 1];
      // h = input_layernorm(x) is already in place
      qkvWeights[0] = layer.q();
      qkvWeights[1] = layer.k();
      qkvWeights[2] = layer.v();
      Matmul.multiplyAll(pool, h, n, qkvWeights, qkv, qkvOffsets);
      pool.parallelFor(n, 8, qkNormRope);
      attention.run(pool, q, k, v, start, length, nSeq, cfg.radius(l), cfg.queryScale(), q); // in place
      Matmul.multiply(pool, layer.o(), q, n, h); // h (the qkv input) is free again
      pool.parallelFor(n, 8, attentionResidual);
      gateUpWeights[0] = layer.gate();
      gateUpWeights[1] = layer.up();
      // The feed-forward block is per token: it runs tile by tile so that its widest activations
      // (gate, up) exist for one tile only, in buffers the attention no longer needs. Each tile's
      // rows of h are copied out, then overwritten by the tile's output.
      int hd = cfg.hidden();
      for (int t0 = 0; t0 < n; t0 += tileCapacity) {
        int m = Math.min(tileCapacity, n - t0);
        System.arraycopy(h, t0 * hd, hTile, 0, m * hd);
        Matmul.multiplyAll(pool, hTile, m, gateUpWeights, gateUp, gateUpOffsets);
        pool.parallelFor(m, 8, geluGate);
        Matmul.multiply(pool, layer.down(), gateUpTile, m, h, hd, t0 * hd); // gate is at offset 0
      }
      // x += post_feedforward_norm(h), then the next layer's input norm (or nothing after the last)
      pool.parallelFor(n, 8, feedForwardResidual);
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

    private void inputNorm(int from, int to) {
      int hd = cfg.hidden();
      float[] w = weights.layers().getFirst().inputNorm();
      for (int t = from; t < to; t++) {
        SimdKernels.rmsNorm(x, t * hd, hd, w, cfg.rmsEps(), h, t * hd);
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

    /** Sandwich norm: x += post_attention_norm(h); then h = pre_feedforward_norm(x). */
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
        SimdKernels.geluTanhMul(gateUpTile, t * f, gateUpTile, upOffset + t * f, f);
      }
    }

    /** x += post_feedforward_norm(h); then h = the next layer's input norm of x. */
    private void feedForwardResidual(int from, int to) {
      int hd = cfg.hidden();
      float eps = cfg.rmsEps();
      int next = layerIndex + 1;
      float[] nextNorm = next < cfg.layers() ? weights.layers().get(next).inputNorm() : null;
      for (int t = from; t < to; t++) {
        int off = t * hd;
        SimdKernels.rmsNorm(h, off, hd, layer.postFeedforwardNorm(), eps, h, off);
        SimdKernels.add(x, off, h, off, hd);
        if (nextNorm != null) {
          SimdKernels.rmsNorm(x, off, hd, nextNorm, eps, h, off);
        }
      }
    }

    private void finalNorm(int from, int to) {
      int hd = cfg.hidden();
      float[] fin = weights.finalNorm();
      for (int t = from; t < to; t++) {
        SimdKernels.rmsNorm(x, t * hd, hd, fin, cfg.rmsEps(), x, t * hd);
      }
    }
  }
}
