package dev.gemmaembed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import dev.gemmaembed.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gemma-embed tokenize}: prints the token ids of each input text as one JSON line {@code
 * {"ids":[...]}}, in input order.
 */
@Command(
    name = "tokenize",
    description = {
      "Print the token ids of texts, one JSON line {\"ids\":[...]} per text, in input order.",
      "Texts come from the arguments, or from --input (a file or - for stdin). Input is read as"
          + " UTF-8; malformed bytes become U+FFFD.",
      "Tokenizer: --tokenizer FILE, else --model DIR (its tokenizer.json), else the directory in"
          + " $GEMMA_EMBED_MODEL, else the Gemma 3 tokenizer bundled with gemma-embed"
          + " (EmbeddingGemma's: <bos> ... <eos>)."
    })
final class TokenizeCommand implements Callable<Integer> {
  static final int EXIT_USAGE = 2;
  static final int EXIT_MODEL = 3;
  static final int EXIT_INPUT = 4;
  static final int EXIT_IO = 5;
  static final String ENV = "GEMMA_EMBED_MODEL";

  @Spec CommandSpec spec;

  /** The root command, whose {@link CliEnvironment} gives the variables and stdin; null standalone. */
  @ParentCommand GemmaEmbed parent;

  @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to tokenize (instead of --input).")
  List<String> texts;

  @Option(names = "--model", paramLabel = "PATH",
      description = "Hugging Face model directory whose tokenizer.json (and tokenizer_config.json) to use.")
  Path model;

  @Option(names = "--tokenizer", paramLabel = "FILE",
      description = "A tokenizer.json file (a tokenizer_config.json next to it is read too).")
  Path tokenizer;

  @Option(names = "--input", paramLabel = "FILE|-", description = "Read texts from FILE, or - for stdin.")
  String input;

  @Option(names = "--input-format", paramLabel = "txt|jsonl",
      description = "txt: one text per line; jsonl: one JSON object per line with a \"text\" field."
          + " Default: from the file extension (.jsonl/.ndjson = jsonl), txt for stdin.")
  String inputFormat;

  @Option(names = "--no-special", description = "Do not add <bos>/<eos>.")
  boolean noSpecial;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  private final Map<String, String> environment;
  private final InputStream stdin;

  TokenizeCommand() {
    this(null, null);
  }

  /** Standalone use (tests): a given environment and stdin instead of the root command's. */
  TokenizeCommand(Map<String, String> environment, InputStream stdin) {
    this.environment = environment;
    this.stdin = stdin;
  }

  private String variable(String name) {
    if (environment != null) return environment.get(name);
    if (parent != null) return parent.environment().variable(name);
    return System.getenv(name);
  }

  private InputStream stdin() {
    if (stdin != null) return stdin;
    if (parent != null) return parent.environment().stdin();
    return System.in;
  }

