package dev.gemmaembed.cli;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.Truncation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Embeds a stream of texts batch by batch: read {@code batchSize} texts, tokenize each with its own
 * prompt (a record's title makes it {@code title: {title} | text: } unless another prompt was
 * chosen), run them through the model together, hand the vectors on in input order, repeat. Memory
 * stays at one batch.
 */
final class BatchEmbedder {

  /** Receives each text with its embedding, in input order. */
  @FunctionalInterface
  interface Consumer {
    void accept(InputRecord record, float[] embedding) throws IOException;
  }

  /**
   * Runs after each batch with the number of texts embedded so far (to flush output, show
   * progress).
   */
  @FunctionalInterface
  interface AfterBatch {
    void done(long count) throws IOException;
  }

  /**
   * Most texts per batch a command accepts: far past where batching stops paying (the encoder's
   * token budget splits batches anyway), few enough that a batch's texts fit any heap.
   */
  static final int MAX_BATCH_SIZE = 4096;

  private final Embedder embedder;
  private final EmbedOptions options;
  private final int batchSize;
  private final Truncation truncation;

  /**
   * A title fills the document prompt's slot (title: {title} | text: ), so it applies with no
   * prompt or the document prompt; under another prompt, which has no such slot, it is ignored.
   */
  private final boolean titlesApply;

  private final java.util.function.Consumer<String> warn;
  private boolean warnedIgnoredTitle;

  /**
   * The --batch-size rule of every command: 1 to {@link #MAX_BATCH_SIZE}, else a usage error (exit
   * 2).
   */
  static void checkBatchSize(int batchSize, CommandLine cmd) {
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new ParameterException(
          cmd, "--batch-size must be between 1 and " + MAX_BATCH_SIZE + ", got " + batchSize);
    }
  }

  BatchEmbedder(
      Embedder embedder,
      EmbedOptions options,
      int batchSize,
      java.util.function.Consumer<String> warn) {
    this(embedder, options, batchSize, Truncation.CUT, warn);
  }

  /**
   * {@code truncation}: which end of a too-long text is cut ({@link Truncation#CUT} or {@link
   * Truncation#CUT_LEFT}).
   */
  BatchEmbedder(
      Embedder embedder,
      EmbedOptions options,
      int batchSize,
      Truncation truncation,
      java.util.function.Consumer<String> warn) {
    this.truncation = truncation;
    this.embedder = embedder;
    this.options = options;
    this.batchSize = batchSize;
    this.warn = warn;
    this.titlesApply =
        options.promptText() == null
            && (options.promptName() == null
                || options.promptName().equals(EmbedOptions.document().promptName()));
  }

  /**
   * Embeds all of {@code source}; {@code afterBatch} runs after each batch (flush, progress).
   * Returns the count.
   */
  long run(TextSource source, Consumer consumer, AfterBatch afterBatch) throws IOException {
    List<InputRecord> batch = new ArrayList<>(batchSize);
    List<int[]> tokens = new ArrayList<>(batchSize);
    long count = 0;
    try {
      while (true) {
        batch.clear();
        tokens.clear();
        InputRecord record;
        while (batch.size() < batchSize && (record = source.next()) != null) {
          batch.add(record);
          tokens.add(embedder.prepare(record.text(), optionsFor(record), truncation).ids());
        }
        if (batch.isEmpty()) {
          return count;
        }
        List<float[]> vectors = embedder.embedTokenIds(tokens, options.dimensions());
        for (int i = 0; i < batch.size(); i++) {
          consumer.accept(batch.get(i), vectors.get(i));
        }
        count += batch.size();
        afterBatch.done(count);
      }
    } catch (OutOfMemoryError e) {
      batch.clear();
      tokens.clear();
      throw new CliException(
          ExitCodes.INTERNAL,
          ErrorHandler.outOfMemory(" after " + count + " texts") + "; or lower --batch-size",
          e);
    }
  }

  /** The options of {@code record}: its title fills the document prompt where one applies. */
  EmbedOptions optionsFor(InputRecord record) {
    if (record.title() == null) {
      return options;
    }
    if (!titlesApply) {
      if (!warnedIgnoredTitle) {
        warnedIgnoredTitle = true;
        warn.accept(
            "the input's \"title\" fields are ignored: a title fills the document prompt "
                + "(title: {title} | text: ), and another prompt was given; use --prompt document (or no prompt) to use them");
      }
      return options;
    }
    return EmbedOptions.document(record.title()).withDimensions(options.dimensions());
  }
}
