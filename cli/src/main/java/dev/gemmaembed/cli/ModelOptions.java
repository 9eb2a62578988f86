package dev.gemmaembed.cli;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.GemmaEmbedException;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.tokenizer.TokenizerException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --model}, {@code --threads} and {@code --quantize}, shared by every command that loads a
 * model.
 */
final class ModelOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--model",
      paramLabel = "PATH",
      description = {
        "A Hugging Face embeddinggemma-300m folder, or a GGUF file.",
        "Default: $GEMMA_EMBED_MODEL, then google/embeddinggemma-300m in the Hugging Face cache "
            + "(see 'gemma-embed pull')."
      })
  Path model;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Compute threads (default: all processors).")
  Integer threads;

  @Option(
      names = "--quantize",
      paramLabel = "q8_0|q4_0",
      description = {
        "Quantize a float model's matrices (token table and Dense included) in memory at load time, "
            + "as 'gemma-embed quantize --type q8_0|q4_0' would store them. Default: compute with the weights as stored."
      })
  String quantize;

  /** Finds and loads the model; the caller closes it. */
  Embedder load(CliEnvironment env) {
    return load(env, LoadOptions.DEFAULT_MAX_BATCH_TOKENS, false);
  }

  /**
   * As {@link #load(CliEnvironment)}, with forward passes of up to {@code maxBatchTokens} tokens.
   */
  Embedder load(CliEnvironment env, int maxBatchTokens) {
    return load(env, maxBatchTokens, false);
  }

  /**
   * As {@link #load(CliEnvironment)} for a short job, one whose texts are on the command line (the
   * launcher gives it its quick JVM options too): typically a single forward pass, for which
   * packing a float model's weights ({@link LoadOptions#packWeights}, the same vectors) and
   * compacting the heap after the load cost more than they save.
   */
  Embedder loadForShortJob(CliEnvironment env) {
    return load(env, LoadOptions.DEFAULT_MAX_BATCH_TOKENS, true);
  }

  private Embedder load(CliEnvironment env, int maxBatchTokens, boolean shortJob) {
    LoadOptions options =
        LoadOptions.defaults().withMaxBatchTokens(maxBatchTokens).withPackWeights(!shortJob);
    if (threads != null) {
      if (threads < 1) {
        throw new ParameterException(
            mixee.commandLine(), "--threads must be at least 1, got " + threads);
      }
      options = options.withThreads(threads);
    }
    if (quantize != null) {
      WeightType type = WeightType.named(quantize).orElse(null);
      if (type == null || !type.quantizable()) {
        throw new ParameterException(
            mixee.commandLine(),
            "--quantize must be one of "
                + WeightType.quantizableNames().toLowerCase(java.util.Locale.ROOT)
                + ", got "
                + quantize);
      }
      options = options.withQuantize(type);
    }
    Path path = ModelLocator.resolve(model, env);
    try {
      Embedder embedder = Embedder.load(path, options);
      // Loading leaves garbage that young collections have already promoted (a GGUF vocabulary's
      // 262k decoded strings, the tokenizer's build tables): one full collection now gives the
      // heap back down to the model's live size before a long job, instead of carrying it.
      if (!shortJob) {
        System.gc();
      }
      return embedder;
    } catch (InvalidInputException e) {
      throw e;
    } catch (GemmaEmbedException | TokenizerException e) {
      throw new CliException(
          ExitCodes.MODEL, "cannot load the model at " + path + ": " + e.getMessage(), e);
    }
  }
}
