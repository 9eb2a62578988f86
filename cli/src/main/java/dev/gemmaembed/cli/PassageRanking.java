package dev.gemmaembed.cli;

import dev.gemmaembed.cli.PassageSource.DocPassage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The best {@code top} results of a search, kept as passages arrive: each document once, at its
 * best passage, or every passage on its own ({@code allPassages}). Equal scores rank by document,
 * then passage, in input order.
 */
final class PassageRanking {

  /** A scored passage. */
  record Hit(float score, DocPassage where) {}

  static final Comparator<Hit> BEST_FIRST =
      Comparator.comparingDouble((Hit h) -> -h.score())
          .thenComparingLong(h -> h.where().document().index())
          .thenComparingInt(h -> h.where().passage().index());

  private final int top;
  private final boolean allPassages;

  /** A min-heap of the best {@code top}: its head is the weakest kept, replaced by any better. */
  private final PriorityQueue<Hit> best;

  /** Documents with passages still to come: their best so far and how many are still to come. */
  private final Map<Long, Pending> open = new HashMap<>();

  private static final class Pending {
    Hit best;
    int remaining;
  }

  PassageRanking(int top, boolean allPassages) {
    this.top = top;
    this.allPassages = allPassages;
    this.best = new PriorityQueue<>(top + 1, BEST_FIRST.reversed());
  }

  /**
   * Scores one passage. A document's best passage competes once all of its passages have come, in
   * any order.
   */
  void offer(DocPassage where, float score) {
    Hit hit = new Hit(score, where);
    if (allPassages || where.passages() == 1) {
      keep(hit);
      return;
    }
    Pending p =
        open.computeIfAbsent(
            where.document().index(),
            i -> {
              Pending fresh = new Pending();
              fresh.remaining = where.passages();
              return fresh;
            });
    if (p.best == null || BEST_FIRST.compare(hit, p.best) < 0) {
      p.best = hit;
    }
    if (--p.remaining == 0) {
      open.remove(where.document().index());
      keep(p.best);
    }
  }

  private void keep(Hit hit) {
    best.add(hit);
    if (best.size() > top) {
      best.poll();
    }
  }

  /** The results, best first. */
  List<Hit> ranked() {
    if (!open.isEmpty()) {
      throw new IllegalStateException(open.size() + " documents still await passages");
    }
    List<Hit> out = new ArrayList<>(best);
    out.sort(BEST_FIRST);
    return out;
  }

  /**
   * The first {@code top} of {@code ranked} (best first), each document once unless {@code
   * allPassages}: a search over some of the passages (a binary index's candidates).
   */
  static List<Hit> firstPerDocument(List<Hit> ranked, int top, boolean allPassages) {
    List<Hit> out = new ArrayList<>(top);
    Set<Long> seen = new HashSet<>();
    for (Hit hit : ranked) {
      if (out.size() == top) {
        break;
      }
      if (allPassages || seen.add(hit.where().document().index())) {
        out.add(hit);
      }
    }
    return out;
  }
}
