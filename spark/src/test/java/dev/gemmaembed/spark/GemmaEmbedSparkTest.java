package dev.gemmaembed.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Spark integration on the tiny synthetic model in {@code local[2]} mode: one SparkSession for
 * the class; every vector is compared with what {@link Embedder} gives for the same text alone.
 */
class GemmaEmbedSparkTest {

  private static final Path WORK = Path.of("target", "spark-test").toAbsolutePath();
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("text", DataTypes.StringType, true)
          .add("lang", DataTypes.StringType, true);

  private static Path model;
  private static Embedder reference;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws IOException {
    model = TinyModel.dir();
    reference = Embedder.load(model);
    deleteRecursively(WORK.resolve("out"));
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("gemma-embed-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.local.dir", WORK.resolve("local").toString())
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (reference != null) {
      reference.close();
    }
  }

  @Test
  void embedsTwoThousandRowsLikeTheCoreApiKeepingOrderAndColumns() {
    List<Row> input = corpus(2000);
    Dataset<Row> df = dataset(input, 4);
    SparkEmbedOptions options =
        SparkEmbedOptions.localModel(model.toString()).withPrompt("document").withBatchSize(16);

    Dataset<Row> embedded = GemmaEmbedSpark.embed(df, "text", options).cache();
    assertEquals(4, embedded.javaRDD().getNumPartitions());
    assertEquals(
        SCHEMA.add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true),
        embedded.schema());
    List<Row> out = embedded.collectAsList();

    assertEquals(input.size(), out.size());
    EmbedOptions core = EmbedOptions.prompt("document");
    Stats stats = new Stats();
    for (int i = 0; i < input.size(); i++) {
      Row in = input.get(i);
      Row row = out.get(i);
      assertEquals(in.getLong(0), row.getLong(0), "row order");
      assertEquals(in.get(1), row.get(1));
      assertEquals(in.get(2), row.get(2));
      if (in.isNullAt(1)) {
        assertTrue(row.isNullAt(3), "a null text gives a null embedding");
      } else {
        stats.add(reference.embed(in.getString(1), core), floats(row.getList(3)));
      }
    }
    System.out.println(
        "spark vs core on "
            + stats.count
            + " texts: "
            + stats.bitwise
            + " bitwise equal, max |Δ| "
            + stats.maxDelta);
    assertTrue(stats.maxDelta <= 1e-6, "max |Δ| " + stats.maxDelta);

    // Another job on the same model reuses the executor's instance: local mode is one JVM.
    assertEquals(50, GemmaEmbedSpark.embed(dataset(corpus(50), 2), "text", options).count());
    assertEquals(1, ExecutorModels.loads(model));

