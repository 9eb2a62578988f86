package dev.gemmaembed.kernels;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Compute pools of 1, 2 and 3 threads for the tests that check a result does not depend on the
 * thread count: opened before a test class's tests, closed after them. Register with
 * {@code @RegisterExtension static final ThreadPools POOLS = new ThreadPools();}.
 */
final class ThreadPools implements BeforeAllCallback, AfterAllCallback, Iterable<ComputePool> {

  private static final int MAX_THREADS = 3;

  private final List<ComputePool> pools = new ArrayList<>(MAX_THREADS);

  @Override
  public void beforeAll(ExtensionContext context) {
    for (int threads = 1; threads <= MAX_THREADS; threads++) {
      pools.add(new ComputePool(threads));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    pools.forEach(ComputePool::close);
    pools.clear();
  }

  /** The one-thread pool. */
  ComputePool single() {
    return pools.get(0);
  }

  /** The pools, 1 to 3 threads. */
  @Override
  public Iterator<ComputePool> iterator() {
    return pools.iterator();
  }
}
