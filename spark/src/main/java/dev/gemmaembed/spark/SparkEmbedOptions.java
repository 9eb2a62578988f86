package dev.gemmaembed.spark;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.InvalidOptionException;
import dev.gemmaembed.core.LoadOptions;
import java.io.Serializable;

/**
 * What {@link GemmaEmbedSpark#embed} does: which model, prompt and width, and how the work is cut
 * on the executors. Immutable and serializable: it travels inside each task.
 *
 * <p>Start from {@link #localModel(String)} (a model present at the same path on every node) or
 * {@link #shippedModel(String)} (a model shipped with {@code --archives}/{@code --files} or {@code
 * SparkContext.addFile(dir, true)}, found through {@code SparkFiles.get(name)}), then refine with
 * the {@code with…} methods.
 *
 * @param model the model directory (or GGUF file), or the name it was shipped under
 * @param shipped whether {@code model} names a file Spark shipped to the executors
 * @param promptName a prompt of the model ({@code query}, {@code document}, {@code STS} …), or null
 * @param promptText a literal prefix, used when {@code promptName} is null; null for none
 * @param dimensions Matryoshka dimensions to keep (renormalised); 0 keeps all
 * @param batchSize rows handed to the model at once within a partition
 * @param threads compute threads of the executor's shared model; with 1, each task computes on its
 *     own thread, so Spark's task slots are the parallelism
 * @param outputColumn name of the added column
 * @param output the added column's type
 */
public record SparkEmbedOptions(
    String model,
    boolean shipped,
    String promptName,
    String promptText,
    int dimensions,
    int batchSize,
    int threads,
    String outputColumn,
    Output output)
    implements Serializable {

  /** Type of the embedding column. */
  public enum Output {
    /** {@code array<float>}, never containing nulls; a null text gives a null array. */
    FLOAT_ARRAY,
    /**
     * Spark ML's {@code Vector} ({@code VectorUDT}, dense, float values widened to double); needs
     * spark-mllib.
     */
    ML_VECTOR,
    /**
     * {@code binary}: the signs packed eight to a byte, most significant bit first, offset by −128
     * (sentence-transformers' {@code precision="binary"}); needs a width that is a multiple of 8.
     */
    BINARY,
    /**
     * {@code binary}: the packed signs as numpy's {@code packbits} gives them ({@code
     * precision="ubinary"}).
     */
    UBINARY
  }

  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final String DEFAULT_OUTPUT_COLUMN = "embedding";

  public SparkEmbedOptions {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("a model path (or shipped file name) is required");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (outputColumn == null || outputColumn.isBlank()) {
      throw new IllegalArgumentException("outputColumn must not be empty");
    }
    if (output == null) {
      throw new IllegalArgumentException("output must not be null");
    }
    // Both check their own arguments (prompt name xor text, dimensions >= 0, threads >= 1): fail on
    // the driver rather than in every task.
    embedOptions(promptName, promptText, dimensions);
    loadOptions(threads);
    if (dimensions != 0 && (output == Output.BINARY || output == Output.UBINARY)) {
      try {
        EmbeddingColumn.precision(output).checkWidth(dimensions);
      } catch (InvalidOptionException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }

  /** A model directory (or GGUF file) that exists at this same path on every executor node. */
  public static SparkEmbedOptions localModel(String path) {
    return new SparkEmbedOptions(
        path,
        false,
        null,
        null,
        0,
        DEFAULT_BATCH_SIZE,
        1,
        DEFAULT_OUTPUT_COLUMN,
        Output.FLOAT_ARRAY);
  }

  /**
   * A model shipped to the executors under {@code name}: the last path element given to {@code
   * SparkContext.addFile(dir, true)}, the directory name an {@code --archives model.tar.gz#name}
   * archive is unpacked to, or the file name of a GGUF file shipped with {@code --files}.
   */
  public static SparkEmbedOptions shippedModel(String name) {
    return new SparkEmbedOptions(
        name,
        true,
        null,
        null,
        0,
        DEFAULT_BATCH_SIZE,
        1,
        DEFAULT_OUTPUT_COLUMN,
        Output.FLOAT_ARRAY);
  }

  /** Prepends the model's prompt {@code name} ({@code query}, {@code document}, {@code STS} …). */
  public SparkEmbedOptions withPrompt(String name) {
    return new SparkEmbedOptions(
        model, shipped, name, null, dimensions, batchSize, threads, outputColumn, output);
  }

  /** Prepends a literal prefix instead of a named prompt. */
  public SparkEmbedOptions withPromptText(String text) {
    return new SparkEmbedOptions(
        model, shipped, null, text, dimensions, batchSize, threads, outputColumn, output);
  }

  public SparkEmbedOptions withDimensions(int k) {
    return new SparkEmbedOptions(
        model, shipped, promptName, promptText, k, batchSize, threads, outputColumn, output);
  }

  public SparkEmbedOptions withBatchSize(int rows) {
    return new SparkEmbedOptions(
        model, shipped, promptName, promptText, dimensions, rows, threads, outputColumn, output);
  }

  public SparkEmbedOptions withThreads(int n) {
    return new SparkEmbedOptions(
        model, shipped, promptName, promptText, dimensions, batchSize, n, outputColumn, output);
  }

  public SparkEmbedOptions withOutputColumn(String name) {
    return new SparkEmbedOptions(
        model, shipped, promptName, promptText, dimensions, batchSize, threads, name, output);
  }

  public SparkEmbedOptions withOutput(Output type) {
    return new SparkEmbedOptions(
        model, shipped, promptName, promptText, dimensions, batchSize, threads, outputColumn, type);
  }

  /** The per-call options handed to {@code Embedder.embedAll}. */
  public EmbedOptions embedOptions() {
    return embedOptions(promptName, promptText, dimensions);
  }

  /** The load options of the executor's shared model (part of its cache key). */
  public LoadOptions loadOptions() {
    return loadOptions(threads);
  }

  private static EmbedOptions embedOptions(String promptName, String promptText, int dimensions) {
    return new EmbedOptions(promptName, promptText, null, dimensions);
  }

  private static LoadOptions loadOptions(int threads) {
    return LoadOptions.defaults().withThreads(threads);
  }
}
