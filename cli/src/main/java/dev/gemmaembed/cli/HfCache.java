package dev.gemmaembed.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache as huggingface_hub lays it out, so models pulled here and by Python
 * are shared:
 *
 * <pre>
 * {hub}/models--{org}--{name}/blobs/{etag}                 file contents, named by ETag (sha256 for LFS files)
 * {hub}/models--{org}--{name}/snapshots/{commit}/{path}    symlinks to ../../blobs/{etag}
 * {hub}/models--{org}--{name}/refs/{revision}              the commit a branch or tag pointed to
 * </pre>
 */
final class HfCache {

  static final String DEFAULT_REPO = "google/embeddinggemma-300m";

  private static final Pattern REPO_ID =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  private final Path hub;

  HfCache(Path hub) {
    this.hub = hub;
  }

  /** The hub directory huggingface_hub uses: $HF_HUB_CACHE, else {@link #hfHome}/hub. */
  static HfCache locate(CliEnvironment env) {
    String hubCache = env.variable("HF_HUB_CACHE");
    return new HfCache(hubCache != null ? Path.of(hubCache) : hfHome(env).resolve("hub"));
  }

  /**
   * $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (where the login token
   * lives too).
   */
  static Path hfHome(CliEnvironment env) {
    String home = env.variable("HF_HOME");
    if (home != null) {
      return Path.of(home);
    }
    String xdg = env.variable("XDG_CACHE_HOME");
    Path cache = xdg != null ? Path.of(xdg) : env.userHome().resolve(".cache");
    return cache.resolve("huggingface");
  }

  static boolean isRepoId(String repo) {
    return REPO_ID.matcher(repo).matches() && !repo.contains("..");
  }

  static boolean isCommit(String revision) {
    return COMMIT.matcher(revision).matches();
  }

  Path hub() {
    return hub;
  }

  Path repoDir(String repo) {
    return hub.resolve("models--" + repo.replace("/", "--"));
  }

  Path blob(String repo, String etag) {
    return repoDir(repo).resolve("blobs").resolve(etag);
  }

  Path snapshot(String repo, String commit) {
    return repoDir(repo).resolve("snapshots").resolve(commit);
  }

  Path ref(String repo, String revision) {
    return repoDir(repo).resolve("refs").resolve(revision);
  }

  /**
   * The snapshot of {@code repo} that {@code refs/main} names, or, without that ref, the most
   * recently written snapshot that holds a config.json; empty when the repo is not cached.
   */
  Optional<Path> findSnapshot(String repo) throws IOException {
    Path ref = ref(repo, "main");
    if (Files.isRegularFile(ref)) {
      String commit = Files.readString(ref).strip();
      Path snap = snapshot(repo, commit);
      if (isCommit(commit) && Files.isRegularFile(snap.resolve("config.json"))) {
        return Optional.of(snap);
      }
    }
    Path snapshots = repoDir(repo).resolve("snapshots");
    if (!Files.isDirectory(snapshots)) {
      return Optional.empty();
    }
    try (Stream<Path> all = Files.list(snapshots)) {
      return all.filter(s -> Files.isRegularFile(s.resolve("config.json")))
          .max(Comparator.comparing(HfCache::modified));
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }
}
