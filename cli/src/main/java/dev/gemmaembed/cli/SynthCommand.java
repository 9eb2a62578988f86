package dev.gemmaembed.cli;

import dev.gemmaembed.tools.AtomicFiles;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code gemma-embed synth}: writes a synthetic checkpoint (random weights, real layout). */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write a synthetic EmbeddingGemma checkpoint to try every command without the real model.",
      "",
      "It has the real Hugging Face layout and tokenizer and reproducible random weights: each "
          + "element is a function of the seed, the tensor's name and its index (see the class "
          + "SyntheticRecipe in weights-tools), so vectors computed elsewhere from the same recipe "
          + "check the whole pipeline. The scores it gives mean nothing; everything else behaves as "
          + "with the real model.",
    },
    footer = {"", "Examples:", "  gemma-embed synth --preset tiny --out models/tiny",
        "  gemma-embed synth --preset full --seed 300 --out models/full   (~1.2 GB)"})
final class SynthCommand implements Callable<Integer> {

  /** The recipe's variants. */
  enum Preset { tiny, full }

  @ParentCommand GemmaEmbed root;

  @Option(names = "--preset", paramLabel = "tiny|full", defaultValue = "tiny",
      description = "tiny (hidden 64, 6 layers; the default) or full (the real shapes).")
  Preset preset;

  @Option(names = "--seed", paramLabel = "S", description = "Weight seed (default: 1234 for tiny, 300 for full).")
  Long seed;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write.")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw CliException.input("--out " + out + ": exists and is not a directory");
    }
    AtomicFiles.check(out.resolve("model.safetensors"));
    long s = seed != null ? seed : preset == Preset.full ? 300 : 1234;
    SyntheticSpec spec = SyntheticSpec.preset(preset.name(), s);
    SyntheticCheckpointWriter.write(spec, out);
    root.environment().stderr().println("wrote " + spec.name() + " (seed " + s + ") to " + out);
    return ExitCodes.OK;
  }
}
