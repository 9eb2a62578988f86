package dev.gemmaembed.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Bidirectional grouped-query attention over every sequence of a packed batch, with reusable
 * scratch: one instance serves one forward pass at a time (pool them for concurrent passes).
 *
 * <p>Layout: {@code q}/{@code out} are {@code [tokens × nHeads·headDim]}, {@code k}/{@code v} are
 * {@code [tokens × nKvHeads·headDim]}; sequence s occupies token rows {@code [start[s], start[s] +
 * length[s])} and attends only within itself; query i sees key j iff {@code |i − j| ≤ radius} (all
 * keys when {@code radius < 0}).
 *
 * <p>Two parallel passes. (1) Keys are transposed per sequence and kv head into {@code Kᵀ[headDim ×
 * paddedLength]} and values copied to native memory, so both become B operands of the {@link
 * TileKernels} outer-product tile. (2) Per (sequence, block of up to {@value #BLOCK} queries; fewer
 * when the batch is too small to keep every thread busy) and kv head: the scores of the block's
 * rows — every query head of the group for every query — against the block's key band (the union of
 * its rows' windows: O(T·w) on sliding layers, and never more than {@value #BLOCK} × T scores on
 * full ones) are 4-row × 64-key tiles that load each key once for four rows; then each row's
 * softmax over its own window; then the outputs, a tile of up to 4 rows × 64 dims that loads each
 * value once for all of them: the group's heads (the 3 sharing EmbeddingGemma's single kv head),
 * and with groups under 4 the next queries' heads too where their window is the same (always, for
 * texts no longer than the window: EmbeddingGemma 2's sliding layers pair 2 queries × 2 heads).
 *
 * <p>Every output depends only on its own query's window: scores are fixed FMA chains over the head
 * dimension, the softmax runs over exactly the window, the weighted sum is a fixed chain over the
 * window's keys in order. So results are bitwise independent of blocks, batch and threads.
 */
public final class BatchAttention {

  /** Queries per work unit (at most). */
  static final int BLOCK = 32;

  /** Work units per thread that a small batch's blocks are shrunk to provide. */
  private static final int UNITS_PER_THREAD = 4;

  private static final int W = TileKernels.W;
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

  /** The padding of a unit's key columns. */
  private static final float[] ZEROS = new float[W];

  private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

  private final int nKvHeads;
  private final int headDim;
  private final int group;
  private final int qStride;
  private final int kvStride;

  /** Head width rounded up to whole strips: the row pitch of each head in {@link #values}. */
  private final int dPad;

  private MemorySegment keysT = MemorySegment.NULL;
  private MemorySegment values = MemorySegment.NULL;

  // the current run, set by run() for the loop bodies
  private float[] q;
  private float[] k;
  private float[] v;
  private float[] out;
  private int[] start;
  private int[] length;
  private int radius;
  private float scale;
  private long[] keysOffset = new long[0];
  private int[] prepUnits = new int[1];
  private int[] attendUnits = new int[1];
  private int nSeq;
  private int block = BLOCK;
  private final ComputePool.RangeBody prepareBody = this::prepareUnits;
  private final ComputePool.RangeBody attendBody = this::attendUnits;

  public BatchAttention(int nHeads, int nKvHeads, int headDim) {
    this(nHeads, nKvHeads, headDim, 0);
  }

