package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gemma-embed pull} against a hub that lies: each hostile answer ends with exit 6 and one
 * line on stderr, leaves nothing in the cache (no blob, no .incomplete file) and never writes more
 * than the declared size, or 10 MiB where none is declared.
 */
class HostileHubTest {

  private static final String REPO = "google/embeddinggemma-300m";

  private static CliHarness.Result pull(FakeHub hub, Path dir, String file) {
    return CliHarness.run()
        .env("HF_ENDPOINT", hub.endpoint())
        .env("HF_HUB_CACHE", dir.resolve("hub").toString())
        .home(dir.resolve("home"))
        .exec("pull", "--quiet", "--file", file);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  /** Exit 6, one line, and a cache holding no file of the download. */
  private static String refused(CliHarness.Result r, Path dir) throws IOException {
    assertEquals(ExitCodes.NETWORK, r.exit(), r.toString());
    assertEquals(1, r.stderr().lines().count(), r.stderr());
    assertFalse(r.stderr().contains("internal error"), r.stderr());
    Path blobs = dir.resolve("hub/models--google--embeddinggemma-300m/blobs");
    if (Files.exists(blobs)) {
      try (Stream<Path> files = Files.list(blobs)) {
        List<Path> left = files.toList();
        assertTrue(left.isEmpty(), "left in the cache: " + left);
      }
    }
    return r.stderr();
  }

  @Test
  void anEndlessLfsBodyStopsAtTheDeclaredSize(@TempDir Path dir) throws IOException {
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("weights.safetensors", random(100_000));
      hub.endless = true;
      String err = refused(pull(hub, dir, "weights.safetensors"), dir);
      assertTrue(
          err.contains(
              "the server sent more than the declared 100000 bytes of weights.safetensors"),
          err);
    }
  }

