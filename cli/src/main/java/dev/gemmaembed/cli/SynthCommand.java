package dev.gemmaembed.cli;

import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gemma-embed synth}: writes a synthetic checkpoint (random weights, real layout). */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Write a synthetic EmbeddingGemma checkpoint: the real Hugging Face layout and tokenizer",
      "with reproducible random weights (shared/spec/synthetic-checkpoint.md).",
    },
    footer = {"", "Examples:", "  gemma-embed synth --preset tiny --out models/tiny",
        "  gemma-embed synth --preset full --seed 300 --out models/full   (~1.2 GB)"})
final class SynthCommand implements Callable<Integer> {

  @Option(names = "--preset", defaultValue = "tiny", description = "tiny (hidden 64, 6 layers) or full (the real shapes).")
  String preset;

  @Option(names = "--seed", description = "Weight seed (default: 1234 for tiny, 300 for full).")
  Long seed;

  @Option(names = "--out", required = true, description = "Directory to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    long s = seed != null ? seed : preset.equalsIgnoreCase("full") ? 300 : 1234;
    SyntheticSpec spec = SyntheticSpec.preset(preset, s);
    SyntheticCheckpointWriter.write(spec, out);
    System.err.println("wrote " + spec.name() + " (seed " + s + ") to " + out);
    return 0;
  }
}
