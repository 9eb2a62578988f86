package dev.gemmaembed.cli;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1: {@code /{repo}/resolve/{revision}/{path}}
 * answers as the Hub does (X-Repo-Commit, ETag; LFS files — *.safetensors, *.gguf — with
 * X-Linked-Etag = their SHA-256 and a 302 to a storage server on another port that honours Range
 * requests), with switches for a gated repo, a corrupted body and a dropped connection, and for the
 * ways a hostile hub lies: endless bodies, no declared size, odd ETags and Locations, and terminal
 * escapes in its error messages.
 */
final class FakeHub implements AutoCloseable {

  /** One request as the servers saw it. */
  record Request(String server, String method, String path, String range, String authorization) {}

  final String repo;
  final String commit = "0123456789abcdef0123456789abcdef01234567";
  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  /** When set, requests without "Bearer {token}" get 401, with another token 403. */
  volatile String requiredToken;

  /** Serve LFS bodies with one byte flipped. */
  volatile boolean corrupt;

  /**
   * Once: send the headers of a full LFS body, then only this many bytes, and drop the connection.
   */
  volatile long dropAfter = -1;

  /**
   * After a body, keep sending zeros (chunked) until the client hangs up or {@link #ENDLESS_CAP} is
   * reached.
   */
  volatile boolean endless;

  /** Non-LFS files: no Content-Length on HEAD, a chunked GET. */
  volatile boolean undeclaredSize;

  /** When set, the ETag (X-Linked-Etag for LFS files) sent instead of the true one, as is. */
  volatile String etag;

  /** When set, the Location of the LFS redirect, as is. */
  volatile String location;

  /** When set, the storage server answers every request with a 302 to this Location, as is. */
  volatile String storageLocation;

  /** When set, the X-Linked-Size of LFS files instead of their true size. */
  volatile String linkedSize;

  /** When set, the X-Error-Message of every 404. */
  volatile String errorMessage;

  /** Bytes of zeros written after bodies in endless mode; the client should stop long before. */
  static final long ENDLESS_CAP = 64L << 20;

  /**
   * SHA-256 by array identity: the test files are large enough that hashing them per request shows.
   */
  private final Map<byte[], String> shas = new ConcurrentHashMap<>();

  private final HttpServer hub;
  private final HttpServer storage;

