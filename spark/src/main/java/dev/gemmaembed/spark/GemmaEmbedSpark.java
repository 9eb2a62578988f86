package dev.gemmaembed.spark;

import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Adds an EmbeddingGemma embedding column to a Spark {@link Dataset}.
 *
 * <pre>{@code
 * Dataset<Row> docs = spark.read().parquet("s3://corpus/docs");          // id, text, …
 * Dataset<Row> embedded = GemmaEmbedSpark.embed(docs, "text",
 *     SparkEmbedOptions.localModel("/opt/models/embeddinggemma-300m").withPrompt("document"));
 * embedded.select("id", "embedding").write().parquet("s3://corpus/embeddings");
 * }</pre>
 *
 * <p>Each partition is embedded by one task, in batches, with the model its executor JVM loaded
 * once (see {@link ExecutorModels}); the result has the input's partitions, rows in the same order,
 * every input column, and the new column last. A null text gives a null embedding; an empty text
 * gives the model's vector of the prompt alone; texts longer than the model's 2048 tokens are
 * truncated as {@code Embedder} does.
 */
public final class GemmaEmbedSpark {

  private GemmaEmbedSpark() {}

  /**
   * Lazily adds the column {@code options.outputColumn()} ({@code array<float>} or an ML vector)
   * holding the embedding of the string column {@code textColumn}. Errors in the arguments are
   * reported here, on the driver; a model missing on an executor fails the job with a {@link
   * ModelUnavailableException} message naming the host and path.
   */
  public static Dataset<Row> embed(Dataset<Row> df, String textColumn, SparkEmbedOptions options) {
    StructType schema = df.schema();
    int textIndex = fieldIndex(schema, textColumn);
    StructField text = schema.fields()[textIndex];
    if (!text.dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException(
          "column '"
              + textColumn
              + "' is "
              + text.dataType().simpleString()
              + ", not a string column");
    }
    if (Arrays.asList(schema.fieldNames()).contains(options.outputColumn())) {
      throw new IllegalArgumentException(
          "the dataset already has a column '"
              + options.outputColumn()
              + "'; choose another name with SparkEmbedOptions.withOutputColumn");
    }
    StructType out =
        schema.add(options.outputColumn(), EmbeddingColumn.type(options.output()), true);
    return df.mapPartitions(new EmbedPartition(textIndex, options), Encoders.row(out));
  }

  private static int fieldIndex(StructType schema, String column) {
    String[] names = schema.fieldNames();
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column '" + column + "' in " + schema.simpleString());
  }
}
