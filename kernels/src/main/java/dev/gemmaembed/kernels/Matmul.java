package dev.gemmaembed.kernels;

import java.util.Arrays;

/**
 * Multiplies activations by weight matrices across a {@link ComputePool}.
 *
 * <p>{@link WeightMatrix#pack Packed} matrices run on their {@link PackedMatrix} copy, split into
 * (panel, token block) units: a panel keeps a thread's weight slice contiguous and cache-resident
 * while its token block streams past, and token blocks give every thread work even when a matrix
 * has fewer panels than the pool has threads (a 768 → 256 projection has 4). Several matrices
 * sharing one input ({@link #multiplyAll}: q/k/v, gate/up) share one loop. Other matrices are split
 * by output rows on their {@link WeightMatrix#rowGrain()}. No split changes how any output element
 * is computed.
 */
public final class Matmul {

  /** Upper bound on tokens per unit, so a unit's activations stay in L2 next to its panel. */
  private static final int MAX_BLOCK_TOKENS = 256;

  /** Units per thread to aim for (dynamic claiming evens out the rest). */
  private static final int UNITS_PER_THREAD = 4;

  /**
   * Per calling thread: the loop body of its current product, reused so a call allocates nothing.
   */
  private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

  private Matmul() {}

  /** {@code out[tokens × w.rows()] = x[tokens × w.cols()] · Wᵀ}. */
  public static void multiply(
      ComputePool pool, WeightMatrix w, float[] x, int tokens, float[] out) {
    multiply(pool, w, x, tokens, out, w.rows(), 0);
  }

  /**
   * As {@link #multiply(ComputePool, WeightMatrix, float[], int, float[])} into a strided output.
   */
  public static void multiply(
      ComputePool pool,
      WeightMatrix w,
      float[] x,
      int tokens,
      float[] out,
      int outStride,
      int outOffset) {
    checkShapes(w, x, tokens, out, outStride, outOffset);
    if (tokens <= 0) {
      return;
    }
    Job job = job();
    try {
      if (job.add(w, out, outStride, outOffset)) {
        job.run(pool, x, tokens);
      } else {
        job.addByRows(w, out, outStride, outOffset);
        job.runByRows(pool, x, tokens);
      }
    } finally {
      job.clear();
    }
  }

  /**
   * {@code outs[i][outOffsets[i] + t · ws[i].rows() + r] = (x · ws[i]ᵀ)[t][r]} for matrices of
   * equal width (several outputs may share one array at disjoint offsets), as one parallel loop
   * packed or not: units of packed panels and token blocks when all of them are packed, else row
   * ranges of each matrix's {@link WeightMatrix#rowGrain()} (for a short query, one loop instead of
   * three keeps both threads busy through k and v's few rows).
   */
  public static void multiplyAll(
      ComputePool pool,
      float[] x,
      int tokens,
      WeightMatrix[] ws,
      float[][] outs,
      int[] outOffsets) {
    if (ws.length != outs.length || ws.length != outOffsets.length) {
      throw new IllegalArgumentException(
          ws.length
              + " matrices but "
              + outs.length
              + " outputs and "
              + outOffsets.length
              + " offsets");
    }
    for (int i = 0; i < ws.length; i++) {
      checkShapes(ws[i], x, tokens, outs[i], ws[i].rows(), outOffsets[i]);
      if (ws[i].cols() != ws[0].cols()) {
        throw new IllegalArgumentException(
            "matrices of widths "
                + ws[0].cols()
                + " and "
                + ws[i].cols()
                + " cannot share an input");
      }
    }
    if (tokens <= 0) {
      return;
    }
    Job job = job();
    try {
      boolean packed = true;
      for (int i = 0; i < ws.length && packed; i++) {
        packed = job.add(ws[i], outs[i], ws[i].rows(), outOffsets[i]);
      }
      if (packed) {
        job.run(pool, x, tokens);
        return;
      }
      job.clear();
      for (int i = 0; i < ws.length; i++) {
        job.addByRows(ws[i], outs[i], ws[i].rows(), outOffsets[i]);
      }
      job.runByRows(pool, x, tokens);
    } finally {
      job.clear();
    }
  }

  private static Job job() {
    Job job = JOBS.get();
    // re-entered on this thread from inside a product's loop body: use a fresh one
    return job.idle() ? job : new Job();
  }

  static void checkShapes(
      WeightMatrix w, float[] x, int tokens, float[] out, int outStride, int outOffset) {
    if ((long) tokens * w.cols() > x.length) {
      throw new IllegalArgumentException(
          "input has " + x.length + " floats, need " + tokens + " × " + w.cols());
    }
    if (tokens > 0 && (long) (tokens - 1) * outStride + outOffset + w.rows() > out.length) {
      throw new IllegalArgumentException("output too small for " + tokens + " × " + w.rows());
    }
  }

  /**
   * The products of one call and its loop body over (matrix, panel, token block) units, numbered
   * matrix by matrix, panel by panel.
   */
  private static final class Job implements ComputePool.RangeBody {
    PackedMatrix[] mats = new PackedMatrix[4];
    float[][] outs = new float[4][];
    int[] outStrides = new int[4];
    int[] outOffsets = new int[4];

    /** unitStart[i]: first unit of matrix i; unitStart[count]: total. */
    int[] unitStart = new int[5];

    int count;

    /**
     * Matrices split by rows (then count is 0): {@code byRows[i]} with its grain and first unit
     * ({@code rowUnitStart[byRowsCount]}: total); outputs as for packed products.
     */
    WeightMatrix[] byRows = new WeightMatrix[4];

