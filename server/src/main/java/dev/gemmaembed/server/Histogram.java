package dev.gemmaembed.server;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram with fixed upper bounds: lock-free counts, cumulative on export. */
final class Histogram {

  private final double[] bounds;

  /** One count per bound plus a last one for values above every bound. */
  private final LongAdder[] counts;

  private final DoubleAdder sum = new DoubleAdder();

  Histogram(double... bounds) {
    this.bounds = bounds.clone();
    this.counts = new LongAdder[bounds.length + 1];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void observe(double value) {
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    counts[i].increment();
    sum.add(value);
  }

  long count() {
    long n = 0;
    for (LongAdder c : counts) {
      n += c.sum();
    }
    return n;
  }

  double sum() {
    return sum.sum();
  }

  /**
   * Appends the {@code _bucket}, {@code _sum} and {@code _count} lines; {@code labels} is "" or
   * {@code k="v",}.
   */
  void write(StringBuilder out, String name, String labels) {
    long cumulative = 0;
    for (int i = 0; i < bounds.length; i++) {
      cumulative += counts[i].sum();
      out.append(name)
          .append("_bucket{")
          .append(labels)
          .append("le=\"")
          .append(format(bounds[i]))
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    cumulative += counts[bounds.length].sum();
    String plain = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
    out.append(name)
        .append("_bucket{")
        .append(labels)
        .append("le=\"+Inf\"} ")
        .append(cumulative)
        .append('\n');
    out.append(name).append("_sum").append(plain).append(' ').append(format(sum())).append('\n');
    out.append(name).append("_count").append(plain).append(' ').append(cumulative).append('\n');
  }

  /** Integers without a fraction, other values as Java prints doubles (which Prometheus parses). */
  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
