package dev.gemmaembed.spark;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The example batch job: reads Parquet or JSON Lines rows with an id and a text column, embeds the
 * text on the executors and writes Parquet with the id and the embedding. Run it with {@code
 * spark-submit --class dev.gemmaembed.spark.EmbedJob gemma-embed-spark-…-job.jar …} (the README has
 * the full line).
 */
@Command(
    name = "gemma-embed-spark",
    mixinStandardHelpOptions = true,
    description =
        "Embed a text column of Parquet or JSON Lines files with EmbeddingGemma; write id + embedding as Parquet.")
public final class EmbedJob implements Callable<Integer> {

  @Option(
      names = "--input",
      required = true,
      description = "Input files or directory (any path Spark reads).")
  String input;

  @Option(
      names = "--format",
      defaultValue = "parquet",
      description = "parquet or jsonl (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--schema",
      description =
          "DDL schema of JSON Lines input, e.g. 'id BIGINT, text STRING' (default: inferred, which reads the input once more).")
  String schema;

  @Option(names = "--output", required = true, description = "Output directory (Parquet).")
  String output;

  @Option(names = "--overwrite", description = "Replace the output directory if it exists.")
  boolean overwrite;

  @Option(
      names = "--model",
      required = true,
      description =
          "Model directory (or .gguf file) on every node, or with --shipped the name it was shipped under.")
  String model;

  @Option(
      names = "--shipped",
      description =
          "--model names a directory shipped with --archives/--files (found with SparkFiles.get).")
  boolean shipped;

  @Option(names = "--prompt", description = "A prompt of the model: query, document, STS, …")
  String prompt;

  @Option(names = "--prompt-text", description = "A literal prefix instead of a named prompt.")
  String promptText;

  @Option(
      names = "--dimensions",
      defaultValue = "0",
      description = "Matryoshka dimensions to keep (0: all).")
  int dimensions;

  @Option(
      names = "--batch-size",
      defaultValue = "" + SparkEmbedOptions.DEFAULT_BATCH_SIZE,
      description = "Rows per model call (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "Compute threads of each executor's model (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--partitions",
      defaultValue = "0",
      description =
          "Repartition the input into N partitions before embedding (0: keep the input's).")
  int partitions;

  @Option(
      names = "--id-column",
      defaultValue = "id",
      description = "Id column (default: ${DEFAULT-VALUE}).")
  String idColumn;

  @Option(
      names = "--text-column",
      defaultValue = "text",
      description = "Text column (default: ${DEFAULT-VALUE}).")
  String textColumn;

  public static void main(String[] args) {
    System.exit(new CommandLine(new EmbedJob()).execute(args));
  }

  @Override
  public Integer call() {
    SparkSession spark = SparkSession.builder().appName("gemma-embed").getOrCreate();
    try {
      run(spark);
    } finally {
      spark.stop();
    }
    return 0;
  }

  /** Runs the job on {@code spark}: read, embed, write. */
  void run(SparkSession spark) {
    if (prompt != null && promptText != null) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "give --prompt or --prompt-text, not both");
    }
    SparkEmbedOptions options =
        (shipped ? SparkEmbedOptions.shippedModel(model) : SparkEmbedOptions.localModel(model))
            .withDimensions(dimensions)
            .withBatchSize(batchSize)
            .withThreads(threads);
    if (prompt != null) {
      options = options.withPrompt(prompt);
    }
    if (promptText != null) {
      options = options.withPromptText(promptText);
    }
    Dataset<Row> rows = read(spark).select(idColumn, textColumn);
    if (partitions > 0) {
      rows = rows.repartition(partitions);
    }
    GemmaEmbedSpark.embed(rows, textColumn, options)
        .select(idColumn, options.outputColumn())
        .write()
        .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
        .parquet(output);
  }

  private Dataset<Row> read(SparkSession spark) {
    DataFrameReader reader = spark.read();
    return switch (format.toLowerCase(Locale.ROOT)) {
      case "parquet" -> reader.parquet(input);
      case "jsonl", "json" -> (schema == null ? reader : reader.schema(schema)).json(input);
      default ->
          throw new CommandLine.ParameterException(
              new CommandLine(this), "--format must be parquet or jsonl, got '" + format + "'");
    };
  }
}