    int[] rowGrains = new int[4];
    int[] rowUnitStart = new int[5];
    int byRowsCount;

    /** The by-rows products' {@link WeightMatrix#newCall} id. */
    long call;

    float[] x;
    int tokens;
    int blocksPerPanel;
    int blockTokens;

    /** Adds a product if {@code w} is packed; returns false (adding nothing) if not. */
    boolean add(WeightMatrix w, float[] out, int outStride, int outOffset) {
      PackedMatrix p = w.packed();
      if (p == null) {
        return false;
      }
      if (count == mats.length) {
        int cap = 2 * count;
        mats = Arrays.copyOf(mats, cap);
        outs = Arrays.copyOf(outs, cap);
        outStrides = Arrays.copyOf(outStrides, cap);
        outOffsets = Arrays.copyOf(outOffsets, cap);
        unitStart = Arrays.copyOf(unitStart, cap + 1);
      }
      mats[count] = p;
      outs[count] = out;
      outStrides[count] = outStride;
      outOffsets[count] = outOffset;
      count++;
      return true;
    }

    /** Adds a product split by rows of {@code w}'s grain (packed or not). */
    void addByRows(WeightMatrix w, float[] out, int outStride, int outOffset) {
      int i = byRowsCount;
      if (i == byRows.length) {
        byRows = Arrays.copyOf(byRows, 2 * i);
        rowGrains = Arrays.copyOf(rowGrains, 2 * i);
        rowUnitStart = Arrays.copyOf(rowUnitStart, 2 * i + 1);
      }
      if (i >= outs.length) {
        outs = Arrays.copyOf(outs, 2 * i);
        outStrides = Arrays.copyOf(outStrides, 2 * i);
        outOffsets = Arrays.copyOf(outOffsets, 2 * i);
      }
      int grain = w.rowGrain();
      byRows[i] = w;
      rowGrains[i] = grain;
      rowUnitStart[i + 1] = rowUnitStart[i] + (w.rows() + grain - 1) / grain;
      outs[i] = out;
      outStrides[i] = outStride;
      outOffsets[i] = outOffset;
      byRowsCount++;
    }

    void runByRows(ComputePool pool, float[] x, int tokens) {
      this.x = x;
      this.tokens = tokens;
      this.call = WeightMatrix.newCall();
      pool.parallelFor(rowUnitStart[byRowsCount], 1, this);
    }

    void run(ComputePool pool, float[] x, int tokens) {
      this.x = x;
      this.tokens = tokens;
      int panels = 0;
      for (int i = 0; i < count; i++) {
        panels += panels(i);
      }
      int tiles = (tokens + 3) / 4;
      int wanted =
          Math.max(
              (pool.threads() * UNITS_PER_THREAD + panels - 1) / panels,
              (tokens + MAX_BLOCK_TOKENS - 1) / MAX_BLOCK_TOKENS);
      int blocks = Math.clamp(wanted, 1, tiles);
      blockTokens = 4 * ((tiles + blocks - 1) / blocks);
      blocksPerPanel = (tokens + blockTokens - 1) / blockTokens;
      for (int i = 0; i < count; i++) {
        unitStart[i + 1] = unitStart[i] + panels(i) * blocksPerPanel;
      }
      pool.parallelFor(unitStart[count], 1, this);
    }

    private int panels(int i) {
      return (mats[i].rows() + TileKernels.W - 1) / TileKernels.W;
    }

    void clear() {
      Arrays.fill(mats, 0, count, null);
      Arrays.fill(outs, 0, Math.max(count, byRowsCount), null);
      Arrays.fill(byRows, 0, byRowsCount, null);
      count = 0;
      byRowsCount = 0;
      x = null;
    }

    boolean idle() {
      return count == 0 && byRowsCount == 0;
    }

    @Override
    public void run(int from, int to) {
      if (byRowsCount > 0) {
        runRows(from, to);
        return;
      }
      int i = 0;
      int u = from;
      while (u < to) {
        while (u >= unitStart[i + 1]) {
          i++;
        }
        // consecutive units of one panel cover one contiguous token range
        int local = u - unitStart[i];
        int panel = local / blocksPerPanel;
        int end = Math.min(to, unitStart[i] + (panel + 1) * blocksPerPanel);
        int t0 = (local - panel * blocksPerPanel) * blockTokens;
        int t1 = Math.min(tokens, (end - unitStart[i] - panel * blocksPerPanel) * blockTokens);
        int r0 = panel * TileKernels.W;
        PackedMatrix m = mats[i];
        m.multiplyTokens(
            x,
            t0,
            t1,
            outs[i],
            outStrides[i],
            outOffsets[i],
            r0,
            Math.min(m.rows(), r0 + TileKernels.W));
        u = end;
      }
    }

    /** Units {@code [from, to)} of the by-rows products: one call per matrix they touch. */
    private void runRows(int from, int to) {
      int i = 0;
      int u = from;
      while (u < to) {
        while (u >= rowUnitStart[i + 1]) {
          i++;
        }
        int end = Math.min(to, rowUnitStart[i + 1]);
        WeightMatrix w = byRows[i];
        int r0 = (u - rowUnitStart[i]) * rowGrains[i];
        int r1 = Math.min(w.rows(), (end - rowUnitStart[i]) * rowGrains[i]);
        w.multiply(x, tokens, outs[i], outStrides[i], outOffsets[i], r0, r1, call);
        u = end;
      }
    }
  }
}
