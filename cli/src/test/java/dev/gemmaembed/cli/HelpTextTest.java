package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The help a newcomer reads first: whole summaries, no hard line breaks, the defaults said. */
class HelpTextTest {

  @Test
  void everyCommandSummaryIsAWholeSentence() {
    var r = CliHarness.exec("--help");
    assertEquals(0, r.exit(), r.toString());
    List<String> lines = r.out().lines().toList();
    int start = lines.indexOf("Commands:") + 1;
    List<String> summaries = new ArrayList<>();
    for (String line : lines.subList(start, lines.size())) {
      if (line.isBlank()) {
        break;
      }
      if (line.startsWith("   ") && !summaries.isEmpty()) {
        summaries.set(summaries.size() - 1, summaries.getLast() + " " + line.strip());
      } else {
        summaries.add(line.strip());
      }
    }
    assertTrue(summaries.size() >= 10, r.out());
    for (String s : summaries) {
      assertTrue(s.endsWith("."), "cut summary: " + s);
    }
  }

  @Test
  void descriptionsAreParagraphsThatPicocliWraps() {
    CommandLine root =
        GemmaEmbed.newCommandLine(
            new CliEnvironment(
                java.util.Map.of(),
                System.in,
                System.out,
                System.err,
                false,
                0,
                java.nio.file.Path.of("target", "test-home")));
    for (var sub : root.getSubcommands().entrySet()) {
      if (sub.getKey().equals("help")) {
        continue; // picocli's own
      }
      for (String paragraph : sub.getValue().getCommandSpec().usageMessage().description()) {
        // A hard-broken paragraph has elements that end mid-sentence.
        assertTrue(
            paragraph.isEmpty() || paragraph.endsWith(".") || paragraph.endsWith(":"),
            sub.getKey() + ": description element ends mid-sentence: " + paragraph);
      }
    }
  }

  @Test
  void everyHelpIsFormattedWithoutAPicocliWarning() {
    // picocli warns on System.err, outside the command line's streams, when a description is not a
    // valid format string (a lone '%'), and then prints it unformatted
    PrintStream saved = System.err;
    var warnings = new ByteArrayOutputStream();
    List<String> commands = new ArrayList<>();
    System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
    try {
      for (String sub : GemmaEmbed.newCommandLine().getSubcommands().keySet()) {
        commands.add(sub);
        var r = CliHarness.exec(sub, "--help");
        assertEquals(0, r.exit(), sub + ": " + r);
      }
    } finally {
      System.setErr(saved);
    }
    assertTrue(commands.size() >= 10, commands.toString());
    assertEquals("", warnings.toString(StandardCharsets.UTF_8));
  }

  @Test
  void embedSaysTheDefaultIsNoPromptAndSynthPointsAtNothingMissing() {
    String embed = CliHarness.exec("embed", "--help").out();
    assertTrue(embed.contains("Prompt: none by default"), embed);
    String synth = CliHarness.exec("synth", "--help").out();
    assertFalse(synth.contains("shared/spec"), synth);
  }
}
