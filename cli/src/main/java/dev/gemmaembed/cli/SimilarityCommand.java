package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code gemma-embed similarity}: the cosine similarity matrix of a few texts. */
@Command(
    name = "similarity",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Print the cosine similarity of every pair of texts.",
      "",
      "The texts are embedded with the model's STS prompt (task: sentence similarity | query: ), as "
          + "the model card prescribes for similarity; choose another with --prompt or --prompt-text "
          + "(--prompt-text \"\" for none).",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed similarity \"The cat sat on the mat\" \"A cat is sitting on a mat\" \"Stock prices fell\"",
      "  gemma-embed similarity --format json --dims 256 \"first\" \"second\""
    })
final class SimilarityCommand implements Callable<Integer> {

  enum Format {
    table,
    json
  }

  static final String DEFAULT_PROMPT = "STS";

  @ParentCommand GemmaEmbed root;

  @Parameters(arity = "2..*", paramLabel = "TEXT", description = "Two or more texts.")
  List<String> texts;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "table|json",
      defaultValue = "table",
      description = "table (default) or json: {\"matrix\": [[...], ...]}.")
  Format format;

  @Mixin EmbeddingOptions embedding;

  @Mixin ModelOptions modelOptions;

  @Override
  public Integer call() throws IOException {
    CliEnvironment env = root.environment();
    float[][] matrix;
    // its texts are always on the command line
    try (Embedder embedder = modelOptions.loadForShortJob(env)) {
      EmbedOptions options = embedding.resolve(embedder, DEFAULT_PROMPT);
      List<float[]> vectors = embedder.embedAll(texts, options);
      int n = vectors.size();
      matrix = new float[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          matrix[i][j] = Texts.cosine(vectors.get(i), vectors.get(j));
        }
      }
    }
    Writer out = Texts.utf8(env.stdout());
    if (format == Format.json) {
      try (JsonGenerator json =
          new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
        json.writeStartObject();
        json.writeFieldName("matrix");
        json.writeStartArray();
        for (float[] row : matrix) {
          json.writeStartArray();
          for (float v : row) {
            json.writeNumber(v);
          }
          json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      out.write("\n");
    } else {
      writeTable(out, matrix);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private void writeTable(Writer out, float[][] matrix) throws IOException {
    int n = matrix.length;
    int label = String.valueOf(n).length();
    StringBuilder b = new StringBuilder(" ".repeat(label));
    for (int j = 0; j < n; j++) {
      b.append(String.format(Locale.ROOT, "  %7d", j + 1));
    }
    b.append('\n');
    for (int i = 0; i < n; i++) {
      b.append(String.format(Locale.ROOT, "%" + label + "d", i + 1));
      for (int j = 0; j < n; j++) {
        b.append(String.format(Locale.ROOT, "  %7.4f", matrix[i][j]));
      }
      b.append('\n');
    }
    b.append('\n');
    for (int i = 0; i < n; i++) {
      b.append(
          String.format(
              Locale.ROOT, "%" + label + "d  %s\n", i + 1, Texts.snippet(texts.get(i), 100)));
    }
    out.write(b.toString());
  }
}
