package dev.gemmaembed.server;

/**
 * The bytes that requests in flight may hold together: their bodies, parsed inputs, token buffers
 * and replies. A request takes a {@link Lease} and grows it before each allocation that scales with
 * its input, so memory is bounded by bytes rather than by request count: a request that alone needs
 * more than the per-request share is refused with 413, one that finds the budget taken by others
 * with 429 (retry). The figures are upper-bound estimates of the Java heap a step needs (the costs
 * below), not measurements.
 */
final class MemoryBudget {

  /**
   * Heap per body byte once parsed: the worst case is an array of one-digit token ids, two body
   * bytes per element, each a 16-byte number node plus a 4-byte reference in the tree; a string
   * takes at most two bytes (UTF-16) per body byte.
   */
  static final int PARSED_BYTES_PER_BODY_BYTE = 10;

  /**
   * Heap per UTF-8 byte of a text while tokenizing it with offsets: a text has at most one token
   * per UTF-8 byte (byte fallback), and each token takes id, start and end ints in a buffer that
   * grows by half (old and new copies alive: 30 bytes), the trimmed copies (12), code-point offsets
   * of a text with surrogates (8) and the normalized copies of the text (4 bytes per char).
   */
  static final int TOKENIZE_BYTES_PER_UTF8_BYTE = 48;

  /**
   * Heap per embedding value of a reply: the float (4), its Matryoshka copy (4), and up to 15 JSON
   * characters written into a doubling buffer then copied out (about 3 times 15).
   */
  static final int REPLY_BYTES_PER_VALUE = 56;

  private final long total;
  private final long perRequest;
  private long used;

  MemoryBudget(long total, long perRequest) {
    this.total = total;
    this.perRequest = perRequest;
  }

  Lease lease() {
    return new Lease();
  }

  synchronized long inUse() {
    return used;
  }

  long perRequest() {
    return perRequest;
  }

  /** UTF-8 length of {@code s} (unpaired surrogates count as the 3 bytes of U+FFFD). */
  static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }

  private static String mib(long bytes) {
    return (bytes + (1 << 20) - 1 >> 20) + " MiB";
  }

  /** One request's share; {@link #close()} gives it back (when the reply is written). */
  final class Lease implements AutoCloseable {
    private long held;

    /**
     * Takes {@code bytes} more for {@code what} (e.g. "the request body").
     *
     * @throws ApiException 413 beyond the per-request share, 429 when the budget is in use by
     *     others
     */
    void grow(long bytes, String what) {
      synchronized (MemoryBudget.this) {
        if (held + bytes > perRequest) {
          throw new ApiException(
              ApiException.Kind.BODY_TOO_LARGE,
              "this request needs about "
                  + mib(held + bytes)
                  + " of working memory ("
                  + what
                  + "); this server allows "
                  + mib(perRequest)
                  + " per request (half of --max-memory); send fewer or shorter inputs");
        }
        if (used + bytes > total) {
          throw new ApiException(
              ApiException.Kind.QUEUE_FULL,
              "the memory for requests in flight ("
                  + mib(total)
                  + ", --max-memory) is taken by other requests; retry shortly");
        }
        used += bytes;
        held += bytes;
      }
    }

    @Override
    public void close() {
      synchronized (MemoryBudget.this) {
        used -= held;
        held = 0;
      }
    }
  }
}