  /**
   * Scratch sized up front for batches of up to {@code capacityTokens} tokens, so that such batches
   * do not grow it: an outgrown buffer stays allocated until the garbage collector notices its
   * owner. The transposed keys get room for twice the tokens, for each sequence's padding to whole
   * strips (a batch of many sequences shorter than a strip may still need more).
   */
  public BatchAttention(int nHeads, int nKvHeads, int headDim, int capacityTokens) {
    if (nKvHeads <= 0 || nHeads <= 0 || headDim <= 0 || nHeads % nKvHeads != 0) {
      throw new IllegalArgumentException(
          nHeads + " query heads cannot share " + nKvHeads + " kv heads of width " + headDim);
    }
    this.nKvHeads = nKvHeads;
    this.headDim = headDim;
    this.group = nHeads / nKvHeads;
    this.qStride = nHeads * headDim;
    this.kvStride = nKvHeads * headDim;
    this.dPad = (headDim + W - 1) / W * W;
    if (capacityTokens > 0) {
      keysT = ensure(keysT, (long) capacityTokens * 2 * kvStride + W);
      values = ensure(values, (long) capacityTokens * nKvHeads * dPad);
    }
  }

  /**
   * Attends every query of sequences {@code 0 .. nSeq − 1}, writing all of {@code out}'s rows for
   * them. {@code out} may be {@code q} itself: each (query block, kv head) unit reads its queries'
   * rows of that head group before it writes the same rows and heads of the output, and no other
   * unit reads them.
   */
  public void run(
      ComputePool pool,
      float[] q,
      float[] k,
      float[] v,
      int[] start,
      int[] length,
      int nSeq,
      int radius,
      float scale,
      float[] out) {
    int tokens = 0;
    for (int s = 0; s < nSeq; s++) {
      tokens += length[s];
    }
    // a 16-token text still gives every thread query blocks (4 at least: a whole row tile)
    block = Math.clamp((tokens / (pool.threads() * UNITS_PER_THREAD) + 3) / 4 * 4, 4, BLOCK);
    prepare(q, k, v, start, length, nSeq, radius, scale, out);
    try {
      pool.parallelFor(prepUnits[nSeq], 1, prepareBody);
      pool.parallelFor(attendUnits[nSeq], 1, attendBody);
    } finally {
      this.q = this.k = this.v = this.out = null;
      this.start = this.length = null;
    }
  }

