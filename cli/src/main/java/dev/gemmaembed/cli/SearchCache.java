package dev.gemmaembed.cli;

import dev.gemmaembed.tools.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Document vectors of {@code search --dir}, remembered between runs so that a search over an
 * unchanged folder embeds only its query (and the files that changed).
 *
 * <p>A cache file holds the vectors of one <em>space</em>: one model (its identity, see {@link
 * #modelIdentity}), one document prompt and one dimension count; each vector is keyed by the
 * SHA-256 of its document (title and text), so a renamed or moved file with the same content is
 * still found, and an edited one is embedded again. Files live in {@code
 * $XDG_CACHE_HOME/gemma-embed/search} (default {@code ~/.cache/gemma-embed/search}), never in the
 * searched folder.
 *
 * <p>Layout (little-endian): magic {@code GEMBSRCH}, int32 version, the space's 32-byte SHA-256,
 * int32 dimensions, int32 count, then per entry a 32-byte document hash, an int64 last-use time
 * (ms) and {@code dimensions} float32s, then a SHA-256 of all the bytes before it. A file that is
 * short, of another version or space, or whose checksum fails is ignored and replaced: a cache is
 * never trusted over embedding again.
 *
 * <p>Writes go through {@link AtomicFiles} (a temporary file renamed into place), so concurrent
 * searches never see a partial file: the last to finish wins and the other's new vectors are
 * embedded again next time. The whole folder is bounded by {@link #MAX_BYTES}: a file keeps its
 * most recently used entries within it, and whole files of other spaces are deleted, least recently
 * written first, until the folder fits.
 */
final class SearchCache {

  /**
   * The documented bound of the cache folder: 256 MiB (≈ 87,000 full-size 768-dimension vectors).
   */
  static final long MAX_BYTES = 256L << 20;

  private static final byte[] MAGIC = "GEMBSRCH".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int HASH = 32;
  private static final int HEADER = MAGIC.length + 4 + HASH + 4 + 4;
  private static final String SUFFIX = ".vectors";

  /** A hit older than this is written back with a fresh use time even when nothing was embedded. */
  private static final long REFRESH_MILLIS = 24 * 3_600_000L;

  private final Path file;
  private final byte[] space;
  private final int dimensions;
  private final long maxBytes;
  private final Map<String, Entry> entries = new HashMap<>();
  private final long now = System.currentTimeMillis();
  private boolean dirty;

  private static final class Entry {
    final float[] vector;
    long lastUsed;

    Entry(float[] vector, long lastUsed) {
      this.vector = vector;
      this.lastUsed = lastUsed;
    }
  }

  private SearchCache(Path file, byte[] space, int dimensions, long maxBytes) {
    this.file = file;
    this.space = space;
    this.dimensions = dimensions;
    this.maxBytes = maxBytes;
  }

  /**
   * The cache of one space in {@code dir}, with what its file holds (nothing when it is missing,
   * unreadable, corrupt or foreign).
   *
   * @param spaceDescription everything the vectors depend on besides the document: model identity,
   *     prompt, dimensions
   */
  static SearchCache open(Path dir, String spaceDescription, int dimensions, long maxBytes) {
    byte[] space = sha256(spaceDescription.getBytes(StandardCharsets.UTF_8));
    SearchCache cache =
        new SearchCache(
            dir.resolve(HexFormat.of().formatHex(space, 0, 16) + SUFFIX),
            space,
            dimensions,
            maxBytes);
    cache.load();
    return cache;
  }

  /** The SHA-256 of a document as embedded: its title (or none) and text. */
  static String key(InputRecord doc) {
    String title = doc.title() == null ? "" : doc.title();
    byte[] t = title.getBytes(StandardCharsets.UTF_8);
    byte[] x = doc.text().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + t.length + x.length).putInt(t.length).put(t).put(x);
    return HexFormat.of().formatHex(sha256(b.array()));
  }

  /** The remembered vector of {@code key}, or null. */
  float[] get(String key) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (now - e.lastUsed > REFRESH_MILLIS) {
      dirty = true;
    }
    e.lastUsed = now;
    return e.vector;
  }

  void put(String key, float[] vector) {
    entries.put(key, new Entry(vector.clone(), now));
    dirty = true;
  }

  int size() {
    return entries.size();
  }

  Path file() {
    return file;
  }

  /**
   * Writes the cache back if anything changed, then trims the folder to its bound. Failing to write
   * (a read-only or full disk) is not the search's failure: the result stands, uncached.
   */
  void save() throws IOException {
    if (!dirty) {
      return;
    }
    long entryBytes = HASH + 8 + (long) dimensions * Float.BYTES;
    long fit = Math.max(0, (maxBytes - HEADER - HASH) / entryBytes);
    List<Map.Entry<String, Entry>> kept = new ArrayList<>(entries.entrySet());
    if (kept.size() > fit) {
      kept.sort(
          Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().lastUsed)
              .reversed());
      kept = kept.subList(0, (int) fit);
    }
    if (!Files.isDirectory(file.getParent())) {
      // Vectors reveal something of the documents: the folder is the user's alone.
      Files.createDirectories(
          file.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      // Never written through a link (or into a FIFO) that someone put in the cache's place.
      throw new FileSystemException(
          file.toString(), null, "is not a regular file; remove it to cache again");
    }
    List<Map.Entry<String, Entry>> toWrite = kept;
    AtomicFiles.write(file, tmp -> write(tmp, toWrite));
    trimFolder();
  }

  private void write(Path tmp, List<Map.Entry<String, Entry>> list) throws IOException {
    MessageDigest digest = newDigest();
    try (FileChannel ch =
        FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer head = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
      head.put(MAGIC).putInt(VERSION).put(space).putInt(dimensions).putInt(list.size()).flip();
      writeFully(ch, head, digest);
      ByteBuffer entry =
          ByteBuffer.allocate(HASH + 8 + dimensions * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<String, Entry> e : list) {
        entry.clear();
        entry.put(HexFormat.of().parseHex(e.getKey())).putLong(e.getValue().lastUsed);
        for (float f : e.getValue().vector) {
          entry.putFloat(f);
        }
        writeFully(ch, entry.flip(), digest);
      }
      writeFully(ch, ByteBuffer.wrap(digest.digest()), null);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, MessageDigest digest)
      throws IOException {
    if (digest != null) {
      digest.update(b.duplicate());
    }
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /**
   * Reads the file, or leaves the cache empty when it is anything but a valid file of this space.
   * The file is mapped, not copied onto the heap: only its vectors are.
   */
  private void load() {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return; // missing; or a link, FIFO or anything else put there: never read
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size < HEADER + HASH || size > maxBytes) {
        return;
      }
      ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
      byte[] magic = new byte[MAGIC.length];
      byte[] fileSpace = new byte[HASH];
      b.get(magic);
      int version = b.getInt();
      b.get(fileSpace);
      int dims = b.getInt();
      int count = b.getInt();
      long entryBytes = HASH + 8 + (long) dimensions * Float.BYTES;
      if (!MessageDigest.isEqual(magic, MAGIC)
          || version != VERSION
          || !MessageDigest.isEqual(fileSpace, space)
          || dims != dimensions
          || count < 0
          || HEADER + count * entryBytes + HASH != size) {
        return;
      }
      MessageDigest digest = newDigest();
      digest.update(b.duplicate().position(0).limit((int) size - HASH));
      byte[] stored = new byte[HASH];
      b.get((int) size - HASH, stored);
      if (!MessageDigest.isEqual(digest.digest(), stored)) {
        return;
      }
      byte[] hash = new byte[HASH];
      for (int i = 0; i < count; i++) {
        b.get(hash);
        long lastUsed = b.getLong();
        float[] v = new float[dims];
        b.asFloatBuffer().get(v);
        b.position(b.position() + dims * Float.BYTES);
        entries.put(HexFormat.of().formatHex(hash), new Entry(v, lastUsed));
      }
    } catch (IOException | RuntimeException | InternalError e) {
      // Unreadable, replaced by a link meanwhile, or cut short under the mapping (InternalError
      // is how the JVM reports that fault): start empty.
      entries.clear();
    }
  }

  /** Deletes other spaces' files, least recently written first, until the folder fits its bound. */
  private void trimFolder() throws IOException {
    List<Path> files = new ArrayList<>();
    long total = 0;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(file.getParent(), "*" + SUFFIX)) {
      for (Path p : dir) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          files.add(p);
          total += Files.size(p);
        }
      }
    }
    if (total <= maxBytes) {
      return;
    }
    files.sort(Comparator.comparing(SearchCache::modified));
    for (Path p : files) {
      if (total <= maxBytes) {
        break;
      }
      if (!p.equals(file)) {
        long size = Files.size(p);
        if (Files.deleteIfExists(p)) {
          total -= size;
        }
      }
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class).lastModifiedTime();
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  /**
   * What identifies a model's vectors, cheaply: for a GGUF file or each file of a model folder
   * (links followed, as in a Hugging Face snapshot), its path, size and modification time, plus the
   * content of small files (config, modules, tokenizer config) and the first 64 KiB of large ones
   * (the safetensors or GGUF header, with every tensor's name, shape and offset). A 1.2 GB weights
   * file is never read whole.
   */
  static String modelIdentity(Path model) throws IOException {
    MessageDigest digest = newDigest();
    List<Path> files;
    Path root = model.toRealPath();
    if (Files.isDirectory(root)) {
      try (Stream<Path> walk = Files.walk(root, 3)) {
        files =
            walk.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith("."))
                .sorted()
                .toList();
      }
    } else {
      files = List.of(root);
    }
    for (Path f : files) {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      digest.update(
          (root.relativize(f) + "\0" + a.size() + "\0" + a.lastModifiedTime().toMillis() + "\0")
              .getBytes(StandardCharsets.UTF_8));
      try (InputStream in = Files.newInputStream(f)) {
        digest.update(in.readNBytes(a.size() <= (1 << 20) ? (int) a.size() : 64 << 10));
      }
    }
    return root + "#" + HexFormat.of().formatHex(digest.digest());
  }

  private static byte[] sha256(byte[] bytes) {
    return newDigest().digest(bytes);
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