  @Test
  void aBodyLongerThanDeclaredIsRefusedByItsContentLengthBeforeReading(@TempDir Path dir)
      throws IOException {
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("weights.safetensors", random(100_000));
      hub.linkedSize = "1000";
      String err = refused(pull(hub, dir, "weights.safetensors"), dir);
      assertTrue(
          err.contains(
              "the server announces 100000 bytes from byte 0 of weights.safetensors, more than its "
                  + "declared size 1000; refused"),
          err);
    }
  }

  @Test
  void aDeclaredSizeBeyondTheFreeDiskSpaceIsRefusedBeforeDownloading(@TempDir Path dir)
      throws IOException {
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("weights.safetensors", random(1000));
      hub.linkedSize = String.valueOf(Long.MAX_VALUE / 2);
      String err = refused(pull(hub, dir, "weights.safetensors"), dir);
      assertTrue(
          err.contains(
              "the Hub declares "
                  + Long.MAX_VALUE / 2
                  + " bytes for weights.safetensors but only "),
          err);
      assertTrue(hub.requests("storage").isEmpty());
    }
  }

  @Test
  void anEndlessBodyOfUndeclaredSizeStopsAtTenMebibytes(@TempDir Path dir) throws IOException {
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("config.json", "{}".getBytes(StandardCharsets.UTF_8));
      hub.undeclaredSize = true;
      hub.endless = true;
      String err = refused(pull(hub, dir, "config.json"), dir);
      assertTrue(
          err.contains("more than the " + (10 << 20) + " bytes taken of a file of undeclared size"),
          err);
    }
  }

  @Test
  void aSmallFileOfUndeclaredSizeIsVerifiedByItsGitBlobId(@TempDir Path dir) throws IOException {
    byte[] config = "{\"a\": 1}".getBytes(StandardCharsets.UTF_8);
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("config.json", config);
      hub.undeclaredSize = true;
      var ok = pull(hub, dir, "config.json");
      assertEquals(0, ok.exit(), ok.toString());
      Path blob =
          dir.resolve("hub/models--google--embeddinggemma-300m/blobs/" + FakeHub.gitBlobId(config));
      assertArrayEquals(config, Files.readAllBytes(blob));
    }
  }

  @Test
  void aNonLfsFileThatDoesNotMatchItsGitBlobIdIsRefused(@TempDir Path dir) throws IOException {
    byte[] config = "{\"hidden_size\": 768}".getBytes(StandardCharsets.UTF_8);
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("config.json", config);
      hub.corrupt = true;
      String err = refused(pull(hub, dir, "config.json"), dir);
      assertTrue(
          err.contains(
              "checksum mismatch for config.json: expected git blob SHA-1 "
                  + FakeHub.gitBlobId(config)),
          err);
    }
  }

  @Test
  void etagsThatAreNotContentIdsAreRefusedBeforeDownloading(@TempDir Path dir) throws IOException {
    for (String etag :
        List.of(
            "\".\"",
            "\"..\"",
            "..",
            "\"abc\"",
            "\"../../../../tmp/x\"",
            "W/\"" + "g".repeat(40) + "\"",
            "\"" + "a".repeat(63) + "\"")) {
      try (FakeHub hub = new FakeHub(REPO)) {
        hub.files.put("config.json", "{}".getBytes(StandardCharsets.UTF_8));
        hub.files.put("weights.gguf", random(1000));
        hub.etag = etag;
        for (String file : List.of("config.json", "weights.gguf")) {
          String err = refused(pull(hub, dir, file), dir);
          assertTrue(
              err.contains(
                  "is neither a git blob SHA-1 (40 hex digits) nor a SHA-256 (64); refused"),
              err);
        }
        assertTrue(hub.requests("storage").isEmpty());
        assertTrue(hub.requests("hub").stream().allMatch(q -> q.method().equals("HEAD")));
      }
    }
  }

  @Test
  void redirectsToNoHttpUrlAreRefusedInOneLine(@TempDir Path dir) throws IOException {
    for (String location :
        List.of(
            "file:///etc/passwd",
            "http:///no-host",
            "http://[bad",
            "ftp://127.0.0.1/x",
            "jar:file:/x.jar!/y",
            "http://exa mple.com/")) {
      try (FakeHub hub = new FakeHub(REPO)) {
        hub.files.put("weights.safetensors", random(1000));
        hub.location = location;
        String err = refused(pull(hub, dir, "weights.safetensors"), dir);
        assertTrue(err.contains("refused"), err);
        assertTrue(hub.requests("storage").isEmpty());
      }
    }
  }

  @Test
  void aRefusedDownloadDeletesTheIncompleteFileAnInterruptedOneKeepsIt(@TempDir Path dir)
      throws IOException {
    byte[] weights = random(200_000);
    String sha = FakeHub.sha256(weights);
    Path incomplete =
        dir.resolve("hub/models--google--embeddinggemma-300m/blobs/" + sha + ".incomplete");
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("weights.safetensors", weights);
      hub.dropAfter = 50_000;
      assertEquals(ExitCodes.NETWORK, pull(hub, dir, "weights.safetensors").exit());
      assertEquals(50_000, Files.size(incomplete), "an interrupted download is kept to resume");

      hub.storageLocation =
          "file:///etc/passwd"; // the storage server redirects onward, out of http
      refused(pull(hub, dir, "weights.safetensors"), dir);
      assertFalse(Files.exists(incomplete), "a refused one is deleted");

      hub.storageLocation = null;
      hub.dropAfter = 50_000;
      assertEquals(ExitCodes.NETWORK, pull(hub, dir, "weights.safetensors").exit());
      assertEquals(50_000, Files.size(incomplete));
      hub.location = "http:///no-host"; // the Hub's own redirect to the bytes
      refused(pull(hub, dir, "weights.safetensors"), dir);
      assertFalse(Files.exists(incomplete), "deleted too");
    }
  }

  /**
   * The JDK's HttpServer will not send control characters in a header, a hostile server will: this
   * one answers every request on loopback with the same raw bytes, until closed.
   */
  private static final class RawServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;

    RawServer(byte[] response) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (!socket.isClosed()) {
                      try (Socket s = socket.accept()) {
                        InputStream in = s.getInputStream();
                        int matched = 0; // read the request head up to its blank line
                        for (int b; matched < 4 && (b = in.read()) >= 0; ) {
                          matched =
                              b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                        }
                        s.getOutputStream().write(response);
                      } catch (IOException closed) {
                        return;
                      }
                    }
                  });
    }

    String endpoint() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      try {
        thread.join(); // the accept loop ends once the socket is closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while the raw server stopped");
      }
    }
  }

  @Test
  void terminalEscapesFromTheHubAreShownEscaped(@TempDir Path dir) throws Exception {
    String message = "Entry not found\u001b]0;owned\u0007\u001b[2J\u009b31m\u00e2\u0080\u00ae";
    byte[] response =
        ("HTTP/1.1 404 Not Found\r\nX-Error-Code: EntryNotFound\r\nX-Error-Message: "
                + message
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    try (RawServer hub = new RawServer(response)) {
      var r =
          CliHarness.run()
              .env("HF_ENDPOINT", hub.endpoint())
              .env("HF_HUB_CACHE", dir.resolve("hub").toString())
              .home(dir.resolve("home"))
              .exec("pull", "--quiet", "--file", "model.gguf");
      String err = refused(r, dir);
      // java.net.http refuses such a header and quotes it in its exception: either way it is shown
      // escaped
      assertTrue(
          err.contains("Entry not found\\x1B]0;owned\\x07\\x1B[2J\\x9B31m\u00e2\\x80\u00ae"), err);
      assertTrue(err.chars().noneMatch(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f), err);
    }
  }
}
