package dev.gemmaembed.cli;

import java.io.OutputStream;
import java.util.List;

/**
 * The build's AOT training run ({@code cli/scripts/aot-cache.sh}): the short jobs a user types, run
 * in one JVM, which writes the classes they loaded and linked, and their method profiles, to the
 * AOT cache that {@code ./gemma-embed} passes to such jobs. Each job runs as {@link
 * GemmaEmbed#main} would run it, its vectors thrown away; twice where the second run takes another
 * path (a tokenizer read from the cache the first one wrote).
 *
 * <p>Arguments: a synthetic model folder and a Q4_0 GGUF of it ({@code gemma-embed synth}, {@code
 * gemma-embed quantize}).
 */
final class AotTraining {

  private AotTraining() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: AotTraining MODEL_FOLDER Q4_0_GGUF");
      System.exit(2);
    }
    String folder = args[0];
    String gguf = args[1];
    CliEnvironment system = CliEnvironment.system();
    CliEnvironment quiet =
        new CliEnvironment(
            system.variables(),
            system.stdin(),
            OutputStream.nullOutputStream(),
            system.stderr(),
            false,
            0,
            system.userHome());
    UserCache.enableTokenizerCache(quiet);
    List<List<String>> jobs =
        List.of(
            List.of("embed", "--model", folder, "hello"),
            List.of("embed", "--model", folder, "--threads", "2", "hello", "a second text"),
            List.of("embed", "--model", gguf, "hello"),
            List.of("embed", "--model", gguf, "--threads", "2", "hello", "a second text"),
            List.of("similarity", "--model", gguf, "a cat", "a dog"),
            List.of("search", "--model", gguf, "--query", "a pet", "a cat", "a car"),
            List.of("tokenize", "--model", folder, "hello"),
            List.of("tokenize", "--model", gguf, "hello"));
    for (List<String> job : jobs) {
      String[] a = job.toArray(String[]::new);
      int status = GemmaEmbed.newCommandLine(quiet, a).execute(a);
      if (status != ExitCodes.OK) {
        System.err.println("AotTraining: " + String.join(" ", job) + " exited with " + status);
        System.exit(1);
      }
    }
  }
}