    // Written and read back as Parquet: the same rows and bits.
    String dir = WORK.resolve("out/parquet").toString();
    embedded.write().parquet(dir);
    List<Row> back = spark.read().parquet(dir).orderBy("id").collectAsList();
    assertEquals(out.size(), back.size());
    for (int i = 0; i < out.size(); i++) {
      assertEquals(out.get(i).getLong(0), back.get(i).getLong(0));
      if (out.get(i).isNullAt(3)) {
        assertTrue(back.get(i).isNullAt(3));
      } else {
        assertArrayEquals(floats(out.get(i).getList(3)), floats(back.get(i).getList(3)));
      }
    }
    embedded.unpersist();
  }

  @Test
  void embedsWithAnEmbeddingGemma2Model() {
    java.nio.file.Path eg2 = dev.gemmaembed.testing.Eg2TinyModel.dir();
    List<Row> input = corpus(40);
    SparkEmbedOptions options =
        SparkEmbedOptions.localModel(eg2.toString()).withPrompt("Summarization").withBatchSize(8);
    List<Row> out = GemmaEmbedSpark.embed(dataset(input, 2), "text", options).collectAsList();
    try (Embedder core = Embedder.load(eg2)) {
      for (int i = 0; i < input.size(); i++) {
        if (input.get(i).isNullAt(1)) {
          assertTrue(out.get(i).isNullAt(3));
        } else {
          assertArrayEquals(
              core.embed(input.get(i).getString(1), EmbedOptions.prompt("Summarization")),
              floats(out.get(i).getList(3)),
              1e-6f,
              "row " + i);
        }
      }
    }
  }

  @Test
  void emptyTextsGetThePromptOnlyVector() {
    List<Row> input = List.of(row(1, ""), row(2, "   "), row(3, null), row(4, "x"));
    SparkEmbedOptions options = SparkEmbedOptions.localModel(model.toString()).withPrompt("query");
    List<Row> out = GemmaEmbedSpark.embed(dataset(input, 2), "text", options).collectAsList();
    float[] promptOnly = reference.embed("", EmbedOptions.query());
    assertArrayEquals(promptOnly, floats(out.get(0).getList(3)), 1e-6f);
    // The prompt + text is stripped, so whitespace-only text is the empty text.
    assertArrayEquals(promptOnly, floats(out.get(1).getList(3)), 1e-6f);
    assertTrue(out.get(2).isNullAt(3));
    assertArrayEquals(
        reference.embed("x", EmbedOptions.query()), floats(out.get(3).getList(3)), 1e-6f);
  }

  @Test
  void mlVectorOutputWithPromptTextAndDimensions() {
    List<Row> input = corpus(60);
    SparkEmbedOptions options =
        SparkEmbedOptions.localModel(model.toString())
            .withPromptText("task: search result | query: ")
            .withDimensions(16)
            .withBatchSize(7)
            .withOutputColumn("vec")
            .withOutput(SparkEmbedOptions.Output.ML_VECTOR);
    Dataset<Row> embedded = GemmaEmbedSpark.embed(dataset(input, 3), "text", options);
    assertEquals(SQLDataTypes.VectorType(), embedded.schema().apply("vec").dataType());
    List<Row> out = embedded.collectAsList();
    EmbedOptions core = EmbedOptions.promptText("task: search result | query: ").withDimensions(16);
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i).getString(1);
      if (text == null) {
        assertNull(out.get(i).get(3));
        continue;
      }
      float[] expected = reference.embed(text, core);
      Vector v = (Vector) out.get(i).get(3);
      assertEquals(16, v.size());
      for (int d = 0; d < 16; d++) {
        assertEquals(expected[d], v.apply(d), 1e-6);
      }
    }
  }

  @Test
  void binaryOutputIsAPackedBinaryColumn() {
    List<Row> input = corpus(20);
    SparkEmbedOptions options =
        SparkEmbedOptions.localModel(model.toString())
            .withDimensions(32)
            .withOutput(SparkEmbedOptions.Output.BINARY);
    Dataset<Row> embedded = GemmaEmbedSpark.embed(dataset(input, 2), "text", options);
    assertEquals(
        org.apache.spark.sql.types.DataTypes.BinaryType,
        embedded.schema().apply("embedding").dataType());
    List<Row> out = embedded.collectAsList();
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i).getString(1);
      if (text == null) {
        assertNull(out.get(i).get(3));
        continue;
      }
      byte[] expected =
          dev.gemmaembed.core.Precision.BINARY.quantize(
              reference.embed(text, EmbedOptions.DEFAULT.withDimensions(32)), null);
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          expected, (byte[]) out.get(i).get(3), "row " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> options.withDimensions(12));
  }

  @Test
  void exampleJobReadsJsonLinesAndWritesIdAndEmbeddingAsParquet() {
    List<Row> input = corpus(120);
    String jsonl = WORK.resolve("out/jsonl").toString();
    dataset(input, 2).select("id", "text").write().json(jsonl);
    String parquet = WORK.resolve("out/job").toString();

    EmbedJob job = new EmbedJob();
    new CommandLine(job)
        .parseArgs(
            "--input",
            jsonl,
            "--format",
            "jsonl",
            "--schema",
            "id BIGINT, text STRING",
            "--output",
            parquet,
            "--model",
            model.toString(),
            "--prompt",
            "query",
            "--partitions",
            "3");
    job.run(spark);

    Dataset<Row> written = spark.read().parquet(parquet);
    assertEquals(List.of("id", "embedding"), List.of(written.columns()));
    List<Row> out = written.orderBy("id").collectAsList();
    assertEquals(input.size(), out.size());
    for (int i = 0; i < input.size(); i++) {
      assertEquals(input.get(i).getLong(0), out.get(i).getLong(0));
      String text = input.get(i).getString(1);
      if (text == null) {
        assertTrue(out.get(i).isNullAt(1));
      } else {
        assertArrayEquals(
            reference.embed(text, EmbedOptions.query()), floats(out.get(i).getList(1)), 1e-6f);
      }
    }
  }

  @Test
  void modelShippedWithAddFileIsFoundThroughSparkFiles() {
    spark.sparkContext().addFile(model.toString(), true);
    List<Row> input = corpus(40);
    SparkEmbedOptions options = SparkEmbedOptions.shippedModel(model.getFileName().toString());
    List<Row> out = GemmaEmbedSpark.embed(dataset(input, 2), "text", options).collectAsList();
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i).getString(1);
      if (text != null) {
        assertArrayEquals(reference.embed(text), floats(out.get(i).getList(3)), 1e-6f);
      }
    }
    assertEquals(1, ExecutorModels.loads(Path.of(SparkFiles.get(model.getFileName().toString()))));
  }

  @Test
  void missingModelFailsTheJobWithItsPathAndHostOnTheDriver() throws IOException {
    String missing = WORK.resolve("no-such-model").toString();
    Dataset<Row> embedded =
        GemmaEmbedSpark.embed(
            dataset(corpus(10), 2), "text", SparkEmbedOptions.localModel(missing));
    SparkException e = assertThrows(SparkException.class, embedded::collectAsList);
    assertTrue(e.getMessage().contains("gemma-embed on "), e.getMessage());
    assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());

    Path notAModel = WORK.resolve("not-a-model.txt");
    Files.writeString(notAModel, "hello");
    Dataset<Row> bogus =
        GemmaEmbedSpark.embed(
            dataset(corpus(10), 2), "text", SparkEmbedOptions.localModel(notAModel.toString()));
    SparkException b = assertThrows(SparkException.class, bogus::collectAsList);
    assertTrue(b.getMessage().contains("cannot load the model at " + notAModel), b.getMessage());

    Dataset<Row> unshipped =
        GemmaEmbedSpark.embed(
            dataset(corpus(10), 2), "text", SparkEmbedOptions.shippedModel("never-shipped"));
    SparkException s = assertThrows(SparkException.class, unshipped::collectAsList);
    assertTrue(s.getMessage().contains("shipped model 'never-shipped'"), s.getMessage());
    assertTrue(s.getMessage().contains("addFile"), s.getMessage());
  }

  @Test
  void argumentErrorsAreReportedOnTheDriver() {
    Dataset<Row> df = dataset(corpus(4), 1);
    SparkEmbedOptions options = SparkEmbedOptions.localModel(model.toString());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> GemmaEmbedSpark.embed(df, "body", options))
            .getMessage()
            .contains("no column 'body'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> GemmaEmbedSpark.embed(df, "id", options))
            .getMessage()
            .contains("not a string column"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> GemmaEmbedSpark.embed(df, "text", options.withOutputColumn("lang")))
            .getMessage()
            .contains("already has a column 'lang'"));
    assertThrows(InvalidInputException.class, () -> options.withDimensions(-1));
    assertThrows(InvalidInputException.class, () -> options.withThreads(0));
    assertThrows(IllegalArgumentException.class, () -> options.withBatchSize(0));
  }

  /**
   * {@code n} rows of varied texts: mixed lengths and scripts, a null every 97 rows, an empty text
   * every 101, and one text far beyond the 2048-token limit (truncated by the core).
   */
  private static List<Row> corpus(int n) {
    String[] words = {
      "the",
      "red",
      "planet",
      "Mars",
      "bread",
      "oven",
      "rises",
      "données",
      "東京",
      "🚀",
      "quickly",
      "search",
      "index",
      "vector",
      "cluster",
      "Spark",
      "embedding",
      "über",
      "naïve",
      "1234"
    };
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String text;
      if (i % 97 == 3) {
        text = null;
      } else if (i % 101 == 5) {
        text = "";
      } else if (i == 1234) {
        text = "planet ".repeat(3000);
      } else {
        StringBuilder sb = new StringBuilder();
        int len = 1 + (i * 7919) % 40;
        for (int w = 0; w < len; w++) {
          sb.append(w == 0 ? "" : " ").append(words[(i * 31 + w * 17) % words.length]);
        }
        text = sb.toString();
      }
      rows.add(RowFactory.create((long) i, text, i % 2 == 0 ? "en" : null));
    }
    return rows;
  }

  private static Row row(long id, String text) {
    return RowFactory.create(id, text, "en");
  }

  /** The rows in {@code partitions} contiguous slices, in order. */
  private static Dataset<Row> dataset(List<Row> rows, int partitions) {
    var rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions);
    return spark.createDataFrame(rdd, SCHEMA);
  }

  private static float[] floats(List<Float> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  private static final class Stats {
    int count;
    int bitwise;
    double maxDelta;

    void add(float[] expected, float[] actual) {
      assertNotNull(actual);
      assertEquals(expected.length, actual.length);
      count++;
      boolean same = true;
      for (int d = 0; d < expected.length; d++) {
        maxDelta = Math.max(maxDelta, Math.abs(expected[d] - actual[d]));
        same &= Float.floatToRawIntBits(expected[d]) == Float.floatToRawIntBits(actual[d]);
      }
      if (same) {
        bitwise++;
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
