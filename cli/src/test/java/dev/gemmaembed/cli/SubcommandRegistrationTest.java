package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The process's command line builds only the subcommand it runs, and behaves as the full one does. */
class SubcommandRegistrationTest {

  private static final CliEnvironment ENV = new CliEnvironment(Map.of(), System.in, new ByteArrayOutputStream(),
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, 0, Path.of("target", "test-home"));

  private static Set<String> subcommands(String... args) {
    return GemmaEmbed.newCommandLine(ENV, args).getSubcommands().keySet();
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    assertEquals(Set.of("embed"), subcommands("embed", "--model", "m", "hello"));
    assertEquals(Set.of("tokenize"), subcommands("tokenize", "hello"));
  }

  @Test
  void helpOptionsAndUnknownNamesGetEveryCommand() {
    Set<String> all = GemmaEmbed.newCommandLine(ENV).getSubcommands().keySet();
    assertTrue(all.containsAll(Set.of("embed", "similarity", "search", "tokenize", "serve", "help")), all.toString());
    assertEquals(all, subcommands());
    assertEquals(all, subcommands("help", "embed"));
    assertEquals(all, subcommands("--verbose", "embed"));
    assertEquals(all, subcommands("embd"));
  }

  @Test
  void theSingleSubcommandKeepsTheRootsHandlersAndInheritedOptions() {
    CommandLine cl = GemmaEmbed.newCommandLine(ENV, new String[] {"embed"});
    CommandLine embed = cl.getSubcommands().get("embed");
    assertEquals(cl.getExecutionExceptionHandler(), embed.getExecutionExceptionHandler());
    assertEquals(cl.getParameterExceptionHandler(), embed.getParameterExceptionHandler());
    assertTrue(embed.getCommandSpec().findOption("--verbose") != null, "--verbose is inherited");
    assertEquals(ExitCodes.USAGE, cl.execute("embed", "--no-such-option"));
  }
}