  FakeHub(String repo) throws IOException {
    this.repo = repo;
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    hub = HttpServer.create(loopback, 0);
    storage = HttpServer.create(loopback, 0);
    hub.createContext("/", this::resolve);
    storage.createContext("/", this::serveStorage);
    hub.start();
    storage.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  List<Request> requests(String server) {
    return requests.stream().filter(r -> r.server().equals(server)).toList();
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The git blob id the Hub gives as ETag of a small (non-LFS) file. */
  static String gitBlobId(byte[] data) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha1.digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isLfs(String path) {
    return path.endsWith(".safetensors") || path.endsWith(".gguf");
  }

  private void log(String server, HttpExchange ex) {
    Headers h = ex.getRequestHeaders();
    requests.add(
        new Request(
            server,
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            h.getFirst("Range"),
            h.getFirst("Authorization")));
  }

  private void resolve(HttpExchange ex) throws IOException {
    try (ex) {
      log("hub", ex);
      String prefix = "/" + repo + "/resolve/";
      String path = ex.getRequestURI().getPath();
      Headers out = ex.getResponseHeaders();
      if (!path.startsWith(prefix)) {
        out.set("X-Error-Code", "RepoNotFound");
        ex.sendResponseHeaders(requiredToken != null ? 401 : 404, -1);
        return;
      }
      String token = requiredToken;
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (token != null && auth == null) {
        out.set("X-Error-Code", "GatedRepo");
        out.set(
            "X-Error-Message",
            "Access to model "
                + repo
                + " is restricted. You must have access to it and be authenticated.");
        ex.sendResponseHeaders(401, -1);
        return;
      }
      if (token != null && !auth.equals("Bearer " + token)) {
        out.set("X-Error-Code", "GatedRepo");
        ex.sendResponseHeaders(403, -1);
        return;
      }
      String rest = path.substring(prefix.length());
      int slash = rest.indexOf('/');
      String revision = rest.substring(0, slash);
      String file = rest.substring(slash + 1);
      if (!revision.equals("main") && !revision.equals(commit)) {
        out.set("X-Error-Code", "RevisionNotFound");
        ex.sendResponseHeaders(404, -1);
        return;
      }
      byte[] data = files.get(file);
      if (data == null) {
        out.set("X-Error-Code", "EntryNotFound");
        if (errorMessage != null) {
          out.set("X-Error-Message", errorMessage);
        }
        ex.sendResponseHeaders(404, -1);
        return;
      }
      out.set("X-Repo-Commit", commit);
      if (isLfs(file)) {
        String sha = shas.computeIfAbsent(data, FakeHub::sha256);
        out.set("X-Linked-Etag", etag != null ? etag : "\"" + sha + "\"");
        out.set("X-Linked-Size", linkedSize != null ? linkedSize : String.valueOf(data.length));
        out.set("ETag", "\"" + sha + "\"");
        out.set(
            "Location",
            location != null
                ? location
                : "http://127.0.0.1:"
                    + storage.getAddress().getPort()
                    + "/lfs/"
                    + sha
                    + "?signed=1");
        ex.sendResponseHeaders(302, -1);
        return;
      }
      out.set("ETag", etag != null ? etag : "W/\"" + gitBlobId(data) + "\"");
      if (corrupt) {
        data = data.clone();
        data[data.length / 2] ^= 0x55;
      }
      if (undeclaredSize) {
        ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : 0);
        if (!ex.getRequestMethod().equals("HEAD")) {
          writeBody(ex, data, 0, data.length);
        }
        return;
      }
      send(ex, 200, data, 0, data.length);
    }
  }

  private void serveStorage(HttpExchange ex) throws IOException {
    try (ex) {
      log("storage", ex);
      if (storageLocation != null) {
        ex.getResponseHeaders().set("Location", storageLocation);
        ex.sendResponseHeaders(302, -1);
        return;
      }
      String sha = ex.getRequestURI().getPath().substring("/lfs/".length());
      byte[] data =
          files.values().stream()
              .filter(d -> shas.computeIfAbsent(d, FakeHub::sha256).equals(sha))
              .findFirst()
              .orElse(null);
      if (data == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      if (corrupt) {
        data = data.clone();
        data[data.length / 2] ^= 0x55;
      }
      int from = 0;
      String range = ex.getRequestHeaders().getFirst("Range");
      int status = 200;
      if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
        from = Integer.parseInt(range.substring(6, range.length() - 1));
        if (from >= data.length) {
          ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        status = 206;
        ex.getResponseHeaders()
            .set("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
      }
      long drop = dropAfter;
      if (drop >= 0 && !ex.getRequestMethod().equals("HEAD")) {
        dropAfter = -1;
        ex.sendResponseHeaders(status, data.length - from);
        OutputStream body = ex.getResponseBody();
        body.write(data, from, (int) drop);
        body.flush();
        // Closing with bytes missing makes the server drop the connection, as a network failure
        // would.
        return;
      }
      send(ex, status, data, from, data.length - from);
    }
  }

  private void send(HttpExchange ex, int status, byte[] data, int from, int length)
      throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", String.valueOf(length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, endless ? 0 : length); // 0: chunked, as long as it takes
    writeBody(ex, data, from, length);
  }

  /** The body, then in endless mode zeros until the client hangs up (a write fails) or the cap. */
  private void writeBody(HttpExchange ex, byte[] data, int from, int length) throws IOException {
    OutputStream body = ex.getResponseBody();
    body.write(data, from, length);
    if (endless) {
      byte[] zeros = new byte[1 << 16];
      try {
        for (long sent = 0; sent < ENDLESS_CAP; sent += zeros.length) {
          body.write(zeros);
        }
      } catch (IOException clientHungUp) {
        // what a well-behaved client does once it has read the declared size
      }
    }
  }

  @Override
  public void close() {
    hub.stop(0);
    storage.stop(0);
  }
}
