package dev.gemmaembed.cli;

import dev.gemmaembed.tools.AtomicFiles;
import dev.gemmaembed.tools.Eg2SyntheticSpec;
import dev.gemmaembed.tools.Eg2SyntheticWriter;
import dev.gemmaembed.tools.SafetensorsWriter;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
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
        "  gemma-embed synth --preset full --seed 300 --out models/full   (~1.2 GB)",
        "  gemma-embed synth --arch embeddinggemma2 --preset tiny --out models/eg2-tiny",
        "  gemma-embed synth --arch embeddinggemma2 --preset full --dtype bf16 --out models/eg2-full   (~0.5 GB)"})
final class SynthCommand implements Callable<Integer> {

  /** The recipe's variants. */
  enum Preset { tiny, full }

  /** The architectures it writes. */
  enum Arch { embeddinggemma, embeddinggemma2 }

  /** Element types of model.safetensors. */
  enum Dtype { f32, bf16 }

  @ParentCommand GemmaEmbed root;

  @Option(names = "--preset", paramLabel = "tiny|full", defaultValue = "tiny",
      description = "tiny (hidden 64, 6 layers; the default) or full (the real shapes).")
  Preset preset;

  @Option(names = "--seed", paramLabel = "S",
      description = "Weight seed (default: 1234 for tiny, 300 for full; embeddinggemma2: 2026 and 270).")
  Long seed;

  @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "embeddinggemma",
      description = "embeddinggemma (the default) or embeddinggemma2 (shared/tools/eg2/make_synthetic_eg2.py's checkpoints).")
  Arch arch;

  @Option(names = "--dtype", paramLabel = "f32|bf16", defaultValue = "f32",
      description = "Weight type of model.safetensors (embeddinggemma2 only): f32 (the default) or bf16.")
  Dtype dtype;

  @ArgGroup(exclusive = false, heading = "%nEmbeddingGemma 2 shape flags (named after config.json keys):%n")
  Eg2SynthOptions eg2 = new Eg2SynthOptions();

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write.")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw CliException.input("--out " + out + ": exists and is not a directory");
    }
    AtomicFiles.check(out.resolve("model.safetensors"));
    if (arch == Arch.embeddinggemma2) {
      Eg2SyntheticSpec spec = eg2.apply(Eg2SyntheticSpec.preset(preset.name(), seed));
      Eg2SyntheticWriter.write(spec, dtype == Dtype.bf16 ? SafetensorsWriter.Dtype.BF16 : SafetensorsWriter.Dtype.F32, out);
      root.environment().stderr().println("wrote " + spec.name() + " (seed " + spec.seed() + ", " + dtype + ") to " + out);
      return ExitCodes.OK;
    }
    if (dtype != Dtype.f32 || eg2.any()) {
      throw CliException.input("--dtype and the shape flags apply to --arch embeddinggemma2 only");
    }
    long s = seed != null ? seed : preset == Preset.full ? 300 : 1234;
    SyntheticSpec spec = SyntheticSpec.preset(preset.name(), s);
    SyntheticCheckpointWriter.write(spec, out);
    root.environment().stderr().println("wrote " + spec.name() + " (seed " + s + ") to " + out);
    return ExitCodes.OK;
  }
}
