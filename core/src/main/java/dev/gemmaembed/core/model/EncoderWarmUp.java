package dev.gemmaembed.core.model;

import dev.gemmaembed.kernels.ComputePool;
import dev.gemmaembed.kernels.WeightMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs the encoder's kernels on a background thread while the rest of a model loads (the tokenizer,
 * mostly), so that the JIT has compiled them when the first real pass comes. Why: the Vector API
 * runs interpreted, 100× slower, until C2 compiles each kernel, and C2 compiles a method only once
 * it has run often; a process that embeds one query spent ~0.8 s of its ~1.4 s in its first forward
 * pass, against ~45 ms for the same pass compiled.
 *
 * <p>A warm-up pass is a real {@link EncoderPass} over a 3-token dummy sequence (a short query's
 * shape) with every weight matrix cut to its first {@value #ROWS} rows (one row panel of the
 * product kernels, over the same mapped bytes): every kernel and call site of the real pass runs,
 * on the same matrix classes, at a small fraction of its work. Its outputs are thrown away; the
 * real passes never share its buffers, and their results do not depend on how far the JIT has got
 * (the kernels' contract), so vectors are bitwise the same with or without it.
 *
 * <p>It stops before its next layer once {@link Request#stop()} is called (the first real pass
 * does, so the two never compete for long), after {@value #PASSES} passes, or on any error (the
 * weights unmapped under it, a damaged block): it is only ever an optimisation.
 */
public final class EncoderWarmUp {

  /** bos, one word, eos. */
  private static final int[][] SEQUENCE = {{2, 3, 1}};

  /** One 4-row panel per product ({@code PanelKernels.TILE_ROWS}). */
  private static final int ROWS = 4;

  /**
   * Enough that the kernels reach C2's thresholds (thousands of calls) even if no real pass ever
   * stops it; once compiled, a pass of {@value #ROWS}-row products takes about a millisecond.
   */
  static final int PASSES = 64;

  private static final ScopedValue<Request> REQUEST = ScopedValue.newInstance();

  private final ModelConfig cfg;
  private final EncoderWeights weights;
  private final Thread thread;
  private volatile boolean stopped;
  private volatile int passes;

  private EncoderWarmUp(ModelConfig cfg, EncoderWeights weights) {
    this.cfg = cfg;
    this.weights = cut(weights);
    this.thread = Thread.ofPlatform().daemon().name("gemma-embed-warm-up").unstarted(this::run);
  }

  /**
   * Runs {@code load} so that a loader's {@link #offer} starts a warm-up, which {@code request}
   * then owns.
   */
  public static <T> T whileLoading(Request request, Supplier<T> load) {
    return ScopedValue.where(REQUEST, request).call(load::get);
  }

  /**
   * Called by a loader once the weights are mapped and before the slower rest of the load: starts
   * the warm-up of {@code weights} when the caller asked for one ({@link #whileLoading}).
   */
  public static void offer(ModelConfig cfg, EncoderWeights weights) {
    if (REQUEST.isBound()) {
      REQUEST.get().start(new EncoderWarmUp(cfg, weights));
    }
  }

  /** The first {@value #ROWS} rows of every matrix (the token table and norms as they are). */
  private static EncoderWeights cut(EncoderWeights w) {
    List<LayerWeights> layers = new ArrayList<>(w.layers().size());
    for (LayerWeights l : w.layers()) {
      layers.add(
          new LayerWeights(
              l.inputNorm(),
              cut(l.q()),
              cut(l.k()),
              cut(l.v()),
              cut(l.o()),
              l.qNorm(),
              l.kNorm(),
              l.postAttentionNorm(),
              l.preFeedforwardNorm(),
              cut(l.gate()),
              cut(l.up()),
              cut(l.down()),
              l.postFeedforwardNorm()));
    }
    return new EncoderWeights(w.embedTokens(), layers, w.finalNorm());
  }

  private static WeightMatrix cut(WeightMatrix m) {
    int rows = Math.min(ROWS, m.rows());
    long bytes = rows * m.type().rowBytes(m.cols());
    return m.type().matrix(m.data().asSlice(0, bytes), rows, m.cols());
  }

  private void run() {
    EncoderPass pass = new EncoderPass(cfg, weights, SEQUENCE[0].length);
    RopeCache.Tables rope = new RopeCache(cfg).covering(SEQUENCE[0].length);
    try (ComputePool pool = new ComputePool(1)) {
      for (int p = 0; p < PASSES; p++) {
        pass.begin(pool, SEQUENCE[0].length, new int[] {SEQUENCE[0].length});
        try {
          pass.embed(SEQUENCE);
          for (int l = 0; l < cfg.layers(); l++) {
            if (stopped) {
              return;
            }
            pass.layer(
                weights.layers().get(l), rope.forLayer(cfg.fullAttention()[l]), cfg.radius(l));
          }
        } finally {
          pass.end();
        }
        passes = p + 1;
      }
    } catch (RuntimeException e) {
      // only an optimisation: a real pass reports whatever is wrong with the weights
    }
  }

  /** Passes completed so far. */
  int passes() {
    return passes;
  }

  boolean alive() {
    return thread.isAlive();
  }

  /** Waits for its thread to end (uninterruptibly: the caller is about to unmap the weights). */
  void awaitEnd() {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a load hands a loader: holds the warm-up the loader started, if it started one. */
  public static final class Request implements AutoCloseable {

    private volatile EncoderWarmUp started;

    private void start(EncoderWarmUp w) {
      if (started != null) {
        return; // a model has one encoder
      }
      started = w;
      w.thread.start();
    }

    /** The warm-up started, or null. */
    EncoderWarmUp started() {
      return started;
    }

    /** Asks the warm-up to stop before its next layer; returns at once. */
    public void stop() {
      EncoderWarmUp w = started;
      if (w != null) {
        w.stopped = true;
      }
    }

    /** Stops the warm-up and waits for its thread to end, so the weights can be unmapped. */
    @Override
    public void close() {
      stop();
      EncoderWarmUp w = started;
      if (w != null) {
        w.awaitEnd();
      }
    }
  }
}
