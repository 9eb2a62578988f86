package dev.gemmaembed.spark;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The task body: streams a partition's rows in batches of {@code batchSize} through the executor's
 * shared model and appends each row's embedding as a last column, keeping the rows' order. Holds
 * one batch of rows at a time, never the whole partition.
 */
final class EmbedPartition implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final int textIndex;
  private final SparkEmbedOptions options;

  EmbedPartition(int textIndex, SparkEmbedOptions options) {
    this.textIndex = textIndex;
    this.options = options;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new Batches(rows);
  }

  private final class Batches implements Iterator<Row> {
    private final Iterator<Row> input;
    private final EmbedOptions embedOptions = options.embedOptions();
    private final List<Row> out = new ArrayList<>(options.batchSize());
    private Embedder embedder;
    private int next;

    Batches(Iterator<Row> input) {
      this.input = input;
    }

    @Override
    public boolean hasNext() {
      if (next == out.size()) {
        fill();
      }
      return next < out.size();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.get(next++);
    }

    /**
     * Reads the next batch of rows, embeds their non-null texts in one call, builds the output
     * rows.
     */
    private void fill() {
      out.clear();
      next = 0;
      List<Row> batch = new ArrayList<>(options.batchSize());
      List<String> texts = new ArrayList<>(options.batchSize());
      while (batch.size() < options.batchSize() && input.hasNext()) {
        Row row = input.next();
        batch.add(row);
        if (!row.isNullAt(textIndex)) {
          texts.add(row.getString(textIndex));
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      // Partitions of null texts never load the model.
      List<float[]> vectors = texts.isEmpty() ? List.of() : model().embedAll(texts, embedOptions);
      Iterator<float[]> vector = vectors.iterator();
      for (Row row : batch) {
        Object[] values = new Object[row.length() + 1];
        for (int i = 0; i < row.length(); i++) {
          values[i] = row.get(i);
        }
        values[row.length()] =
            row.isNullAt(textIndex) ? null : EmbeddingColumn.value(vector.next(), options.output());
        out.add(RowFactory.create(values));
      }
    }

    private Embedder model() {
      if (embedder == null) {
        embedder = ExecutorModels.get(ModelLocator.resolve(options), options.loadOptions());
      }
      return embedder;
    }
  }
}
