package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gemma-embed embed}: texts in, one JSON line per embedding out. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = "Embed texts and print one JSON line {\"index\": i, \"embedding\": [...]} per text.",
    footer = {"", "Examples:", "  gemma-embed embed --model models/tiny \"Hello world\"",
        "  gemma-embed embed --model DIR --prompt query --dims 256 \"Which planet is red?\""})
final class EmbedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to embed.")
  List<String> texts;

  @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout).")
  Path model;

  @Option(names = "--prompt", description = "Prompt name of the model (query, document, STS, Clustering, ...).")
  String prompt;

  @Option(names = "--prompt-text", description = "A literal prompt prefix.")
  String promptText;

  @Option(names = "--dims", defaultValue = "0", description = "Matryoshka dimensions to keep (renormalised); 0 = all.")
  int dims;

  @Option(names = "--threads", description = "Compute threads (default: available processors).")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    LoadOptions load = LoadOptions.defaults();
    if (threads != null) {
      load = load.withThreads(threads);
    }
    EmbedOptions options = new EmbedOptions(prompt, promptText, null, dims);
    PrintWriter out = spec.commandLine().getOut();
    try (Embedder embedder = Embedder.load(model, load)) {
      List<float[]> vectors = embedder.embedAll(texts, options);
      JsonFactory json = new JsonFactory();
      for (int i = 0; i < vectors.size(); i++) {
        var sw = new java.io.StringWriter();
        try (JsonGenerator g = json.createGenerator(sw)) {
          g.writeStartObject();
          g.writeNumberField("index", i);
          g.writeArrayFieldStart("embedding");
          for (float v : vectors.get(i)) {
            g.writeNumber(v);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        out.println(sw);
      }
    }
    out.flush();
    return 0;
  }
}
