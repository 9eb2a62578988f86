package dev.gemmaembed.cli;

import dev.gemmaembed.tools.CheckpointInspector;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gemma-embed inspect}: metadata and tensor table of a GGUF or safetensors checkpoint. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Print a checkpoint's metadata and tensor table (name, type, shape, bytes).",
      "FILE is a .gguf, a .safetensors, or a model directory (its model.safetensors).",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed inspect models/full-q4_0.gguf",
      "  gemma-embed inspect models/tiny"
    })
final class InspectCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "GGUF file, safetensors file or model directory.")
  Path file;

  @Override
  public Integer call() {
    CheckpointInspector.inspect(file, spec.commandLine().getOut());
    return 0;
  }
}
