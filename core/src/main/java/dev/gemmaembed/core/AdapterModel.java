package dev.gemmaembed.core;

import java.nio.file.Path;

/**
 * The Embedder behind a framework adapter's embedding model (LangChain4j, Spring AI), with the name
 * the adapter reports: either shared ({@link #close()} leaves it open) or loaded by the adapter's
 * builder ({@link #close()} closes it). Made by {@link AdapterModelBuilder}.
 */
public final class AdapterModel implements AutoCloseable {

  private final Embedder embedder;
  private final boolean owned;
  private final String name;

  AdapterModel(Embedder embedder, boolean owned, String name) {
    this.embedder = embedder;
    this.owned = owned;
    this.name = name != null ? name : fileName(embedder.source());
  }

  public Embedder embedder() {
    return embedder;
  }

  /** The name given to the builder, else the model directory's or file's name. */
  public String name() {
    return name;
  }

  /** Closes the Embedder if the builder loaded it; a shared one stays open. */
  @Override
  public void close() {
    if (owned) {
      embedder.close();
    }
  }

  private static String fileName(String source) {
    Path name = Path.of(source).getFileName();
    return name == null ? source : name.toString();
  }
}
