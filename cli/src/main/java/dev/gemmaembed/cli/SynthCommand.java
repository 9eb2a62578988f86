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
      "",
      "A preset gives every shape; each shape flag overrides the preset's value.",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed synth --preset tiny --out models/tiny",
      "  gemma-embed synth --preset kquant --out models/kquant   (widths of 256)",
      "  gemma-embed synth --preset full --seed 300 --out models/full   (~1.2 GB)",
      "  gemma-embed synth --hidden 128 --layers 2 --dtype bf16 --out models/small",
      "  gemma-embed synth --arch embeddinggemma2 --preset tiny --out models/eg2-tiny",
      "  gemma-embed synth --arch embeddinggemma2 --preset full --dtype bf16 --out models/eg2-full   (~0.5 GB)"
    })
final class SynthCommand implements Callable<Integer> {

  /** The recipe's variants. */
  enum Preset {
    tiny,
    full,
    kquant
  }

  /** Storage types of the safetensors files. */
  enum Dtype {
    f32,
    bf16,
    f16
  }

  /** The architectures it writes. */
  enum Arch {
    embeddinggemma,
    embeddinggemma2
  }

  @ParentCommand GemmaEmbed root;

  @Option(
      names = "--preset",
      paramLabel = "tiny|full|kquant",
      defaultValue = "tiny",
      description =
          "tiny (hidden 64, 6 layers; the default), full (the real shapes) or kquant (hidden 256, "
              + "6 layers, 2/1 heads of 128, intermediate 512, Dense 1024, window 16, seed 777).")
  Preset preset;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description =
          "Weight seed (default: 1234 tiny, 300 full, 777 kquant; embeddinggemma2: 2026 tiny, 270 full).")
  Long seed;

  @Option(
      names = "--arch",
      paramLabel = "ARCH",
      defaultValue = "embeddinggemma",
      description =
          "embeddinggemma (the default) or embeddinggemma2 (shared/tools/eg2/make_synthetic_eg2.py's checkpoints).")
  Arch arch;

  @Option(names = "--hidden", paramLabel = "N", description = "Hidden size.")
  Integer hidden;

  @Option(
      names = "--layers",
      paramLabel = "N",
      description = "Decoder layers (every 6th is full attention).")
  Integer layers;

  @Option(names = "--heads", paramLabel = "N", description = "Query heads.")
  Integer heads;

  @Option(
      names = "--kv-heads",
      paramLabel = "N",
      description = "Key/value heads (must divide --heads).")
  Integer kvHeads;

  @Option(names = "--head-dim", paramLabel = "N", description = "Head dimension (even).")
  Integer headDim;

  @Option(names = "--intermediate", paramLabel = "N", description = "Feed-forward width.")
  Integer intermediate;

  @Option(
      names = "--dense-dim",
      paramLabel = "N",
      description = "Width between the two Dense layers.")
  Integer denseDim;

  @Option(
      names = "--sliding-window",
      paramLabel = "N",
      description = "Sliding window (config.json's value).")
  Integer slidingWindow;

  @Option(
      names = "--dtype",
      paramLabel = "f32|bf16|f16",
      defaultValue = "f32",
      description = "Storage type of the weights (default f32).")
  Dtype dtype;

  @ArgGroup(
      exclusive = false,
      heading = "%nEmbeddingGemma 2 shape flags (named after config.json keys):%n")
  Eg2SynthOptions eg2 = new Eg2SynthOptions();

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write.")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw CliException.input("--out " + out + ": exists and is not a directory");
    }
    AtomicFiles.check(out.resolve("model.safetensors"));
    SafetensorsWriter.Dtype storage =
        SafetensorsWriter.Dtype.valueOf(dtype.name().toUpperCase(java.util.Locale.ROOT));
    if (arch == Arch.embeddinggemma2) {
      if (preset == Preset.kquant || denseDim != null) {
        throw CliException.input(
            "--preset kquant and --dense-dim apply to --arch embeddinggemma only");
      }
      Eg2SyntheticSpec spec = eg2.apply(Eg2SyntheticSpec.preset(preset.name(), seed), this);
      Eg2SyntheticWriter.write(spec, storage, out);
      root.environment()
          .stderr()
          .println("wrote " + spec.name() + " (seed " + spec.seed() + ", " + dtype + ") to " + out);
      return ExitCodes.OK;
    }
    if (eg2.any()) {
      throw CliException.input(
          "the EmbeddingGemma 2 shape flags apply to --arch embeddinggemma2 only");
    }
    SyntheticSpec spec;
    try {
      spec = spec();
    } catch (IllegalArgumentException e) {
      throw CliException.input(e.getMessage());
    }
    SyntheticCheckpointWriter.write(spec, out);
    root.environment()
        .stderr()
        .println("wrote " + spec.name() + " (seed " + spec.seed() + ", " + dtype + ") to " + out);
    return ExitCodes.OK;
  }

  /** The preset with every given flag applied. */
  SyntheticSpec spec() {
    SyntheticSpec p =
        SyntheticSpec.preset(
            preset.name(), seed != null ? seed : SyntheticSpec.defaultSeed(preset.name()));
    boolean custom =
        hidden != null
            || layers != null
            || heads != null
            || kvHeads != null
            || headDim != null
            || intermediate != null
            || denseDim != null
            || slidingWindow != null;
    return new SyntheticSpec(
        custom ? p.name() + "-custom" : p.name(),
        or(hidden, p.hidden()),
        or(layers, p.layers()),
        or(heads, p.heads()),
        or(kvHeads, p.kvHeads()),
        or(headDim, p.headDim()),
        or(intermediate, p.intermediate()),
        or(denseDim, p.denseDim()),
        or(slidingWindow, p.slidingWindow()),
        p.seed(),
        p.vocab(),
        p.maxPositions(),
        p.embedStd(),
        p.normStd(),
        SafetensorsWriter.Dtype.valueOf(dtype.name().toUpperCase(java.util.Locale.ROOT)));
  }

  private static int or(Integer flag, int preset) {
    return flag != null ? flag : preset;
  }
}
