package dev.gemmaembed.cli;

import dev.gemmaembed.tools.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code gemma-embed pull}: downloads a model repository into the Hugging Face cache. */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Download a model from the Hugging Face Hub into the Hugging Face cache.",
      "",
      "Files go to $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub in huggingface_hub's "
          + "layout, where embed, similarity and search find google/embeddinggemma-300m by themselves "
          + "(and Python finds it too). The snapshot folder is printed on stdout.",
      "",
      "google/embeddinggemma-300m is gated: accept the Gemma licence on its Hugging Face page, "
          + "create a read token at https://huggingface.co/settings/tokens and export HF_TOKEN (a "
          + "token saved by 'huggingface-cli login' is used too). Interrupted downloads resume; LFS "
          + "files are checked against their SHA-256. HF_ENDPOINT sets another Hub URL (a mirror).",
    },
    footer = {
      "",
      "Examples:",
      "  export HF_TOKEN=hf_...",
      "  gemma-embed pull",
      "  gemma-embed pull google/embeddinggemma-300m --revision main",
      "  gemma-embed pull ggml-org/embeddinggemma-300M-GGUF \\",
      "      --file embeddinggemma-300M-Q8_0.gguf",
      "  gemma-embed embed --model \"$(gemma-embed pull -q)\" \"hello\""
    })
final class PullCommand implements Callable<Integer> {

  /** A file of the repository; an optional one may be absent. */
  record RepoFile(String path, boolean required) {}

  /**
   * What the sentence-transformers pipeline loads (spec §4), plus the optional special-token map.
   */
  static final List<RepoFile> MODEL_FILES =
      List.of(
          new RepoFile("config.json", true),
          new RepoFile("model.safetensors", true),
          new RepoFile("modules.json", true),
          new RepoFile("sentence_bert_config.json", true),
          new RepoFile("config_sentence_transformers.json", true),
          new RepoFile("tokenizer.json", true),
          new RepoFile("tokenizer_config.json", true),
          new RepoFile("special_tokens_map.json", false),
          new RepoFile("1_Pooling/config.json", true),
          new RepoFile("2_Dense/config.json", true),
          new RepoFile("2_Dense/model.safetensors", true),
          new RepoFile("3_Dense/config.json", true),
          new RepoFile("3_Dense/model.safetensors", true));

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "REPO",
      defaultValue = HfCache.DEFAULT_REPO,
      description = "Repository id (default: ${DEFAULT-VALUE}).")
  String repo;

  @Option(
      names = "--revision",
      paramLabel = "R",
      defaultValue = "main",
      description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
  String revision;

  @Option(
      names = "--file",
      paramLabel = "NAME",
      description =
          "Download only this file (repeatable), e.g. a .gguf; default: the model's Hugging Face files.")
  List<String> files;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bar or notes on stderr.")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    CliEnvironment env = root.environment();
    List<RepoFile> wanted = wanted();
    HfCache cache = HfCache.locate(env);
    HubClient hub = HubClient.create(env);
    PrintStream notes = quiet ? null : env.stderr();
    String commit = HfCache.isCommit(revision) ? revision : null;
    long bytes = 0;
    int fetched = 0;
    Path snapshot = null;
    for (RepoFile file : wanted) {
      HubClient.FileMetadata meta;
      try {
        // After the first answer, ask by commit so that every file comes from the same one.
        meta = hub.metadata(repo, commit != null ? commit : revision, file.path());
      } catch (HubClient.NotFoundException e) {
        if (file.required()) {
          throw e;
        }
        continue;
      }
      commit = commit != null ? commit : meta.commit();
      snapshot = cache.snapshot(repo, commit);
      Path blob = cache.blob(repo, meta.etag());
      if (Files.isRegularFile(blob) && (meta.size() < 0 || Files.size(blob) == meta.size())) {
        note(notes, file.path() + ": already in the cache");
      } else {
        Path incomplete = blob.resolveSibling(meta.etag() + ".incomplete");
        Files.createDirectories(blob.getParent());
        if (notes != null && !env.stderrIsTerminal()) {
          notes.println("gemma-embed pull: downloading " + file.path() + size(meta.size()));
        }
        long resumeFrom = Files.exists(incomplete) ? Files.size(incomplete) : 0;
        try (Progress progress = Progress.bytes(env, quiet, file.path(), resumeFrom, meta.size())) {
          hub.download(meta, incomplete, progress);
        }
        moveIntoPlace(incomplete, blob);
        fetched++;
        bytes += Files.size(blob);
      }
      link(snapshot.resolve(file.path()), blob);
    }
    if (!revision.equals(commit)) {
      AtomicFiles.writeString(cache.ref(repo, revision), commit);
    }
    note(
        notes,
        "pulled "
            + repo
            + " at "
            + commit
            + " ("
            + fetched
            + " file(s) downloaded"
            + size(bytes)
            + ") into "
            + snapshot
            + (HfCache.DEFAULT_REPO.equals(repo) && files == null
                ? "; embed, similarity and search now find it without --model"
                : "; use it with --model "
                    + (files != null && files.size() == 1
                        ? snapshot.resolve(files.getFirst())
                        : snapshot)));
    var out = env.stdout();
    out.write((snapshot + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
    out.flush();
    return ExitCodes.OK;
  }

  private List<RepoFile> wanted() {
    if (!HfCache.isRepoId(repo)) {
      throw new ParameterException(
          spec.commandLine(), "REPO " + repo + ": expected an id like google/embeddinggemma-300m");
    }
    if (revision.isBlank() || revision.contains("..") || revision.startsWith("/")) {
      throw new ParameterException(
          spec.commandLine(), "--revision " + revision + ": not a branch, tag or commit");
    }
    if (files == null) {
      return MODEL_FILES;
    }
    List<RepoFile> list = new ArrayList<>();
    for (String f : files) {
      if (f.isBlank()
          || f.startsWith("/")
          || f.contains("\\")
          || List.of(f.split("/")).contains("..")) {
        throw new ParameterException(
            spec.commandLine(), "--file " + f + ": expected a path inside the repository");
      }
      list.add(new RepoFile(f, true));
    }
    return list;
  }

  private static void moveIntoPlace(Path incomplete, Path blob) throws IOException {
    // A rename replaces whatever has the name: never anything but a stale blob.
    if (Files.exists(blob, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileSystemException(
          blob.toString(), null, "is not a regular file; remove it and pull again");
    }
    try {
      Files.move(
          incomplete, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(incomplete, blob, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * snapshots/{commit}/{path} → a relative symlink to the blob, as huggingface_hub makes; a copy
   * where links fail.
   */
  private static void link(Path file, Path blob) throws IOException {
    Files.createDirectories(file.getParent());
    Path target = file.getParent().relativize(blob);
    if (Files.isSymbolicLink(file) && Files.readSymbolicLink(file).equals(target)) {
      return;
    }
    Files.deleteIfExists(file);
    try {
      Files.createSymbolicLink(file, target);
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.copy(blob, file, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static void note(PrintStream notes, String message) {
    if (notes != null) {
      notes.println("gemma-embed pull: " + message);
    }
  }

  private static String size(long bytes) {
    if (bytes <= 0) {
      return "";
    }
    return bytes >= 1 << 20
        ? String.format(Locale.ROOT, ", %.1f MiB", bytes / (double) (1 << 20))
        : String.format(Locale.ROOT, ", %d bytes", bytes);
  }
}
