package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gemma-embed pull} against a local imitation of the Hub's file API. */
class PullCommandTest {

  private static final String REPO = "google/embeddinggemma-300m";

  private static CliHarness.Run run(FakeHub hub, Path dir) {
    return CliHarness.run()
        .env("HF_ENDPOINT", hub.endpoint())
        .env("HF_HUB_CACHE", dir.resolve("hub").toString())
        .home(dir.resolve("home"));
  }

  private static Path repoDir(Path dir) {
    return dir.resolve("hub/models--google--embeddinggemma-300m");
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(42).nextBytes(b);
    return b;
  }

  @Test
  void pullsTheGatedModelIntoTheCacheWhereEmbedFindsIt(@TempDir Path dir) throws IOException {
    Path tiny = TinyModel.dir();
    try (FakeHub hub = new FakeHub(REPO)) {
      for (PullCommand.RepoFile f : PullCommand.MODEL_FILES) {
        hub.files.put(f.path(), Files.readAllBytes(tiny.resolve(f.path())));
      }
      hub.requiredToken = "hf_secret";
      var r = run(hub, dir).env("HF_TOKEN", "hf_secret").exec("pull");
      assertEquals(0, r.exit(), r.toString());
      Path snapshot = repoDir(dir).resolve("snapshots").resolve(hub.commit);
      assertEquals(snapshot + System.lineSeparator(), r.out());
      assertEquals(hub.commit, Files.readString(repoDir(dir).resolve("refs/main")));

      // huggingface_hub's layout: relative links into blobs/, LFS blobs named by their SHA-256
      Path weights = snapshot.resolve("2_Dense/model.safetensors");
      assertTrue(Files.isSymbolicLink(weights));
      String sha = FakeHub.sha256(hub.files.get("2_Dense/model.safetensors"));
      assertEquals(Path.of("../../../blobs/" + sha), Files.readSymbolicLink(weights));
      String blobId = FakeHub.gitBlobId(hub.files.get("config.json"));
      assertEquals(
          Path.of("../../blobs/" + blobId),
          Files.readSymbolicLink(snapshot.resolve("config.json")));
      for (PullCommand.RepoFile f : PullCommand.MODEL_FILES) {
        assertArrayEquals(
            hub.files.get(f.path()), Files.readAllBytes(snapshot.resolve(f.path())), f.path());
      }
      // the token goes to the Hub, never to the storage server it redirects to
      assertTrue(
          hub.requests("hub").stream().allMatch(q -> "Bearer hf_secret".equals(q.authorization())));
      assertFalse(hub.requests("storage").isEmpty());
      assertTrue(hub.requests("storage").stream().allMatch(q -> q.authorization() == null));

      // embed, with no --model, finds the snapshot through refs/main
      var fromCache = run(hub, dir).exec("embed", "--prompt", "query", "Which planet is red?");
      var direct =
          CliHarness.exec(
              "embed", "--model", tiny.toString(), "--prompt", "query", "Which planet is red?");
      assertEquals(0, fromCache.exit(), fromCache.toString());
      assertEquals(direct.out(), fromCache.out());

      // a second pull finds every blob in place and downloads nothing
      int storageRequests = hub.requests("storage").size();
      var again = run(hub, dir).env("HF_TOKEN", "hf_secret").exec("pull");
      assertEquals(0, again.exit(), again.toString());
      assertEquals(storageRequests, hub.requests("storage").size());
      assertTrue(again.stderr().contains("0 file(s) downloaded"), again.stderr());
    }
  }

