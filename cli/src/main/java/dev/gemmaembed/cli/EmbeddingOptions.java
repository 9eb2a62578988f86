package dev.gemmaembed.cli;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --prompt}, {@code --prompt-text} and {@code --dims}: how texts are embedded. */
final class EmbeddingOptions {

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = "--prompt", paramLabel = "NAME", description = {
      "A prompt of the model: query, document, STS, Clustering, Classification, Retrieval, ... "
          + "or the model card's QuestionAnswering, FactVerification, CodeRetrieval."})
  String prompt;

  @Option(names = "--prompt-text", paramLabel = "TEXT", description = "A literal prefix instead of a named prompt.")
  String promptText;

  @Option(names = "--dims", paramLabel = "N",
      description = "Keep the first N dimensions and renormalise (Matryoshka: 512, 256, 128). Default: all.")
  Integer dims;

  /**
   * The options for {@code embedder}, with {@code defaultPrompt} (a prompt name, or null for
   * none) when neither --prompt nor --prompt-text is given. Checks the prompt name and --dims
   * against the model, so a typo is a usage error before any text is read.
   */
  EmbedOptions resolve(Embedder embedder, String defaultPrompt) {
    CommandLine cmd = mixee.commandLine();
    if (prompt != null && promptText != null) {
      throw new ParameterException(cmd, "--prompt and --prompt-text are mutually exclusive: give one");
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

  static void checkPrompt(CommandLine cmd, String option, String name, Embedder embedder) {
    try {
      embedder.prompts().get(name);
    } catch (InvalidInputException e) {
      throw new ParameterException(cmd, option + " " + name + ": unknown prompt; the model has: "
          + String.join(", ", embedder.prompts().all().keySet()));
    }
  }

  /** 0 (all) when {@code dims} is null; a usage error outside 1..model dimensions. */
  static int checkDims(CommandLine cmd, Integer dims, Embedder embedder) {
    if (dims == null) {
      return 0;
    }
    int full = embedder.dimensions();
    if (dims < 1 || dims > full) {
      throw new ParameterException(cmd, "--dims " + dims + ": this model has " + full
          + " dimensions; choose 1.." + full);
    }
    return dims;
  }
}
