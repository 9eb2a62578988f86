package dev.gemmaembed.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Floating-point operations done, as a JMH secondary result: in a throughput benchmark with
 * {@code @OutputTimeUnit(NANOSECONDS)} its score is GFLOP/s (summed over JMH threads).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {

  public long flops;

  @Setup(Level.Iteration)
  public void reset() {
    flops = 0;
  }
}
