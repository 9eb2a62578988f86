package dev.gemmaembed.cli;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code TEXT...} or {@code --input FILE|-} with {@code --input-format}: where a command's texts
 * come from.
 */
final class TextInputs {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts (or use --input).")
  List<String> texts;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "Read texts from FILE (.txt, .jsonl or .json), or from stdin with '-'.")
  String input;

  @Option(
      names = "--input-format",
      paramLabel = "txt|jsonl|json",
      description = "Input format (default: from the file extension; txt for stdin).")
  InputFormat inputFormat;

  /**
   * A usage error unless exactly one of TEXT arguments and --input is given; {@code verb} says what
   * the texts are for.
   */
  void check(String verb) {
    boolean hasTexts = texts != null && !texts.isEmpty();
    if (hasTexts == (input != null)) {
      throw new ParameterException(
          mixee.commandLine(),
          hasTexts
              ? "give texts as arguments or --input, not both"
              : "nothing to "
                  + verb
                  + ": give texts as arguments, or --input FILE ('-' for stdin)");
    }
  }

  /** Whether the texts are the command's arguments (after {@link #check}): a short job. */
  boolean onCommandLine() {
    return input == null;
  }

  /** Opens the texts (after {@link #check}). */
  Inputs.Opened open(CliEnvironment env, Consumer<String> warn) throws IOException {
    return input == null
        ? new Inputs.Opened(new ListSource(texts), null, -1)
        : Inputs.open(input, inputFormat, env, warn);
  }
}
