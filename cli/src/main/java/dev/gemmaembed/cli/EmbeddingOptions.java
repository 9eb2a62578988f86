package dev.gemmaembed.cli;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --prompt}, {@code --prompt-text} and {@code --dims}: how texts are embedded. */
final class EmbeddingOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--prompt",
      paramLabel = "NAME",
      description = {
        "A prompt of the model: query, document, STS, Clustering, Classification, Retrieval, ... "
            + "or the model card's QuestionAnswering, FactVerification, CodeRetrieval."
      })
  String prompt;

  @Option(
      names = "--prompt-text",
      paramLabel = "TEXT",
      description = "A literal prefix instead of a named prompt.")
  String promptText;

  @Option(
      names = "--dims",
      paramLabel = "N",
      description =
          "Keep the first N dimensions and renormalise (Matryoshka: 512, 256, 128). Default (or 0): all.")
  Integer dims;

  /**
   * The options for {@code embedder}, with {@code defaultPrompt} (a prompt name, or null for none)
   * when neither --prompt nor --prompt-text is given. Checks the prompt name and --dims against the
   * model, so a typo is a usage error before any text is read.
   */
  EmbedOptions resolve(Embedder embedder, String defaultPrompt) {
    CommandLine cmd = mixee.commandLine();
    if (prompt != null && promptText != null) {
      throw new ParameterException(
          cmd, "--prompt and --prompt-text are mutually exclusive: give one");
    }
    int keep = checkDims(cmd, dims, embedder);
    if (promptText != null) {
      return EmbedOptions.promptText(promptText).withDimensions(keep);
    }
    String name = prompt != null ? prompt : defaultPrompt;
    if (name == null) {
      return EmbedOptions.DEFAULT.withDimensions(keep);
    }
    checkPrompt(cmd, "--prompt", name, embedder);
    return EmbedOptions.prompt(name).withDimensions(keep);
  }

  /** A usage error naming {@code option} when the model has no prompt {@code name}. */
  static void checkPrompt(CommandLine cmd, String option, String name, Embedder embedder) {
    check(cmd, option, () -> EmbedOptions.prompt(name), embedder);
  }

  /** 0 (all) when {@code dims} is null; a usage error when the model cannot give {@code dims}. */
  static int checkDims(CommandLine cmd, Integer dims, Embedder embedder) {
    if (dims == null) {
      return 0;
    }
    check(cmd, "--dims", () -> EmbedOptions.DEFAULT.withDimensions(dims), embedder);
    return dims;
  }

  /**
   * Maps the model's refusal of {@code options} (built here: the record checks its own fields) to a
   * usage error.
   */
  private static void check(
      CommandLine cmd, String option, Supplier<EmbedOptions> options, Embedder embedder) {
    try {
      embedder.validate(options.get());
    } catch (InvalidInputException e) {
      throw new ParameterException(cmd, option + ": " + e.getMessage());
    }
  }
}
