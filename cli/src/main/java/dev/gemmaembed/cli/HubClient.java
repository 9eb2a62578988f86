package dev.gemmaembed.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Hugging Face Hub's file API, {@code {endpoint}/{repo}/resolve/{revision}/{path}}, as
 * huggingface_hub uses it: a HEAD gives the commit ({@code X-Repo-Commit}), the content hash
 * ({@code X-Linked-Etag} for LFS files, whose value is the SHA-256, else {@code ETag}), the size
 * and, for LFS files, a redirect to the storage that serves the bytes; a GET of that location (with
 * {@code Range} to resume) brings them.
 *
 * <p>The token goes only to the endpoint's own origin, never to a redirect target elsewhere. No
 * answer is trusted: a download stops at the declared size (10 MiB where none is declared), every
 * file is checked against its content id (the SHA-256 of an LFS file, the git blob SHA-1 of any
 * other), and redirects must lead to an http(s) URL with a host.
 */
final class HubClient {

  static final String DEFAULT_ENDPOINT = "https://huggingface.co";

  /**
   * Most bytes taken of a file whose size is not declared: the Hub stores every larger file in LFS,
   * whose answers state the size.
   */
  static final long MAX_UNDECLARED_BYTES = 10L << 20;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");
  private static final int MAX_REDIRECTS = 10;

  /** Longest piece of a server's text (a header, a Location) quoted in a message. */
  private static final int QUOTE_LIMIT = 200;

  private final URI endpoint;
  private final String token;
  private final HttpClient http;
  private final String userAgent;

  HubClient(URI endpoint, String token, HttpClient http, String userAgent) {
    this.endpoint = endpoint;
    this.token = token;
    this.http = http;
    this.userAgent = userAgent;
  }

  /**
   * The endpoint from HF_ENDPOINT, the token from HF_TOKEN or the file {@code huggingface-cli
   * login} writes.
   */
  static HubClient create(CliEnvironment env) throws IOException {
    String base = Objects.requireNonNullElse(env.variable("HF_ENDPOINT"), DEFAULT_ENDPOINT);
    URI endpoint;
    try {
      endpoint = URI.create(base.replaceAll("/+$", ""));
    } catch (IllegalArgumentException e) {
      throw CliException.network("HF_ENDPOINT=" + base + " is not a URL");
    }
    if (endpoint.getHost() == null
        || !(endpoint.getScheme().equals("https") || endpoint.getScheme().equals("http"))) {
      throw CliException.network("HF_ENDPOINT=" + base + " is not an http(s) URL");
    }
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(
                HttpClient.Redirect.NEVER) // followed by hand, to keep the token at home
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    String version = HubClient.class.getPackage().getImplementationVersion();
    return new HubClient(
        endpoint,
        token(env),
        http,
        "gemma-embed/"
            + (version == null ? "dev" : version)
            + "; java/"
            + Runtime.version().feature());
  }

