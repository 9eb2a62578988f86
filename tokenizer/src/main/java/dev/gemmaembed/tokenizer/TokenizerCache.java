package dev.gemmaembed.tokenizer;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * A compact binary copy of a parsed tokenizer, so that the 16 MB tokenizer.json (with
 * tokenizer_config.json) is parsed once per machine, or a vocabulary imported from arrays (a GGUF
 * file's {@code tokenizer.ggml.*}) has its merges and index derived once per machine. Loading the
 * binary form takes a fraction of either, most of all in a fresh JVM.
 *
 * <p>An entry holds a copy of the bytes it was made from (the two JSON files; the arrays' bytes)
 * and is used only when that copy equals the bytes being loaded, compared in place with the file
 * mapped. It is found by checksums of those bytes (CRC-32C and CRC-32, cheap before the JIT has
 * compiled anything; a vocabulary's special tokens too), which a crafted file can make collide: it
 * may then evict another file's entry, but never get its tokenizer read back for another file. A
 * SHA-256 of the 6-17 MB, 0.1-0.5 s in a fresh JVM, would cost more than the cache saves; the
 * comparison costs about what the checksums cost.
 *
 * <p>Opt-in, so that a library never writes to the user's disk unasked: the cache is used only
 * where system property {@value #DIR_PROPERTY} names its directory (the {@code gemma-embed} command
 * sets it to {@code $XDG_CACHE_HOME/gemma-embed/tokenizer}, default {@code
 * ~/.cache/gemma-embed/tokenizer}); without it every load parses the JSON. {@code -D}{@value
 * #ENABLE_PROPERTY}{@code =false} turns it off even where a directory is named. Files are written
 * atomically (temp file + rename); an unreadable, stale or corrupt file is ignored and rewritten; a
 * cache directory that cannot be written is silently skipped.
 */
final class TokenizerCache {
  static final String DIR_PROPERTY = GemmaTokenizer.CACHE_DIR_PROPERTY;
  static final String ENABLE_PROPERTY = "gemmaembed.tokenizer.cache";
  private static final String PREFIX = "tokenizer-v";
  private static final long MAGIC = 0x47454d4d41544b31L; // "GEMMATK1"
  private static final int MERGES_TABLE = 0;
  private static final int MERGES_SCORE_RANKED = 1;
  private static final int JUNCTIONS_NONE = 0; // never cut words
  private static final int JUNCTIONS_STORED = 1;
  private static final int JUNCTIONS_FROM_SPLITS = 2; // derived from the pieces when first needed

  /**
   * Bump whenever parsing semantics, the layout below or the file names change: old files are then
   * ignored, and pruned at the next write. 6: names hold the checksums themselves, not a SHA-256.
   * 7: the definition block ends with its CRC-32C; added tokens stored column by column.
   */
  private static final int VERSION = 7;

  /** Little-endian: the order of the hardware this runs on, so bulk copies need no byte swaps. */
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private TokenizerCache() {}

  static boolean enabled() {
    return !"false".equalsIgnoreCase(System.getProperty(ENABLE_PROPERTY));
  }

  /** The directory of system property {@value #DIR_PROPERTY}; null for no cache. */
  static Path directory() {
    String p = System.getProperty(DIR_PROPERTY);
    return p == null || p.isBlank() ? null : Path.of(p);
  }

  /** Parses tokenizer.json (+ config) bytes, through the cache when it is enabled. */
  static Definition load(byte[] json, String source, byte[] config, String configSource) {
    if (!enabled() || directory() == null) return parse(json, source, config, configSource);
    List<MemorySegment> bytes =
        config == null
            ? List.of(MemorySegment.ofArray(json))
            : List.of(MemorySegment.ofArray(json), MemorySegment.ofArray(config));
    return cached(
        key("json", checksums(bytes)), bytes, () -> parse(json, source, config, configSource));
  }

  /**
   * Builds a vocabulary's definition with {@code build}, through the cache when it is enabled.
   *
   * @param source the bytes the vocabulary's pieces, scores and token types were read from: equal
   *     bytes must give equal arrays
   */
  static Definition loadVocabulary(
      List<MemorySegment> source, SpecialTokens sp, Supplier<Definition> build) {
    if (!enabled() || directory() == null || sp == null) return build.get();
    return loadVocabulary(checksums(source), source, sp, build);
  }

  /**
   * {@link #loadVocabulary(List, SpecialTokens, Supplier)} with the source's checksums given: the
   * entry under them and {@code sp} is used only when it holds the same {@code source} bytes.
   */
  static Definition loadVocabulary(
      String sourceChecksums,
      List<MemorySegment> source,
      SpecialTokens sp,
      Supplier<Definition> build) {
    String specials =
        sp.bos()
            + ","
            + sp.eos()
            + ","
            + sp.unk()
            + ","
            + sp.pad()
            + ","
            + sp.addBos()
            + ","
            + sp.addEos();
    return cached(key("vocabulary", sourceChecksums + "-" + specials), source, build);
  }

  /**
   * A cache file's key: {@code kind} and {@code identity} as they are (hex digits, decimal numbers,
   * {@code true}/{@code false}, commas and dashes: a file name on every file system). No digest:
   * SHA-256 alone (its provider's start-up) cost a fresh JVM about 30 ms of a 250 ms tokenizer
   * load.
   */
  private static String key(String kind, String identity) {
    return kind + "-" + identity;
  }

  /**
   * CRC-32C and CRC-32 (64 bits) of the bytes of {@code source}, in order, and each part's length:
   * what finds an entry. Not collision-resistant, so an entry is checked against the bytes before
   * use.
   */
  static String checksums(List<MemorySegment> source) {
    CRC32C c = new CRC32C();
    CRC32 d = new CRC32();
    StringBuilder lengths = new StringBuilder();
    for (MemorySegment part : source) {
      update(c, part);
      update(d, part);
      lengths.append('-').append(part.byteSize());
    }
    HexFormat hex = HexFormat.of();
    return hex.toHexDigits((int) c.getValue())
        + "-"
        + hex.toHexDigits((int) d.getValue())
        + lengths;
  }

  private static void update(Checksum checksum, MemorySegment part) {
    // a direct buffer (for a mapped file), which the CRC intrinsics read in place, in chunks that a
    // buffer can hold
    for (long at = 0, n = part.byteSize(); at < n; at += 1 << 30) {
      checksum.update(part.asSlice(at, Math.min(1 << 30, n - at)).asByteBuffer());
    }
  }

  /**
   * The cached definition under {@code key} if its file holds exactly the {@code source} bytes,
   * else {@code parse}'s, written to the cache with them.
   */
  private static Definition cached(
      String key, List<MemorySegment> source, Supplier<Definition> parse) {
    Path dir = directory();
    Path file = dir.resolve(PREFIX + VERSION + "-" + key + ".bin");
    if (Files.isRegularFile(file)) {
      try {
        Definition d = readFile(file, source);
        if (d != null) return d;
      } catch (IOException | RuntimeException e) {
        // corrupt or unreadable: parse and rewrite below
      }
    }
    Definition d = parse.get();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, key, ".tmp");
      try {
        writeFile(tmp, source, write(d));
        // A rename replaces whatever has the name: only ever a regular cache file.
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
            && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          return d;
        }
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      pruneOtherVersions(dir);
    } catch (IOException | RuntimeException e) {
      // read-only or full disk: run without the cache
    }
    return d;
  }

  /**
   * A cache file: {@code MAGIC, VERSION}, the number of source parts, each part's length, the
   * parts' bytes, then the definition block of {@link #write(Definition)}.
   */
  static void writeFile(Path file, List<MemorySegment> source, byte[] definition)
      throws IOException {
    ByteBuffer head = ByteBuffer.allocate(16 + 8 * source.size()).order(ORDER);
    head.putLong(MAGIC).putInt(VERSION).putInt(source.size());
    for (MemorySegment part : source) head.putLong(part.byteSize());
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(ch, head.flip());
      // straight from the mapped source: no heap copy of the ~6 MB
      for (MemorySegment part : source) {
        for (long at = 0, n = part.byteSize(); at < n; at += 1 << 30) {
          writeFully(ch, part.asSlice(at, Math.min(1 << 30, n - at)).asByteBuffer());
        }
      }
      writeFully(ch, ByteBuffer.wrap(definition));
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) ch.write(b);
  }

  /**
   * The definition in a cache file, or null when the file is not one of this version, does not hold
   * exactly the {@code source} bytes, or is damaged: cut short (even while it is read), its
   * definition block failing its CRC-32C, or its counts and tables not fitting together. The file
   * is read front to back through a small buffer and never mapped: a mapped file cut short under
   * the reader faults on its lost pages, which the JVM reports as an {@link InternalError} instead
   * of an exception a miss could catch.
   */
  static Definition readFile(Path file, List<MemorySegment> source) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readFile(ch, ch.size(), source);
    }
  }

  /**
   * {@link #readFile(Path, List)} of the {@code size} bytes that {@code ch} held when it was opened
   * (it may have been cut short since).
   */
  static Definition readFile(FileChannel ch, long size, List<MemorySegment> source)
      throws IOException {
    try (In in = new In(ch, size)) {
      if (in.left() < 16 + 8L * source.size()
          || in.getLong() != MAGIC
          || in.getInt() != VERSION
          || in.getInt() != source.size()) {
        return null;
      }
      long[] lengths = new long[source.size()];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = in.getLong();
        if (lengths[i] != source.get(i).byteSize()) return null;
      }
      for (MemorySegment part : source) {
        if (!in.matches(part)) return null;
      }
      return read(in);
    } catch (EOFException | RuntimeException e) {
      return null; // cut short, or parts that do not fit together: damaged
    }
  }

  /** Deletes cache files of other format versions and temp files left behind over an hour ago. */
  private static void pruneOtherVersions(Path dir) {
    String current = PREFIX + VERSION + "-";
    long hourAgo = System.currentTimeMillis() - 3_600_000L;
    try (var files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        boolean otherVersion =
            name.startsWith(PREFIX) && name.endsWith(".bin") && !name.startsWith(current);
        boolean staleTemp =
            name.endsWith(".tmp") && Files.getLastModifiedTime(f).toMillis() < hourAgo;
        if (otherVersion || staleTemp) Files.deleteIfExists(f);
      }
    } catch (IOException | RuntimeException e) {
      // best effort
    }
  }

  static Definition parse(byte[] json, String source, byte[] config, String configSource) {
    return TokenizerJsonReader.read(
        new ByteArrayInputStream(json),
        source,
        config == null ? null : new ByteArrayInputStream(config),
        configSource);
  }

  // ------------------------------------------------------------------ format

  private static final class Out {
    ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ORDER);

    void need(int n) {
      if (b.remaining() < n) {
        ByteBuffer nb =
            ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n + 1024)).order(ORDER);
        b.flip();
        nb.put(b);
        b = nb;
      }
    }

    void i(int v) {
      need(4);
      b.putInt(v);
    }

    void l(long v) {
      need(8);
      b.putLong(v);
    }

    void ints(int[] a, int n) {
      i(n);
      need(4 * n);
      b.asIntBuffer().put(a, 0, n);
      b.position(b.position() + 4 * n);
    }

    void longs(long[] a) {
      i(a.length);
      need(8 * a.length);
      b.asLongBuffer().put(a);
      b.position(b.position() + 8 * a.length);
    }

    void chars(char[] a, int n) {
      i(n);
      need(2 * n);
      b.asCharBuffer().put(a, 0, n);
      b.position(b.position() + 2 * n);
    }

    void str(String s) {
      if (s == null) {
        i(-1);
      } else {
        chars(s.toCharArray(), s.length());
      }
    }
  }

  /**
   * A cache file (or a definition block alone) read front to back through a 256 KiB buffer, with a
   * CRC-32C of the bytes read between {@link #startSum} and {@link #endSum}. Every count is checked
   * against the bytes left before anything is allocated for it; input that ends early is an {@link
   * EOFException}.
   */
  private static final class In implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final ReadableByteChannel ch;
    private final ByteBuffer buf; // [position, limit): read, not yet consumed
    private long unread; // bytes of the input not yet in the buffer
    private final CRC32C crc = new CRC32C();
    private boolean summing;
    private int summedTo; // buffer position up to which the CRC has the consumed bytes

    In(ReadableByteChannel ch, long size) {
      this.ch = ch;
      this.buf = arena.allocate(1 << 18).asByteBuffer().order(ORDER).flip();
      this.unread = size;
    }

    /** Bytes of the input not consumed yet. */
    long left() {
      return unread + buf.remaining();
    }

    /** Makes at least {@code n} (at most the buffer's capacity) bytes readable. */
    private void need(int n) throws IOException {
      if (buf.remaining() >= n) return;
      sum();
      buf.compact();
      while (buf.position() < n) {
        int got = ch.read(buf);
        if (got < 0) throw new EOFException("tokenizer cache file cut short");
        unread -= got;
      }
      buf.flip();
      summedTo = 0;
    }

    /** Adds the bytes consumed since the last call to the CRC, when summing. */
    private void sum() {
      if (summing && buf.position() > summedTo) {
        crc.update(buf.duplicate().position(summedTo).limit(buf.position()));
      }
      summedTo = buf.position();
    }

    void startSum() {
      summedTo = buf.position();
      summing = true;
    }

    /** The CRC-32C of the bytes consumed since {@link #startSum}. */
    int endSum() {
      sum();
      summing = false;
      return (int) crc.getValue();
    }

    int getInt() throws IOException {
      need(4);
      return buf.getInt();
    }

    long getLong() throws IOException {
      need(8);
      return buf.getLong();
    }

    /** A count of {@code bytes}-byte elements that the rest of the input can hold. */
    int count(int bytes) throws IOException {
      int n = getInt();
      if (n < 0 || n > left() / bytes) {
        throw new IllegalStateException("bad count " + n);
      }
      return n;
    }

    int[] ints() throws IOException {
      int[] a = new int[count(4)];
      for (int done = 0; done < a.length; ) {
        need(4);
        int k = Math.min(a.length - done, buf.remaining() / 4);
        buf.asIntBuffer().get(a, done, k);
        buf.position(buf.position() + 4 * k);
        done += k;
      }
      return a;
    }

    long[] longs() throws IOException {
      long[] a = new long[count(8)];
      for (int done = 0; done < a.length; ) {
        need(8);
        int k = Math.min(a.length - done, buf.remaining() / 8);
        buf.asLongBuffer().get(a, done, k);
        buf.position(buf.position() + 8 * k);
        done += k;
      }
      return a;
    }

    char[] chars() throws IOException {
      char[] a = new char[count(2)];
      for (int done = 0; done < a.length; ) {
        need(2);
        int k = Math.min(a.length - done, buf.remaining() / 2);
        buf.asCharBuffer().get(a, done, k);
        buf.position(buf.position() + 2 * k);
        done += k;
      }
      return a;
    }

    String str() throws IOException {
      need(4);
      if (buf.getInt(buf.position()) == -1) {
        buf.getInt();
        return null;
      }
      return new String(chars());
    }

    /** Whether the next {@code part.byteSize()} bytes equal {@code part}'s, consuming them. */
    boolean matches(MemorySegment part) throws IOException {
      long n = part.byteSize();
      if (n > left()) return false;
      for (long at = 0; at < n; ) {
        need(1);
        int k = (int) Math.min(n - at, buf.remaining());
        if (MemorySegment.ofBuffer(buf).asSlice(0, k).mismatch(part.asSlice(at, k)) != -1) {
          return false;
        }
        buf.position(buf.position() + k);
        at += k;
      }
      return true;
    }

    boolean atEnd() throws IOException {
      return left() == 0 && !buf.hasRemaining();
    }

    @Override
    public void close() {
      arena.close();
    }
  }

  /** The definition block of a cache file. */
  static byte[] write(Definition d) {
    Out o = new Out();
    o.l(MAGIC);
    o.i(VERSION);
    PieceTable pieces = d.pieces();
    int[] lens = new int[pieces.size()];
    for (int i = 0; i < lens.length; i++) lens[i] = pieces.has(i) ? pieces.length(i) : -1;
    o.ints(lens, lens.length);
    o.chars(pieces.chars(), pieces.totalChars());
    switch (d.merges()) {
      case MergeTable m -> writeMergeTable(o, m, d.index());
      case ScoreRankedMerges m -> {
        o.i(MERGES_SCORE_RANKED);
        o.ints(d.index().slots(), d.index().slots().length);
        o.ints(m.scoreRanks(), m.scoreRanks().length);
        o.longs(m.irregularPieces());
        o.i(m.maxCodePoints());
        o.i(m.lengthBits());
        o.i(m.pieceBits());
      }
      default ->
          throw new IllegalArgumentException(d.merges().getClass() + " merges are not cached");
    }
    // Junctions not derived yet stay so: a load derives them from the pieces when first needed.
    Junctions.Lazy lazy = d.junctions();
    Junctions j = lazy.known() ? lazy.get() : null;
    o.i(!lazy.known() ? JUNCTIONS_FROM_SPLITS : j == null ? JUNCTIONS_NONE : JUNCTIONS_STORED);
    if (j != null) {
      o.longs(j.small());
      o.longs(j.keys());
      o.i(j.count());
    }
    o.i(d.unkId());
    o.i((d.byteFallback() ? 1 : 0) | (d.fuseUnk() ? 2 : 0) | (d.ignoreMerges() ? 4 : 0));
    o.chars(d.normFrom(), d.normFrom().length);
    o.chars(d.normTo(), d.normTo().length);
    o.i(d.splitChar());
    // Added tokens column by column (thousands for Gemma: one read each, not three per token).
    List<AddedToken> added = d.added();
    int na = added.size();
    int[] ids = new int[na];
    int[] flags = new int[na];
    int[] lengths = new int[na];
    StringBuilder contents = new StringBuilder();
    for (int i = 0; i < na; i++) {
      AddedToken a = added.get(i);
      ids[i] = a.id();
      flags[i] =
          (a.special() ? 1 : 0)
              | (a.singleWord() ? 2 : 0)
              | (a.lstrip() ? 4 : 0)
              | (a.rstrip() ? 8 : 0)
              | (a.normalized() ? 16 : 0);
      lengths[i] = a.content().length();
      contents.append(a.content());
    }
    o.ints(ids, na);
    o.ints(flags, na);
    o.ints(lengths, na);
    o.chars(contents.toString().toCharArray(), contents.length());
    o.ints(d.prefix(), d.prefix().length);
    o.ints(d.suffix(), d.suffix().length);
    writeDecoder(o, d.decoder());
    o.i(d.bos());
    o.i(d.eos());
    o.i(d.pad());
    o.l(MAGIC);
    // trailer: the CRC-32C of the block so far, which a read checks (a damaged block is a miss)
    CRC32C crc = new CRC32C();
    crc.update(o.b.array(), 0, o.b.position());
    o.i((int) crc.getValue());
    ByteBuffer b = o.b;
    byte[] out = new byte[b.position()];
    b.flip();
    b.get(out);
    return out;
  }

  private static void writeMergeTable(Out o, MergeTable m, PieceIndex index) {
    o.i(MERGES_TABLE);
    int n = m.size();
    int[] l = new int[n];
    int[] r = new int[n];
    int[] res = new int[n];
    for (int k = 0; k < n; k++) {
      l[k] = m.left(k);
      r[k] = m.right(k);
      res[k] = m.result(k);
    }
    o.ints(l, n);
    o.ints(r, n);
    o.ints(res, n);
    // the derived hash tables, so that a load does no hashing at all
    o.ints(index.slots(), index.slots().length);
    o.longs(m.keys());
    o.ints(m.slotRanks(), m.slotRanks().length);
  }

  private static void writeDecoder(Out o, Decoder d) {
    switch (d) {
      case null -> o.i(0);
      case Decoder.Sequence s -> {
        o.i(1);
        o.i(s.steps().size());
        for (Decoder x : s.steps()) writeDecoder(o, x);
      }
      case Decoder.Replace r -> {
        o.i(2);
        o.str(r.pattern());
        o.str(r.content());
      }
      case Decoder.ByteFallback b -> o.i(3);
      case Decoder.Fuse f -> o.i(4);
      case Decoder.Strip s -> {
        o.i(5);
        o.i(s.content());
        o.i(s.start());
        o.i(s.stop());
      }
    }
  }

  /** Nesting limit of decoder sequences (Gemma's: one), so that a damaged block cannot recurse. */
  private static final int MAX_DECODER_DEPTH = 8;

  private static Decoder readDecoder(In in, int depth) throws IOException {
    int t = in.getInt();
    return switch (t) {
      case 0 -> null;
      case 1 -> {
        int n = in.count(4);
        if (depth >= MAX_DECODER_DEPTH) throw new IllegalStateException("decoders nest too deep");
        List<Decoder> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) steps.add(readDecoder(in, depth + 1));
        yield new Decoder.Sequence(List.copyOf(steps));
      }
      case 2 -> new Decoder.Replace(in.str(), in.str());
      case 3 -> new Decoder.ByteFallback();
      case 4 -> new Decoder.Fuse();
      case 5 -> new Decoder.Strip(in.getInt(), in.getInt(), in.getInt());
      default -> throw new IllegalStateException("bad decoder tag " + t);
    };
  }

  /**
   * Reads a definition block, which must end the input; null if it is not one of this version or
   * fails its CRC-32C.
   */
  private static Definition read(In in) throws IOException {
    in.startSum();
    if (in.left() < 24 || in.getLong() != MAGIC || in.getInt() != VERSION) return null;
    PieceTable pieces = PieceTable.of(in.ints(), in.chars());
    int mergeKind = in.getInt();
    PieceIndex index;
    Merges merges;
    if (mergeKind == MERGES_TABLE) {
      int[] l = in.ints();
      int[] r = in.ints();
      int[] res = in.ints();
      index = new PieceIndex(pieces, in.ints());
      merges = new MergeTable(l, r, res, in.longs(), in.ints());
    } else if (mergeKind == MERGES_SCORE_RANKED) {
      index = new PieceIndex(pieces, in.ints());
      merges =
          ScoreRankedMerges.restore(
              pieces, index, in.ints(), in.longs(), in.getInt(), in.getInt(), in.getInt());
    } else {
      return null;
    }
    int junctionKind = in.getInt();
    Junctions stored = null;
    if (junctionKind == JUNCTIONS_STORED) {
      long[] small = in.longs();
      long[] jkeys = in.longs();
      stored = new Junctions(small, jkeys, in.getInt());
    } else if (junctionKind != JUNCTIONS_NONE && junctionKind != JUNCTIONS_FROM_SPLITS) {
      return null;
    }
    int unk = in.getInt();
    int flags = in.getInt();
    char[] from = in.chars();
    char[] to = in.chars();
    int split = in.getInt();
    int[] ids = in.ints();
    int[] addedFlags = in.ints();
    int[] lengths = in.ints();
    char[] contents = in.chars();
    if (addedFlags.length != ids.length || lengths.length != ids.length) return null;
    List<AddedToken> added = new ArrayList<>(ids.length);
    for (int i = 0, at = 0; i < ids.length; i++) {
      int f = addedFlags[i];
      String content = new String(contents, at, lengths[i]); // bounds checked: damaged if not
      at += lengths[i];
      added.add(
          new AddedToken(
              ids[i],
              content,
              (f & 1) != 0,
              (f & 2) != 0,
              (f & 4) != 0,
              (f & 8) != 0,
              (f & 16) != 0));
    }
    int[] prefix = in.ints();
    int[] suffix = in.ints();
    Decoder dec = readDecoder(in, 0);
    int bos = in.getInt();
    int eos = in.getInt();
    int pad = in.getInt();
    if (in.getLong() != MAGIC) return null;
    int crc = in.endSum();
    if (in.getInt() != crc || !in.atEnd()) return null;
    PieceIndex pieceIndex = index;
    return new Definition(
        pieces,
        index,
        merges,
        junctionKind == JUNCTIONS_FROM_SPLITS
            ? Junctions.Lazy.deferred(() -> Junctions.ofSplits(pieces, pieceIndex, unk))
            : Junctions.Lazy.of(stored),
        unk,
        (flags & 1) != 0,
        (flags & 2) != 0,
        (flags & 4) != 0,
        from,
        to,
        split,
        added,
        prefix,
        suffix,
        dec,
        bos,
        eos,
        pad);
  }
}
