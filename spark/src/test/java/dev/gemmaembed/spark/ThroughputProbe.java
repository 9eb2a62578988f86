package dev.gemmaembed.spark;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Measures embedding throughput of one local executor (not a unit test; run by hand, see the
 * README's "Apache Spark" section): {@code ThroughputProbe <model-dir> <executor-cores> <threads>
 * <rows> <words-per-row> <batch-size>}. A warm-up job loads the model and compiles the kernels
 * first; the timed job embeds {@code rows} documents in {@code 2 × cores} partitions into Spark's
 * no-op sink.
 */
final class ThroughputProbe {

  private static final String[] WORDS = {
    "the",
    "index",
    "of",
    "a",
    "large",
    "corpus",
    "is",
    "built",
    "from",
    "documents",
    "that",
    "describe",
    "planets",
    "bread",
    "ovens",
    "clusters",
    "and",
    "search",
    "engines",
    "with",
    "many",
    "different",
    "words",
    "in",
    "each",
    "sentence",
    "données",
    "Straße",
    "東京"
  };

  private ThroughputProbe() {}

  public static void main(String[] args) {
    Path model = Path.of(args[0]).toAbsolutePath().normalize();
    int cores = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int rows = Integer.parseInt(args[3]);
    int words = Integer.parseInt(args[4]);
    int batch = Integer.parseInt(args[5]);
    SparkSession spark =
        SparkSession.builder()
            .master("local[" + cores + "]")
            .appName("gemma-embed-throughput")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      SparkEmbedOptions options =
          SparkEmbedOptions.localModel(model.toString())
              .withPrompt("document")
              .withThreads(threads)
              .withBatchSize(batch);
      StructType schema =
          new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());

      List<Row> warm = documents(2 * cores * batch, words, 1_000_000);
      run(spark, jsc.parallelize(warm, 2 * cores), schema, options);

      List<Row> docs = documents(rows, words, 0);
      long t0 = System.nanoTime();
      run(spark, jsc.parallelize(docs, 2 * cores), schema, options);
      double seconds = (System.nanoTime() - t0) / 1e9;

      // The same documents through the core API on this one thread (the executor's model), for
      // the cost of Spark itself: its rows/s should match Spark's rows/s per task slot.
      Embedder embedder = ExecutorModels.get(model, options.loadOptions());
      List<String> texts = docs.stream().map(r -> r.getString(1)).toList();
      long t1 = System.nanoTime();
      for (int i = 0; i < texts.size(); i += batch) {
        embedder.embedAll(
            texts.subList(i, Math.min(texts.size(), i + batch)), EmbedOptions.document());
      }
      double direct = (System.nanoTime() - t1) / 1e9;
      long tokens = 0;
      for (String t : texts) {
        tokens += embedder.tokenize(t, EmbedOptions.document()).length;
      }
      System.out.printf(
          "cores=%d threads=%d batch=%d rows=%d tokens/row=%.1f: spark %.1f s, %.2f rows/s, %.1f tokens/s,"
              + " %.2f rows/s per core; core API on one caller thread %.2f rows/s; loads=%d%n",
          cores,
          threads,
          batch,
          rows,
          (double) tokens / rows,
          seconds,
          rows / seconds,
          tokens / seconds,
          rows / seconds / cores,
          rows / direct,
          ExecutorModels.loads(model));
    } finally {
      spark.stop();
    }
  }

  private static void run(
      SparkSession spark, JavaRDD<Row> rdd, StructType schema, SparkEmbedOptions options) {
    Dataset<Row> df = spark.createDataFrame(rdd, schema);
    GemmaEmbedSpark.embed(df, "text", options).write().format("noop").mode("overwrite").save();
  }

  /** {@code n} different documents of {@code words} words each. */
  private static List<Row> documents(int n, int words, long firstId) {
    List<Row> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long id = firstId + i;
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < words; w++) {
        sb.append(w == 0 ? "" : " ")
            .append(WORDS[(int) ((id * 7 + w * 13 + w * w) % WORDS.length)]);
      }
      out.add(RowFactory.create(id, sb.toString()));
    }
    return out;
  }
}