  /** A failure reported as one line with an exit code. */
  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    Failure(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      boolean hasTexts = texts != null && !texts.isEmpty();
      if (hasTexts && input != null) {
        throw new Failure(EXIT_USAGE, "give texts as arguments or with --input, not both");
      }
      if (!hasTexts && input == null) {
        throw new Failure(EXIT_USAGE, "no input: give TEXT arguments or --input FILE|- (see --help)");
      }
      if (model != null && tokenizer != null) {
        throw new Failure(EXIT_USAGE, "give --model or --tokenizer, not both");
      }
      String format = null;
      if (inputFormat != null) {
        format = inputFormat.toLowerCase(Locale.ROOT);
        if (!format.equals("txt") && !format.equals("jsonl")) {
          throw new Failure(EXIT_USAGE, "--input-format must be txt or jsonl, not '" + inputFormat + "'");
        }
      }
      GemmaTokenizer tok = loadTokenizer();
      boolean special = !noSpecial;
      StringBuilder line = new StringBuilder(256);
      if (hasTexts) {
        for (String t : texts) print(out, line, tok.encode(t, special));
      } else {
        if (format == null) format = formatFromName(input);
        if (input.equals("-")) {
          readTexts(new NonClosing(stdin()), "<stdin>", format, tok, special, out, line);
        } else {
          Path file = Path.of(input);
          if (Files.isDirectory(file)) throw new Failure(EXIT_INPUT, "--input " + input + ": is a directory");
          try (InputStream in = Files.newInputStream(file)) {
            readTexts(in, input, format, tok, special, out, line);
          } catch (NoSuchFileException e) {
            throw new Failure(EXIT_INPUT, "--input " + input + ": no such file");
          }
        }
      }
      out.flush();
      if (out.checkError()) throw new Failure(EXIT_IO, "writing the output failed");
      return 0;
    } catch (Failure f) {
      out.flush();
      return fail(f.code, f.getMessage());
    } catch (TokenizerException e) {
      out.flush();
      return fail(EXIT_MODEL, "invalid tokenizer: " + oneLine(e.getMessage()));
    } catch (IOException e) {
      out.flush();
      return fail(EXIT_IO, "I/O error: " + oneLine(String.valueOf(e.getMessage())));
    }
  }

  private int fail(int code, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("gemma-embed tokenize: " + message);
    err.flush();
    return code;
  }

  private static String oneLine(String s) {
    return s.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  static String formatFromName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) return "jsonl";
    return "txt";
  }

  private GemmaTokenizer loadTokenizer() {
    if (tokenizer != null) {
      if (!Files.isRegularFile(tokenizer)) {
        throw new Failure(EXIT_MODEL, "--tokenizer " + tokenizer + ": no such file");
      }
      return GemmaTokenizer.fromFile(tokenizer);
    }
    Path dir = model;
    String source = "--model " + model;
    if (dir == null) {
      String env = variable(ENV);
      if (env != null && !env.isBlank()) {
        dir = Path.of(env);
        source = ENV + "=" + env;
      }
    }
    if (dir == null) return GemmaTokenizer.bundledGemma3();
    if (Files.isDirectory(dir)) {
      if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
        throw new Failure(EXIT_MODEL, source + ": no tokenizer.json in this directory");
      }
      return GemmaTokenizer.fromDirectory(dir);
    }
    if (Files.isRegularFile(dir)) {
      String name = dir.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".json") || name.endsWith(".json.gz")) return GemmaTokenizer.fromFile(dir);
      throw new Failure(EXIT_MODEL, source + ": not a model directory; tokenize reads tokenizer.json"
          + " (for a .gguf model give --tokenizer FILE, or leave both out for the bundled Gemma 3 tokenizer)");
    }
    throw new Failure(EXIT_MODEL, source + ": no such model directory or file");
  }

  private static void print(PrintWriter out, StringBuilder line, int[] ids) {
    line.setLength(0);
    line.append("{\"ids\":[");
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) line.append(',');
      line.append(ids[i]);
    }
    line.append("]}");
    out.println(line);
  }

  /** Streams the input line by line (lines end at \n; a \r before it is dropped). */
  private static void readTexts(InputStream in, String name, String format, GemmaTokenizer tok,
      boolean special, PrintWriter out, StringBuilder line) throws IOException {
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    boolean jsonl = format.equals("jsonl");
    ObjectMapper json = jsonl ? new ObjectMapper() : null;
    try (Reader r = new InputStreamReader(in, decoder)) {
      char[] buf = new char[1 << 16];
      StringBuilder cur = new StringBuilder();
      long lineNo = 0;
      boolean pending = false; // characters since the last \n
      int n;
      while ((n = r.read(buf)) > 0) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            cur.append(buf, from, i - from);
            from = i + 1;
            handle(cur, ++lineNo, name, jsonl, json, tok, special, out, line);
            cur.setLength(0);
            pending = false;
          }
        }
        if (from < n) {
          cur.append(buf, from, n - from);
          pending = true;
        }
      }
      if (pending) handle(cur, ++lineNo, name, jsonl, json, tok, special, out, line);
    }
  }

  private static void handle(StringBuilder cur, long lineNo, String name, boolean jsonl, ObjectMapper json,
      GemmaTokenizer tok, boolean special, PrintWriter out, StringBuilder line) {
    int len = cur.length();
    if (len > 0 && cur.charAt(len - 1) == '\r') cur.setLength(len - 1);
    String text = cur.toString();
    if (jsonl) {
      if (text.isBlank()) return;
      JsonNode node;
      try {
        node = json.readTree(text);
      } catch (JsonProcessingException e) {
        throw new Failure(EXIT_INPUT, name + ":" + lineNo + ": malformed JSON: " + oneLine(e.getOriginalMessage()));
      }
      JsonNode t = node == null ? null : node.get("text");
      if (t == null || !t.isTextual()) {
        throw new Failure(EXIT_INPUT, name + ":" + lineNo + ": expected an object with a string field \"text\"");
      }
      text = t.asText();
    }
    print(out, line, tok.encode(text, special));
  }

  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