  @Test
  void resumesAnInterruptedDownloadWithARangeRequest(@TempDir Path dir) throws IOException {
    byte[] weights = random(300_000);
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("weights.safetensors", weights);
      hub.dropAfter = 100_000;
      var failed = run(hub, dir).exec("pull", "--file", "weights.safetensors");
      assertEquals(ExitCodes.NETWORK, failed.exit(), failed.toString());
      assertTrue(
          failed
              .stderr()
              .contains(
                  "download of weights.safetensors was interrupted after 100000 of 300000 bytes"),
          failed.stderr());
      assertTrue(
          failed.stderr().contains("run 'gemma-embed pull' again to resume"), failed.stderr());
      String sha = FakeHub.sha256(weights);
      Path incomplete = repoDir(dir).resolve("blobs/" + sha + ".incomplete");
      assertEquals(100_000, Files.size(incomplete));

      var resumed = run(hub, dir).exec("pull", "--file", "weights.safetensors");
      assertEquals(0, resumed.exit(), resumed.toString());
      var last = hub.requests("storage").getLast();
      assertEquals("bytes=100000-", last.range());
      assertFalse(Files.exists(incomplete));
      Path file = repoDir(dir).resolve("snapshots/" + hub.commit + "/weights.safetensors");
      assertArrayEquals(weights, Files.readAllBytes(file));
      assertTrue(resumed.out().strip().endsWith(hub.commit), resumed.out());
    }
  }

  @Test
  void rejectsACorruptedBodyAndKeepsNothingOfIt(@TempDir Path dir) throws IOException {
    byte[] weights = random(50_000);
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("weights.safetensors", weights);
      hub.corrupt = true;
      var r = run(hub, dir).exec("pull", "--quiet", "--file", "weights.safetensors");
      assertEquals(ExitCodes.NETWORK, r.exit(), r.toString());
      String sha = FakeHub.sha256(weights);
      assertEquals(1, r.stderr().lines().count(), r.stderr());
      assertTrue(
          r.stderr()
              .startsWith(
                  "gemma-embed pull: checksum mismatch for weights.safetensors: expected SHA-256 "
                      + sha
                      + ", got "),
          r.stderr());
      try (Stream<Path> blobs = Files.list(repoDir(dir).resolve("blobs"))) {
        assertEquals(0, blobs.count(), "neither the blob nor the .incomplete file is kept");
      }
      assertFalse(Files.exists(repoDir(dir).resolve("snapshots")));

      hub.corrupt = false;
      var retry = run(hub, dir).exec("pull", "--file", "weights.safetensors");
      assertEquals(0, retry.exit(), retry.toString());
      assertArrayEquals(weights, Files.readAllBytes(repoDir(dir).resolve("blobs/" + sha)));
    }
  }

  @Test
  void aGatedRepoExplainsTheLicenceAndTheToken(@TempDir Path dir) throws IOException {
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("config.json", "{}".getBytes());
      hub.requiredToken = "hf_right";
      var none = run(hub, dir).exec("pull", "--file", "config.json");
      assertEquals(ExitCodes.NETWORK, none.exit());
      assertEquals(1, none.stderr().lines().count(), none.stderr());
      assertTrue(
          none.stderr().contains("HTTP 401")
              && none.stderr()
                  .contains("accept the Gemma licence at " + hub.endpoint() + "/" + REPO)
              && none.stderr().contains("set HF_TOKEN"),
          none.stderr());

      var wrong = run(hub, dir).env("HF_TOKEN", "hf_wrong").exec("pull", "--file", "config.json");
      assertEquals(ExitCodes.NETWORK, wrong.exit());
      assertTrue(
          wrong.stderr().contains("HTTP 403") && wrong.stderr().contains("has no access"),
          wrong.stderr());

      // the token `huggingface-cli login` saved under HF_HOME is used when HF_TOKEN is not set
      Path hfHome = Files.createDirectories(dir.resolve("hf-home"));
      Files.writeString(hfHome.resolve("token"), "hf_right\n");
      var login =
          run(hub, dir).env("HF_HOME", hfHome.toString()).exec("pull", "--file", "config.json");
      assertEquals(0, login.exit(), login.toString());
    }
  }

  @Test
  void missingFilesRevisionsAndServersAreClearErrors(@TempDir Path dir) throws IOException {
    try (FakeHub hub = new FakeHub(REPO)) {
      hub.files.put("config.json", "{}".getBytes());
      var file = run(hub, dir).exec("pull", "--file", "model.gguf");
      assertEquals(ExitCodes.NETWORK, file.exit());
      assertEquals(
          "gemma-embed pull: file model.gguf not found in "
              + REPO
              + " at revision main (HTTP 404)\n",
          file.stderr());
      var revision = run(hub, dir).exec("pull", "--revision", "v9", "--file", "config.json");
      assertEquals(
          "gemma-embed pull: revision v9 not found in " + REPO + " (HTTP 404)\n",
          revision.stderr());
      var model = run(hub, dir).exec("pull");
      assertTrue(model.stderr().contains("file model.safetensors not found"), model.stderr());
      assertNull(
          hub.requests("hub").stream()
              .filter(q -> q.path().endsWith("special_tokens_map.json"))
              .findFirst()
              .orElse(null),
          "stops at the first missing required file");
    }
    var unreachable =
        CliHarness.run()
            .env("HF_ENDPOINT", "http://127.0.0.1:1")
            .env("HF_HUB_CACHE", dir.resolve("hub").toString())
            .home(dir)
            .exec("pull");
    assertEquals(ExitCodes.NETWORK, unreachable.exit());
    assertTrue(
        unreachable.stderr().startsWith("gemma-embed pull: cannot reach http://127.0.0.1:1 "),
        unreachable.stderr());
    assertEquals(1, unreachable.stderr().lines().count(), unreachable.stderr());
  }
}
