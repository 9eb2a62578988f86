package dev.gemmaembed.core.model;

import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Reuse of a pass's activation buffers: a few idle buffer sets are kept, and a pass takes the
 * smallest that fits its batch. Capacities come in steps of {@value #STEP} tokens, and every batch
 * over a quarter of the budget (the caller's batch budget, rounded up) gets a set of the whole
 * budget at once, so batches of varying size up to it reuse one set instead of growing it step by
 * step (each outgrown set would stay in the old generation as garbage until a full collection), and
 * a job of many batches allocates at most twice. A small batch (a single query, say) gets a set of
 * its own size.
 *
 * @param <P> a buffer set
 */
final class PassPool<P> {

  /** Buffer sets kept for reuse (more may exist while many threads run passes at once). */
  private static final int KEPT = 2;

  /** Capacities are multiples of this many tokens. */
  static final int STEP = 128;

  private final int budget;
  private final IntFunction<P> create;
  private final ToIntFunction<P> capacity;

  /** Idle sets; slots are null when empty. Guarded by itself. */
  private final Object[] idle = new Object[KEPT];

  /**
   * @param budget the batch budget in tokens
   * @param create a new set of (at least) the given capacity
   * @param capacity a set's capacity
   */
  PassPool(int budget, IntFunction<P> create, ToIntFunction<P> capacity) {
    if (budget < 1) {
      throw new IllegalArgumentException("the batch budget must be >= 1, got " + budget);
    }
    this.budget = roundUp(budget);
    this.create = create;
    this.capacity = capacity;
  }

  /**
   * An idle set of at least {@code size} rows (the smallest such), else a new one at least as big
   * as any idle one.
   */
  P acquire(int size) {
    P p = null;
    synchronized (idle) {
      int pick = -1;
      for (int i = 0; i < idle.length; i++) {
        if (idle[i] != null && (pick < 0 || better(set(i), set(pick), size))) {
          pick = i;
        }
      }
      if (pick >= 0) {
        p = set(pick);
        idle[pick] = null;
      }
    }
    if (p == null || capacity.applyAsInt(p) < size) {
      return create.apply(capacityFor(p == null ? size : Math.max(size, capacity.applyAsInt(p))));
    }
    return p;
  }

  /** Keeps {@code p} for reuse if a slot is free. */
  void release(P p) {
    synchronized (idle) {
      for (int i = 0; i < idle.length; i++) {
        if (idle[i] == null) {
          idle[i] = p;
          return;
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private P set(int i) {
    return (P) idle[i];
  }

  private int capacityFor(int size) {
    return size <= budget / 4 ? roundUp(size) : Math.max(budget, roundUp(size));
  }

  /**
   * A set that fits beats one that doesn't; then the smaller of two that fit, the larger of two
   * that don't.
   */
  private boolean better(P a, P b, int size) {
    int ca = capacity.applyAsInt(a);
    int cb = capacity.applyAsInt(b);
    boolean fa = ca >= size;
    if (fa != cb >= size) {
      return fa;
    }
    return fa ? ca < cb : ca > cb;
  }

  private static int roundUp(int tokens) {
    return (tokens + STEP - 1) / STEP * STEP;
  }
}
