package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.TokenEmbeddings;
import dev.gemmaembed.tools.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code embed --output-value token_embeddings}: each text's per-token vectors ({@link
 * Embedder#embedTokens}). jsonl: one {@code {"index", "id"?, "ids", "starts", "ends",
 * "embeddings"}} per text, starts/ends in code points of the prompted text, null for {@code
 * <bos>}/{@code <eos>}. npy: {@code X.npy} (all tokens × width, float32) and {@code X.offsets.npy}
 * (int64, texts + 1 row starts: text i is rows offsets[i] .. offsets[i+1]).
 */
final class TokenEmbeddingsOutput {

  private static final JsonFactory JSON = new JsonFactory();

  private final Embedder embedder;
  private final BatchEmbedder options;
  private final EmbedOptions defaults;
  private final int batchSize;

  TokenEmbeddingsOutput(
      Embedder embedder, BatchEmbedder options, EmbedOptions defaults, int batchSize) {
    this.embedder = embedder;
    this.options = options;
    this.defaults = defaults;
    this.batchSize = batchSize;
  }

  /** The offsets file beside an npy output: X.npy gives X.offsets.npy. */
  static Path offsetsFile(Path npy) {
    String name = npy.getFileName().toString();
    String stem = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    return npy.resolveSibling(stem + ".offsets.npy");
  }

  /**
   * Calls {@code each} with every text and its token embeddings, batch by batch; returns the count.
   */
  private long forEach(TextSource source, Each each) throws IOException {
    long count = 0;
    List<InputRecord> batch = new ArrayList<>(batchSize);
    while (true) {
      batch.clear();
      InputRecord r;
      while (batch.size() < batchSize && (r = source.next()) != null) {
        batch.add(r);
      }
      if (batch.isEmpty()) {
        return count;
      }
      boolean uniform = batch.stream().allMatch(b -> options.optionsFor(b).equals(defaults));
      List<TokenEmbeddings> out = new ArrayList<>(batch.size());
      if (uniform) {
        out.addAll(embedder.embedTokens(batch.stream().map(InputRecord::text).toList(), defaults));
      } else {
        for (InputRecord b : batch) { // titles differ: each text has its own prompt
          out.addAll(embedder.embedTokens(List.of(b.text()), options.optionsFor(b)));
        }
      }
      for (int i = 0; i < batch.size(); i++) {
        each.accept(batch.get(i), out.get(i));
      }
      count += batch.size();
    }
  }

  @FunctionalInterface
  private interface Each {
    void accept(InputRecord record, TokenEmbeddings tokens) throws IOException;
  }

  long jsonl(TextSource source, OutputStream out) throws IOException {
    Writer writer =
        new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    JsonGenerator g = JSON.createGenerator(writer).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    long n =
        forEach(
            source,
            (record, t) -> {
              g.writeStartObject();
              g.writeNumberField("index", record.index());
              if (record.id() != null) {
                g.writeFieldName("id");
                JsonSink.writeId(g, record.id());
              }
              g.writeArrayFieldStart("ids");
              for (int id : t.ids()) {
                g.writeNumber(id);
              }
              g.writeEndArray();
              writeOffsets(g, "starts", t.starts());
              writeOffsets(g, "ends", t.ends());
              g.writeArrayFieldStart("embeddings");
              for (int k = 0; k < t.size(); k++) {
                g.writeStartArray();
                for (int d = 0; d < t.width(); d++) {
                  g.writeNumber(t.vectors()[k * t.width() + d]);
                }
                g.writeEndArray();
              }
              g.writeEndArray();
              g.writeEndObject();
              g.writeRaw('\n');
              g.flush();
            });
    g.flush();
    writer.flush();
    return n;
  }

  private static void writeOffsets(JsonGenerator g, String field, int[] values) throws IOException {
    g.writeArrayFieldStart(field);
    for (int v : values) {
      if (v < 0) {
        g.writeNull();
      } else {
        g.writeNumber(v);
      }
    }
    g.writeEndArray();
  }

  /** Writes {@code target} and its offsets file, each replaced only once complete. */
  long npy(TextSource source, Path target) throws IOException {
    List<Long> starts = new ArrayList<>();
    long[] count = new long[1];
    AtomicFiles.write(
        target,
        tmp -> {
          try (FileChannel ch =
              FileChannel.open(
                  tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            NpySink sink = new NpySink(ch, embedder.config().hidden());
            long[] rows = {0};
            count[0] =
                forEach(
                    source,
                    (record, t) -> {
                      starts.add(rows[0]);
                      for (int k = 0; k < t.size(); k++) {
                        sink.write(record, t.vector(k));
                      }
                      rows[0] += t.size();
                    });
            starts.add(rows[0]);
            sink.finish();
          }
        });
    AtomicFiles.write(offsetsFile(target), tmp -> Files.write(tmp, int64Npy(starts)));
    return count[0];
  }

  /** A 1-D int64 NPY 1.0 array. */
  static byte[] int64Npy(List<Long> values) {
    String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + values.size() + ",), }";
    int header = (10 + dict.length() + 1 + 63) / 64 * 64;
    String padded = dict + " ".repeat(header - 10 - dict.length() - 1) + "\n";
    ByteBuffer b =
        ByteBuffer.allocate(header + values.size() * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) (header - 10)).put(padded.getBytes(StandardCharsets.US_ASCII));
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }
}