  private void prepare(
      float[] q,
      float[] k,
      float[] v,
      int[] start,
      int[] length,
      int nSeq,
      int radius,
      float scale,
      float[] out) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.out = out;
    this.start = start;
    this.length = length;
    this.nSeq = nSeq;
    this.radius = radius;
    this.scale = scale;
    if (keysOffset.length < nSeq + 1) {
      keysOffset = new long[nSeq + 1];
      prepUnits = new int[nSeq + 1];
      attendUnits = new int[nSeq + 1];
    }
    long keyFloats = 0;
    int tokens = 0;
    for (int s = 0; s < nSeq; s++) {
      int len = length[s];
      int pad = (len + W - 1) / W * W;
      keysOffset[s] = keyFloats;
      keyFloats += (long) nKvHeads * headDim * pad;
      prepUnits[s + 1] = prepUnits[s] + pad / W;
      attendUnits[s + 1] = attendUnits[s] + (len + block - 1) / block;
      tokens = Math.max(tokens, start[s] + len);
    }
    keysT = ensure(keysT, keyFloats + W); // + slack: a block's last strip may run past the last row
    values = ensure(values, (long) tokens * nKvHeads * dPad);
  }

  private static MemorySegment ensure(MemorySegment seg, long floats) {
    long bytes = floats * Float.BYTES;
    if (seg.byteSize() >= bytes) {
      return seg;
    }
    return Arena.ofAuto().allocate(Math.max(bytes, seg.byteSize() * 3 / 2), 64);
  }

  /** The sequence whose units (by prefix array {@code units}) include unit {@code u}. */
  private int sequenceOf(int[] units, int u) {
    int i = Arrays.binarySearch(units, 0, nSeq + 1, u);
    if (i < 0) {
      return -i - 2;
    }
    while (i < nSeq && units[i + 1] == u) { // skip empty sequences sharing this prefix
      i++;
    }
    return i;
  }

  /** Pass 1 over units (sequence, strip of W keys): Kᵀ strips (zero-padded) and value rows. */
  private void prepareUnits(int from, int to) {
    int s = sequenceOf(prepUnits, from);
    for (int u = from; u < to; u++) {
      while (u >= prepUnits[s + 1]) {
        s++;
      }
      int len = length[s];
      int pad = (len + W - 1) / W * W;
      int j0 = (u - prepUnits[s]) * W;
      int j1 = Math.min(len, j0 + W);
      for (int g = 0; g < nKvHeads; g++) {
        long base = keysOffset[s] + (long) g * headDim * pad;
        for (int c = 0; c < headDim; c++) {
          long row = base + (long) c * pad;
          int src = (start[s] + j0) * kvStride + g * headDim + c;
          for (int j = j0; j < j1; j++, src += kvStride) {
            keysT.setAtIndex(FLOAT, row + j, k[src]);
          }
          // one bulk copy: a short text's unit is mostly padding (61 of 64 columns for 3 tokens
          // with AVX-512), which element by element cost a cold process's first pass dearly
          MemorySegment.copy(ZEROS, 0, keysT, FLOAT, (row + j1) * Float.BYTES, j0 + W - j1);
        }
      }
      for (int j = j0; j < j1; j++) {
        int t = start[s] + j;
        for (int g = 0; g < nKvHeads; g++) {
          MemorySegment.copy(
              v,
              t * kvStride + g * headDim,
              values,
              FLOAT,
              ((long) t * nKvHeads + g) * dPad * Float.BYTES,
              headDim);
        }
      }
    }
  }

  /** Pass 2 over units (sequence, block of queries). */
  private void attendUnits(int from, int to) {
    int s = sequenceOf(attendUnits, from);
    for (int u = from; u < to; u++) {
      while (u >= attendUnits[s + 1]) {
        s++;
      }
      int i0 = (u - attendUnits[s]) * block;
      attendBlock(s, i0, Math.min(length[s], i0 + block));
    }
  }

  private int lo(int i) {
    return radius < 0 ? 0 : Math.max(0, i - radius);
  }

  private int hi(int i, int len) {
    return radius < 0 ? len - 1 : Math.min(len - 1, i + radius);
  }

  /** Queries {@code [i0, i1)} of sequence s, all heads. */
  private void attendBlock(int s, int i0, int i1) {
    int len = length[s];
    int pad = (len + W - 1) / W * W;
    int first = start[s];
    // the block's key band [jlo, jlo + span): the union of its queries' windows, in whole strips
    // (a strip may run past the sequence's padded keys into the next row or the slack: never read)
    int jlo = lo(i0);
    int span = (hi(i1 - 1, len) + 1 - jlo + W - 1) / W * W;
    int rows = (i1 - i0) * group;
    int tile = rows * span;
    int invs = tile + 4 * W;
    float[] scratch = SCORES.get(); // scores, a 4 × W result tile, the rows' 1 / Σ
    if (scratch.length < invs + Math.max(group, 4)) {
      scratch = new float[invs + Math.max(group, 4)];
      SCORES.set(scratch);
    }
    long rowBytes = (long) pad * Float.BYTES;
    for (int g = 0; g < nKvHeads; g++) {
      long kBase = (keysOffset[s] + (long) g * headDim * pad + jlo) * Float.BYTES;
      // scores[r][j − jlo] = q_r · k_j for rows r = (query, head of group g)
      int r = 0;
      for (; r + 4 <= rows; r += 4) {
        int a0 = qOffset(first, i0, g, r);
        int a1 = qOffset(first, i0, g, r + 1);
        int a2 = qOffset(first, i0, g, r + 2);
        int a3 = qOffset(first, i0, g, r + 3);
        for (int js = 0; js < span; js += W) {
          int c0 = r * span + js;
          TileKernels.tile4(
              q,
              a0,
              a1,
              a2,
              a3,
              headDim,
              keysT,
              kBase + (long) js * Float.BYTES,
              rowBytes,
              scratch,
              c0,
              c0 + span,
              c0 + 2 * span,
              c0 + 3 * span);
        }
      }
      for (; r < rows; r++) {
        int a0 = qOffset(first, i0, g, r);
        for (int js = 0; js < span; js += W) {
          TileKernels.tile1(
              q,
              a0,
              headDim,
              keysT,
              kBase + (long) js * Float.BYTES,
              rowBytes,
              scratch,
              r * span + js);
        }
      }
      for (int i = i0; i < i1; ) {
        int lo = lo(i);
        int last = hi(i, len);
        int count = last - lo + 1;
        // queries with the same window share each value load: their score rows are consecutive
        int queries = 1;
        while ((queries + 1) * group <= 4
            && i + queries < i1
            && lo(i + queries) == lo
            && hi(i + queries, len) == last) {
          queries++;
        }
        int p0 = (i - i0) * group * span + lo - jlo; // row of the first query's first head
        int rowsNow = queries * group;
        for (int e = 0; e < rowsNow; e++) {
          scratch[invs + e] = softmaxRow(scratch, p0 + e * span, count);
        }
        long vBase = ((long) (first + lo) * nKvHeads + g) * dPad * Float.BYTES;
        int o = (first + i) * qStride + g * group * headDim;
        for (int c = 0; c < headDim; c += W) {
          weightedValues(
              scratch,
              p0,
              span,
              rowsNow,
              count,
              vBase + (long) c * Float.BYTES,
              tile,
              invs,
              o + c,
              Math.min(W, headDim - c));
        }
        i += queries;
      }
    }
  }

  /**
   * One strip of the outputs of {@code rows} score rows (query {@code r / group}, head {@code r %
   * group} of the group, rows {@code span} apart, all over the same window): {@code out[row][lane]
   * = Σ_j p[row][j] · v[j][lane] / Σ_row}, rows 4 (or 3) at a time so each value load serves them
   * all. Each output is the same chain over the window's keys in order whatever the grouping.
   */
  private void weightedValues(
      float[] scratch,
      int p0,
      int span,
      int rows,
      int count,
      long vOff,
      int tile,
      int invs,
      int o,
      int width) {
    long vStride = (long) nKvHeads * dPad * Float.BYTES;
    int r = 0;
    while (r < rows) {
      int left = rows - r;
      int p = p0 + r * span;
      int n;
      if (left >= 4) {
        TileKernels.tile4(
            scratch,
            p,
            p + span,
            p + 2 * span,
            p + 3 * span,
            count,
            values,
            vOff,
            vStride,
            scratch,
            tile,
            tile + W,
            tile + 2 * W,
            tile + 3 * W);
        n = 4;
      } else if (left == 3) {
        TileKernels.tile3(
            scratch,
            p,
            p + span,
            p + 2 * span,
            count,
            values,
            vOff,
            vStride,
            scratch,
            tile,
            tile + W,
            tile + 2 * W);
        n = 3;
      } else {
        TileKernels.tile1(scratch, p, count, values, vOff, vStride, scratch, tile);
        n = 1;
      }
      for (int e = 0; e < n; e++) {
        int row = r + e;
        SimdKernels.scaleInto(
            scratch,
            tile + e * W,
            width,
            scratch[invs + row],
            out,
            o + row / group * qStride + row % group * headDim);
      }
      r += n;
    }
  }

  /** Scales a row's window of raw scores, replaces it by e^(s − max); returns 1 / Σ. */
  private float softmaxRow(float[] scores, int off, int count) {
    SimdKernels.scale(scores, off, count, scale);
    float max = SimdKernels.max(scores, off, count);
    return 1f / SimdKernels.expShiftedInPlace(scores, off, count, max);
  }

  private int qOffset(int first, int i0, int g, int row) {
    int i = i0 + row / group;
    int h = g * group + row % group;
    return (first + i) * qStride + h * headDim;
  }
}
