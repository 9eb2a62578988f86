package dev.gemmaembed.cli;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gemma-embed tokenize}: prints the token ids of each input text as one JSON line {@code
 * {"ids":[...]}}, in input order.
 */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Print the token ids of texts, one JSON line {\"ids\":[...]} per text, in input order.",
      "Texts come from the arguments, or from --input (a .txt file has one text per line, a .jsonl file one "
          + "object with \"text\" per line; - reads stdin). Input is UTF-8; malformed bytes become U+FFFD.",
      "Tokenizer: --tokenizer FILE, else the model's (--model, else $"
          + ModelLocator.ENV
          + ", else "
          + HfCache.DEFAULT_REPO
          + " in the Hugging Face cache), else the Gemma 3 tokenizer bundled with "
          + "gemma-embed (EmbeddingGemma's: <bos> ... <eos>). No prompt is added.",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed tokenize \"Hello, world!\"",
      "  gemma-embed tokenize --no-special --model model-q8_0.gguf \"Hello\"",
      "  gemma-embed tokenize --input docs.jsonl > ids.jsonl",
      "  cat texts.txt | gemma-embed tokenize --input - --tokenizer tokenizer.json"
    })
final class TokenizeCommand implements Callable<Integer> {

  @ParentCommand GemmaEmbed root;

  @Spec CommandSpec spec;

  @Mixin TextInputs inputs;

  @Option(
      names = "--model",
      paramLabel = "PATH",
      description = "A Hugging Face model folder or a GGUF file whose tokenizer to use.")
  Path model;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "A tokenizer.json file (a tokenizer_config.json next to it is read too).")
  Path tokenizer;

  @Option(names = "--no-special", description = "Do not add <bos>/<eos>.")
  boolean noSpecial;

  @Override
  public Integer call() throws IOException {
    CliEnvironment env = root.environment();
    inputs.check("tokenize");
    if (model != null && tokenizer != null) {
      throw new ParameterException(spec.commandLine(), "give --model or --tokenizer, not both");
    }
    StartupTrace.mark("parsed");
    GemmaTokenizer tok = tokenizer(env);
    StartupTrace.mark("tokenizer");
    Writer out = Texts.utf8(env.stdout());
    try (TextSource source = inputs.open(env, this::warn).source()) {
      StringBuilder line = new StringBuilder(256);
      for (InputRecord record = source.next(); record != null; record = source.next()) {
        ids(line, tok.encode(record.text(), !noSpecial));
        out.write(line.append('\n').toString());
      }
    } finally {
      out.flush(); // the lines before a bad one are printed too
    }
    return ExitCodes.OK;
  }

  private GemmaTokenizer tokenizer(CliEnvironment env) {
    if (tokenizer != null) {
      if (!Files.isRegularFile(tokenizer)) {
        throw CliException.model("--tokenizer " + tokenizer + ": no such file");
      }
      return GemmaTokenizer.fromFile(tokenizer);
    }
    return ModelLocator.find(model, env)
        .map(Embedder::loadTokenizer)
        .orElseGet(GemmaTokenizer::bundledGemma3);
  }

  private static void ids(StringBuilder line, int[] ids) {
    line.setLength(0);
    line.append("{\"ids\":[");
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) {
        line.append(',');
      }
      line.append(ids[i]);
    }
    line.append("]}");
  }

  private void warn(String message) {
    root.environment().stderr().println("gemma-embed tokenize: warning: " + message);
  }
}
