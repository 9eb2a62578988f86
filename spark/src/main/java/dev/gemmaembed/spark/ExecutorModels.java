package dev.gemmaembed.spark;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode): each is loaded once, on
 * first use by a task, and shared by every later task for the JVM's lifetime. Concurrent tasks
 * share one memory-mapped copy of the weights ({@link Embedder} is thread-safe); a shutdown hook
 * closes them when the executor exits.
 */
public final class ExecutorModels {

  private record Key(Path directory, LoadOptions options) {}

  /**
   * Loads its model on the first {@link #get()}; a failed load is not remembered, so a retry tries
   * again.
   */
  private static final class Slot {
    private final Key key;
    private Embedder embedder;

    Slot(Key key) {
      this.key = key;
    }

    synchronized Embedder get() {
      if (embedder == null) {
        try {
          embedder = Embedder.load(key.directory(), key.options());
        } catch (RuntimeException e) {
          throw new ModelUnavailableException(
              ModelLocator.where()
                  + "cannot load the model at "
                  + key.directory()
                  + ": "
                  + e.getMessage(),
              e);
        }
        LOADS.computeIfAbsent(key.directory(), d -> new AtomicInteger()).incrementAndGet();
      }
      return embedder;
    }

    synchronized void close() {
      if (embedder != null) {
        embedder.close();
        embedder = null;
      }
    }
  }

  private static final Map<Key, Slot> SLOTS = new ConcurrentHashMap<>();
  private static final Map<Path, AtomicInteger> LOADS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ExecutorModels::closeAll, "gemma-embed-close-models"));
  }

  private ExecutorModels() {}

  /** The shared model for a directory already resolved on this node and its load options. */
  static Embedder get(Path directory, LoadOptions options) {
    // The slot is created under the map's lock (cheap); the load itself runs under the slot's own
    // lock, so a slow load never blocks tasks that use other models.
    return SLOTS.computeIfAbsent(new Key(directory, options), Slot::new).get();
  }

  /**
   * How many times this JVM has loaded the model directory {@code directory} (any load options).
   */
  public static int loads(Path directory) {
    AtomicInteger n = LOADS.get(directory.toAbsolutePath().normalize());
    return n == null ? 0 : n.get();
  }

  private static void closeAll() {
    SLOTS.values().forEach(Slot::close);
  }
}
