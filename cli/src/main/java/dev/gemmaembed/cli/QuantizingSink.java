package dev.gemmaembed.cli;

import dev.gemmaembed.core.Precision;
import dev.gemmaembed.core.QuantizationRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Stores each embedding in a {@link Precision} before the output sink gets it. int8/uint8 with no
 * calibration range take their range from the whole input, as one sentence-transformers {@code
 * encode(..., precision=...)} call does: the vectors are then held until the input ends (at most
 * {@link #MAX_BUFFERED_FLOATS} floats), and written at {@link #finish()}, which leaves the output
 * itself open for its owner to finish.
 */
final class QuantizingSink implements EmbeddingSink {

  /** 128 MiB of float32: 43,690 vectors of 768 dimensions, 131,072 of 256. */
  static final long MAX_BUFFERED_FLOATS = 1L << 25;

  private final EmbeddingSink out;
  private final Precision precision;
  private QuantizationRange range;
  private final Consumer<String> warn;
  private final List<InputRecord> records = new ArrayList<>();
  private final List<float[]> vectors = new ArrayList<>();
  private long bufferedFloats;

  /** {@code range}: the calibration range, or null to take it from the input (int8/uint8 only). */
  QuantizingSink(
      EmbeddingSink out, Precision precision, QuantizationRange range, Consumer<String> warn) {
    this.out = out;
    this.precision = precision;
    this.range = range;
    this.warn = warn;
  }

  private boolean buffering() {
    return precision.needsRange() && range == null;
  }

  @Override
  public void write(InputRecord record, float[] embedding) throws IOException {
    if (!buffering()) {
      out.write(record, precision.quantize(embedding, range), precision);
      return;
    }
    bufferedFloats += embedding.length;
    if (bufferedFloats > MAX_BUFFERED_FLOATS) {
      throw new CliException(
          ExitCodes.USAGE,
          "--precision "
              + precision.label()
              + " without --calibration takes its "
              + "range from the whole input, which is held in memory up to "
              + MAX_BUFFERED_FLOATS / embedding.length
              + " vectors of "
              + embedding.length
              + " dimensions; this input has more: give --calibration FILE "
              + "(embeddings of a sample, cut to the same --dims)");
    }
    records.add(record);
    vectors.add(embedding);
  }

  @Override
  public void write(InputRecord record, byte[] stored, Precision as) {
    throw new IllegalStateException("already stored as " + as.label());
  }

  @Override
  public void flush() throws IOException {
    if (!buffering()) {
      out.flush();
    }
  }

  @Override
  public void finish() throws IOException {
    if (buffering() && !vectors.isEmpty()) {
      range = QuantizationRange.of(vectors, "the input");
      warn.accept(
          "the "
              + precision.label()
              + " range was taken from these "
              + vectors.size()
              + " texts, so each "
              + "vector's bytes depend on the others in the input"
              + (vectors.size() < QuantizationRange.FEW_VECTORS
                  ? " and, with fewer than "
                      + QuantizationRange.FEW_VECTORS
                      + ", the range is poorly estimated"
                  : "")
              + "; give --calibration FILE for vectors that stay comparable across runs");
      for (int i = 0; i < vectors.size(); i++) {
        out.write(records.get(i), precision.quantize(vectors.get(i), range), precision);
      }
      records.clear();
      vectors.clear();
    }
    out.flush(); // the output's own finish belongs to whoever opened it
  }
}
