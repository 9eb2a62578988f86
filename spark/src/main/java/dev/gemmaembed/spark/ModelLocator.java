package dev.gemmaembed.spark;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/** Finds the model on the executor this code runs on. */
final class ModelLocator {

  private ModelLocator() {}

  /**
   * The model directory (or GGUF file) of {@code options} on this node: the path itself for a local
   * model, or {@code SparkFiles.get(name)} for a shipped one. Fails with a message naming this host
   * when it is not there or cannot be read.
   */
  static Path resolve(SparkEmbedOptions options) {
    Path path;
    String how;
    if (options.shipped()) {
      path = Path.of(SparkFiles.get(options.model()));
      how =
          "shipped model '"
              + options.model()
              + "' (SparkFiles root "
              + SparkFiles.getRootDirectory()
              + ")";
    } else {
      path = Path.of(options.model());
      how = "local model";
    }
    if (!Files.exists(path)) {
      String hint =
          options.shipped()
              ? "ship it with --files/--archives or SparkContext.addFile(dir, true)"
              : "the model must exist at this path on every executor node, or ship it and use SparkEmbedOptions.shippedModel";
      throw new ModelUnavailableException(where() + how + " " + path + " does not exist; " + hint);
    }
    // A directory (Hugging Face layout) or a single file (GGUF): Embedder.load tells them apart.
    if (!Files.isReadable(path)) {
      throw new ModelUnavailableException(
          where() + how + " " + path + " is not readable by this executor's user");
    }
    return path.toAbsolutePath().normalize();
  }

  /** "gemma-embed on host h: ", so a failure seen on the driver says which node lacks the model. */
  static String where() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "an unknown host";
    }
    return "gemma-embed on " + host + ": ";
  }
}
