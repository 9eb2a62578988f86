package dev.gemmaembed.core.model;

/**
 * An encoder's RoPE tables (full-attention and sliding bases), covering the longest sequence seen
 * so far in steps of {@value #STEP} positions: a short-text workload never builds tables for all of
 * EmbeddingGemma's 2048 positions. Tables are replaced, never changed, so passes read the ones they
 * got freely while a longer sequence grows them.
 */
final class RopeCache {

  /** Tables grow in steps of this many positions. */
  static final int STEP = 256;

  /** The tables of both layer types, for positions {@code [0, positions)}. */
  record Tables(RopeTables full, RopeTables sliding, int positions) {

    RopeTables forLayer(boolean fullAttention) {
      return fullAttention ? full : sliding;
    }
  }

  private final ModelConfig cfg;
  private volatile Tables current;

  RopeCache(ModelConfig cfg) {
    this.cfg = cfg;
    this.current = build(Math.min(STEP, cfg.maxPositions()));
  }

  /** Tables covering positions {@code [0, longest)}. */
  Tables covering(int longest) {
    Tables t = current;
    if (t.positions() >= longest) {
      return t;
    }
    synchronized (this) {
      t = current;
      if (t.positions() < longest) {
        int positions = Math.min(cfg.maxPositions(), (longest + STEP - 1) / STEP * STEP);
        t = build(Math.max(positions, longest));
        current = t;
      }
      return t;
    }
  }

  private Tables build(int positions) {
    return new Tables(
        new RopeTables(cfg.ropeFullBase(), cfg.ropeFullScale(), cfg.headDim(), positions),
        new RopeTables(cfg.ropeSlidingBase(), 1.0, cfg.headDim(), positions),
        positions);
  }
}
