package dev.gemmaembed.cli;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Passage;
import dev.gemmaembed.core.PassageSplitter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The passages of a stream of documents, one record each (the document's index, title and id, the
 * passage's text), split by {@link PassageSplitter} for the document prompt or the document's
 * title. Each record handed out is remembered, by identity, until {@link #take} claims it back with
 * where it came from; so only the passages in flight (one batch) are held.
 */
final class PassageSource implements TextSource {

  /**
   * A passage of a document.
   *
   * @param passages how many passages its document has
   */
  record DocPassage(InputRecord document, Passage passage, int passages) {}

  private final TextSource documents;
  private final PassageSplitter splitter;
  private final EmbedOptions options;
  private final ArrayDeque<InputRecord> pending = new ArrayDeque<>();
  private final Map<InputRecord, DocPassage> inFlight = new IdentityHashMap<>();
  private long documentCount;

  /**
   * @param options the document options the passages are embedded with (the document prompt); a
   *     record's title replaces its prompt, as {@link BatchEmbedder} applies it
   */
  PassageSource(TextSource documents, PassageSplitter splitter, EmbedOptions options) {
    this.documents = documents;
    this.splitter = splitter;
    this.options = options;
  }

  @Override
  public InputRecord next() throws IOException {
    while (pending.isEmpty()) {
      InputRecord doc = documents.next();
      if (doc == null) {
        return null;
      }
      documentCount++;
      EmbedOptions as =
          doc.title() == null
              ? options
              : EmbedOptions.document(doc.title()).withDimensions(options.dimensions());
      List<Passage> passages = splitter.split(doc.text(), as);
      for (Passage p : passages) {
        InputRecord record = new InputRecord(doc.index(), p.text(), doc.title(), doc.id());
        inFlight.put(record, new DocPassage(doc, p, passages.size()));
        pending.add(record);
      }
    }
    return pending.poll();
  }

  /** Where {@code record} (handed out by {@link #next}) came from; forgets it. */
  DocPassage take(InputRecord record) {
    DocPassage p = inFlight.remove(record);
    if (p == null) {
      throw new IllegalStateException("not a passage of this source: " + record.index());
    }
    return p;
  }

  /** Documents read so far. */
  long documents() {
    return documentCount;
  }

  @Override
  public long bytesRead() {
    return documents.bytesRead();
  }

  @Override
  public void close() throws IOException {
    documents.close();
  }
}
