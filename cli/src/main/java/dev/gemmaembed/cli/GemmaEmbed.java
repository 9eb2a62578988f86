package dev.gemmaembed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gemma-embed} command: a picocli root whose subcommands do the work. */
@Command(
    name = "gemma-embed",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Pure-Java EmbeddingGemma-300M text embeddings.",
    subcommands = {
      EmbedCommand.class,
      SynthCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class GemmaEmbed implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** Builds the configured command line; tests drive this directly. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new GemmaEmbed());
  }
}