  private static String token(CliEnvironment env) throws IOException {
    for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
      String t = env.variable(name);
      if (t != null) {
        return t.strip();
      }
    }
    String path = env.variable("HF_TOKEN_PATH");
    Path file = path != null ? Path.of(path) : HfCache.hfHome(env).resolve("token");
    if (Files.isRegularFile(file)) {
      String t = Files.readString(file).strip();
      return t.isEmpty() ? null : t;
    }
    return null;
  }

  URI endpoint() {
    return endpoint;
  }

  boolean hasToken() {
    return token != null;
  }

  /**
   * What the Hub says about one file.
   *
   * @param commit the commit the revision resolved to (X-Repo-Commit)
   * @param etag the content id: the SHA-256 (64 hex digits) of an LFS file, the git blob SHA-1 (40)
   *     otherwise
   * @param size bytes, -1 when not stated
   * @param location where to GET the bytes; null when the Hub's redirect was refused
   * @param refusal why the redirect to the bytes was refused, or null: the download is refused
   *     then, which also deletes a partial file of an earlier try
   */
  record FileMetadata(
      String file, String commit, String etag, long size, URI location, String refusal) {

    /** LFS files carry their SHA-256 as ETag, so their bytes can be verified. */
    boolean hasSha256() {
      return SHA256.matcher(etag).matches();
    }

    /** The most bytes the download may write. */
    long limit() {
      return size >= 0 ? size : MAX_UNDECLARED_BYTES;
    }
  }

  /**
   * A download the server's answer made untrustworthy (more bytes than declared, wrong content, a
   * redirect to no http(s) URL): whatever was written of it is deleted, unlike an interrupted one,
   * which is kept to resume.
   */
  static final class RefusedException extends CliException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(ExitCodes.NETWORK, message);
    }
  }

  /** A 404: a download error like any other, but one that lets an optional file be skipped. */
  static final class NotFoundException extends CliException {
    private static final long serialVersionUID = 1L;

    NotFoundException(String message) {
      super(ExitCodes.NETWORK, message);
    }
  }

  URI resolveUrl(String repo, String revision, String file) {
    StringBuilder path =
        new StringBuilder(endpoint.toString())
            .append('/')
            .append(repo)
            .append("/resolve/")
            .append(encode(revision));
    for (String segment : file.split("/")) {
      path.append('/').append(encode(segment));
    }
    return URI.create(path.toString());
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * HEAD of the file. Relative redirects (a renamed repo, the Hub's own cache) are followed; an
   * absolute one to another host is where the bytes are, and is returned as the location.
   */
  FileMetadata metadata(String repo, String revision, String file) throws IOException {
    URI url = resolveUrl(repo, revision, file);
    String commit = null;
    String linkedEtag = null;
    String linkedSize = null;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<Void> r =
          send(
              request(url, "HEAD").header("Accept-Encoding", "identity"),
              HttpResponse.BodyHandlers.discarding());
      HttpHeaders h = r.headers();
      commit = h.firstValue("X-Repo-Commit").orElse(commit);
      linkedEtag = h.firstValue("X-Linked-Etag").orElse(linkedEtag);
      linkedSize = h.firstValue("X-Linked-Size").orElse(linkedSize);
      int status = r.statusCode();
      URI location = url;
      String refusal = null;
      if (isRedirect(status)) {
        URI next;
        try {
          next = redirectTarget(url, r);
        } catch (RefusedException e) {
          if (linkedEtag == null) {
            throw e;
          }
          next = null; // the redirect to an LFS file's bytes: refused when downloading them
          refusal = e.getMessage();
        }
        if (next != null && sameOrigin(next, url) && linkedEtag == null) {
          url = next;
          continue;
        }
        location = next;
      } else if (status / 100 != 2) {
        throw httpError(status, h, repo, revision, file);
      }
      String etag = linkedEtag != null ? linkedEtag : h.firstValue("ETag").orElse(null);
      String size =
          linkedSize != null
              ? linkedSize
              : isRedirect(status) ? null : h.firstValue("Content-Length").orElse(null);
      return new FileMetadata(
          file,
          checkCommit(commit, file),
          checkEtag(etag, file),
          parseSize(size),
          location,
          refusal);
    }
    throw CliException.network("too many redirects for " + resolveUrl(repo, revision, file));
  }

  /**
   * Downloads {@code meta}'s bytes into {@code incomplete}, continuing a partial file with a Range
   * request, and checks size and content id. A refused download ({@link RefusedException}) is
   * deleted; an interrupted one is kept for the next try to resume.
   */
  void download(FileMetadata meta, Path incomplete, Progress progress) throws IOException {
    try {
      fetch(meta, incomplete, progress);
    } catch (RefusedException e) {
      Files.deleteIfExists(incomplete);
      throw e;
    }
  }

  private void fetch(FileMetadata meta, Path incomplete, Progress progress) throws IOException {
    if (meta.refusal() != null) {
      throw new RefusedException(meta.refusal());
    }
    long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
    if (have > 0 && (meta.size() < 0 || have > meta.size())) {
      Files.delete(
          incomplete); // without a size, or longer than the file: not known to be a prefix of it
      have = 0;
    }
    // a declared size is believed only as far as the disk can hold it: no filling the disk on a
    // hub's word
    long free = Files.getFileStore(incomplete.getParent()).getUsableSpace();
    if (meta.size() >= 0 && meta.size() - have > free) {
      throw new RefusedException(
          "the Hub declares "
              + meta.size()
              + " bytes for "
              + meta.file()
              + " but only "
              + free
              + " bytes are free on the disk of "
              + incomplete.getParent()
              + "; refused");
    }
    MessageDigest sha = meta.hasSha256() ? digest("SHA-256") : null;
    if (have > 0 && sha != null) {
      hashPrefix(incomplete, sha);
    }
    if (meta.size() < 0 || have < meta.size()) {
      have = transfer(meta, incomplete, have, sha, progress);
    }
    if (meta.size() >= 0 && have != meta.size()) {
      throw CliException.network(
          "download of "
              + meta.file()
              + " ended after "
              + have
              + " of "
              + meta.size()
              + " bytes; run 'gemma-embed pull' again to resume");
    }
    String actual = sha != null ? HexFormat.of().formatHex(sha.digest()) : gitBlobId(incomplete);
    if (!actual.equals(meta.etag())) {
      throw new RefusedException(
          "checksum mismatch for "
              + meta.file()
              + ": expected "
              + (sha != null ? "SHA-256 " : "git blob SHA-1 ")
              + meta.etag()
              + ", got "
              + actual
              + "; the corrupted download was deleted, run "
              + "'gemma-embed pull' again");
    }
  }

  private long transfer(
      FileMetadata meta, Path incomplete, long have, MessageDigest sha, Progress progress)
      throws IOException {
    HttpRequest.Builder get = request(meta.location(), "GET");
    if (have > 0) {
      get.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> r = sendFollowing(get, meta.location());
    int status = r.statusCode();
    boolean append;
    if (status == 206) {
      long start = contentRangeStart(r.headers());
      if (start != have) {
        r.body().close();
        throw new RefusedException(
            "the server resumed "
                + meta.file()
                + " at byte "
                + start
                + " instead of "
                + have
                + "; the partial download was deleted, run 'gemma-embed pull' again");
      }
      append = true;
    } else if (status == 200) {
      append = false; // the server ignored the Range header: start over
      have = 0;
      if (sha != null) {
        sha.reset();
      }
    } else {
      r.body().close();
      throw httpError(status, r.headers(), null, null, meta.file());
    }
    long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (length > meta.limit() - have) {
      r.body().close();
      throw new RefusedException(
          "the server announces "
              + length
              + " bytes from byte "
              + have
              + " of "
              + meta.file()
              + ", more than its "
              + (meta.size() >= 0
                  ? "declared size " + meta.size()
                  : "limit of " + MAX_UNDECLARED_BYTES + " bytes for a file of undeclared size")
              + "; refused");
    }
    progress.update(have);
    try (InputStream body = r.body();
        FileChannel out =
            FileChannel.open(
                incomplete,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while (true) {
        try {
          n = body.read(buf);
        } catch (IOException e) {
          throw CliException.network(
              "download of "
                  + meta.file()
                  + " was interrupted after "
                  + have
                  + (meta.size() >= 0 ? " of " + meta.size() : "")
                  + " bytes ("
                  + ErrorHandler.oneLine(e.getMessage())
                  + "); run 'gemma-embed pull' again to resume",
              e);
        }
        if (n < 0) {
          break;
        }
        if (n > meta.limit() - have) {
          throw new RefusedException(
              "the server sent more than the "
                  + (meta.size() >= 0
                      ? "declared " + meta.size() + " bytes of " + meta.file()
                      : MAX_UNDECLARED_BYTES
                          + " bytes taken of a file of undeclared size ("
                          + meta.file()
                          + ")")
                  + "; the download was refused and deleted");
        }
        ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        if (sha != null) {
          sha.update(buf, 0, n);
        }
        have += n;
        progress.update(have);
      }
    }
    return have;
  }

  /**
   * Git's blob id, SHA-1 of {@code "blob <size>\0"} followed by the bytes: the Hub's ETag of a
   * non-LFS file.
   */
  static String gitBlobId(Path file) throws IOException {
    MessageDigest sha1 = digest("SHA-1");
    sha1.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
    hashPrefix(file, sha1);
    return HexFormat.of().formatHex(sha1.digest());
  }

  private static void hashPrefix(Path file, MessageDigest sha) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    }
  }

  private HttpRequest.Builder request(URI url, String method) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("User-Agent", userAgent)
            .timeout(Duration.ofSeconds(60));
    if (token != null && sameOrigin(url, endpoint)) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /** GET following every redirect, dropping the token when it leaves the endpoint's origin. */
  private HttpResponse<InputStream> sendFollowing(HttpRequest.Builder first, URI url)
      throws IOException {
    HttpRequest.Builder req = first;
    URI at = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<InputStream> r = send(req, HttpResponse.BodyHandlers.ofInputStream());
      if (!isRedirect(r.statusCode())) {
        return r;
      }
      r.body().close();
      at = redirectTarget(at, r);
      String range = req.build().headers().firstValue("Range").orElse(null);
      req = request(at, "GET");
      if (range != null) {
        req.header("Range", range);
      }
    }
    throw CliException.network("too many redirects for " + url);
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    HttpRequest built = request.build();
    try {
      return http.send(built, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw CliException.network(
          "cannot reach "
              + built.uri().getScheme()
              + "://"
              + built.uri().getAuthority()
              + " ("
              + ErrorHandler.oneLine(String.valueOf(e.getMessage() != null ? e.getMessage() : e))
              + "); check the "
              + "network connection"
              + (sameOrigin(built.uri(), endpoint) ? " or HF_ENDPOINT" : ""),
          e);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** Where a redirect leads: an http(s) URL with a host, else the answer is refused. */
  private static URI redirectTarget(URI from, HttpResponse<?> r) {
    String location =
        r.headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    new RefusedException(
                        "HTTP " + r.statusCode() + " without a Location from " + from));
    URI next;
    try {
      next = from.resolve(new URI(location));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new RefusedException(
          "HTTP "
              + r.statusCode()
              + " from "
              + from
              + " redirects to a malformed Location '"
              + quote(location)
              + "'; refused");
    }
    String scheme = next.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || next.getHost() == null) {
      throw new RefusedException(
          "HTTP "
              + r.statusCode()
              + " from "
              + from
              + " redirects to '"
              + quote(location)
              + "', which is not an http(s) URL with a host; refused");
    }
    return next;
  }

  /** A server's text for a message: on one line, at most {@link #QUOTE_LIMIT} characters. */
  private static String quote(String text) {
    String line = ErrorHandler.oneLine(text);
    return line.length() <= QUOTE_LIMIT ? line : line.substring(0, QUOTE_LIMIT) + "…";
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  private CliException httpError(
      int status, HttpHeaders h, String repo, String revision, String file) {
    String hubSays =
        h.firstValue("X-Error-Message").map(m -> " (the Hub says: " + quote(m) + ")").orElse("");
    String what = repo == null ? file : repo + "/" + file + " at revision " + revision;
    String page = repo == null ? endpoint.toString() : endpoint + "/" + repo;
    return switch (status) {
      case 401 ->
          CliException.network(
              token == null
                  ? "HTTP 401 for "
                      + what
                      + ": the repository is gated (or does not exist) and no token was given; accept the"
                      + " Gemma licence at "
                      + page
                      + " while logged in, create a read token at "
                      + endpoint
                      + "/settings/tokens and set HF_TOKEN to it"
                      + hubSays
                  : "HTTP 401 for "
                      + what
                      + ": HF_TOKEN was rejected; create a valid read token at "
                      + endpoint
                      + "/settings/tokens"
                      + hubSays);
      case 403 ->
          CliException.network(
              "HTTP 403 for "
                  + what
                  + ": the account of HF_TOKEN has no access; accept the"
                  + " Gemma licence at "
                  + page
                  + " with that account, and use a token with read access"
                  + hubSays);
      case 404 -> new NotFoundException(notFound(h, repo, revision, file) + hubSays);
      case 429 ->
          CliException.network(
              "HTTP 429 for " + what + ": rate limited by the Hub; wait and try again" + hubSays);
      default ->
          CliException.network(
              "HTTP "
                  + status
                  + " for "
                  + what
                  + hubSays
                  + (status >= 500 ? "; the server failed, try again later" : ""));
    };
  }

  private static String notFound(HttpHeaders h, String repo, String revision, String file) {
    String code = h.firstValue("X-Error-Code").orElse("").toLowerCase(Locale.ROOT);
    if (repo == null) {
      return "HTTP 404 for " + file;
    }
    return switch (code) {
      case "reponotfound" -> "repository " + repo + " not found (HTTP 404)";
      case "revisionnotfound" -> "revision " + revision + " not found in " + repo + " (HTTP 404)";
      default ->
          "file " + file + " not found in " + repo + " at revision " + revision + " (HTTP 404)";
    };
  }

  private static String checkCommit(String commit, String file) {
    if (commit == null || !HfCache.isCommit(commit)) {
      throw CliException.network(
          "no commit id (X-Repo-Commit) in the answer for "
              + file
              + "; is HF_ENDPOINT a Hugging Face Hub?");
    }
    return commit;
  }

  /**
   * The content id, which also names the blob file: 40 or 64 lower-case hex digits, nothing else.
   */
  private static String checkEtag(String etag, String file) {
    if (etag == null) {
      throw CliException.network(
          "no ETag in the answer for " + file + "; is HF_ENDPOINT a Hugging Face Hub?");
    }
    String id = etag.replaceFirst("^W/", "").replace("\"", "").toLowerCase(Locale.ROOT);
    if (!SHA1.matcher(id).matches() && !SHA256.matcher(id).matches()) {
      throw CliException.network(
          "the ETag '"
              + quote(etag)
              + "' in the answer for "
              + file
              + " is neither a git "
              + "blob SHA-1 (40 hex digits) nor a SHA-256 (64); refused (is HF_ENDPOINT a Hugging Face Hub?)");
    }
    return id;
  }

  /** A stated size, or -1 when none is stated or it is not a non-negative number. */
  private static long parseSize(String size) {
    try {
      return size == null ? -1 : Math.max(-1, Long.parseLong(size.strip()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long contentRangeStart(HttpHeaders h) {
    // Content-Range: bytes 100-999/1000
    String range = h.firstValue("Content-Range").orElse("");
    try {
      return Long.parseLong(range.replaceFirst("^bytes\\s+", "").split("-", 2)[0].strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is a required JDK algorithm", e);
    }
  }
}
