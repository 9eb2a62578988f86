package dev.gemmaembed.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Opens {@code --input FILE|-} as a stream of texts, decoding UTF-8 with U+FFFD for malformed
 * bytes.
 */
final class Inputs {

  static final String STDIN = "-";

  private Inputs() {}

  /**
   * An opened input.
   *
   * @param source the texts
   * @param format how it is read; null for texts from the command line
   * @param sizeBytes the file's size, for progress; -1 when unknown (stdin, a pipe)
   */
  record Opened(TextSource source, InputFormat format, long sizeBytes) {}

  static Opened open(String input, InputFormat format, CliEnvironment env, Consumer<String> warn)
      throws IOException {
    InputFormat fmt =
        format != null
            ? format
            : STDIN.equals(input) ? InputFormat.txt : InputFormat.fromName(input);
    if (STDIN.equals(input)) {
      return new Opened(source(env.stdin(), null, "<stdin>", fmt, warn), fmt, -1);
    }
    Path file = Path.of(input);
    if (Files.isDirectory(file)) {
      throw CliException.input(
          "--input " + input + ": is a directory; give a .txt, .jsonl or .json file");
    }
    if (!Files.exists(file)) {
      throw CliException.input("--input " + input + ": no such file");
    }
    // A pipe such as bash's <(zcat texts.gz) is read like a file, without a size to show progress.
    long size = Files.isRegularFile(file) ? Files.size(file) : -1;
    CountingInputStream counter = new CountingInputStream(Files.newInputStream(file));
    return new Opened(source(counter, counter, input, fmt, warn), fmt, size);
  }

  private static TextSource source(
      InputStream in,
      CountingInputStream counter,
      String name,
      InputFormat fmt,
      Consumer<String> warn)
      throws IOException {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    var reader = new InputStreamReader(in, decoder);
    return switch (fmt) {
      case txt ->
          new TxtSource(new LineReader(reader, TxtSource.MAX_LINE_CHARS), counter, name, warn);
      case jsonl ->
          new JsonlSource(new LineReader(reader, JsonlSource.MAX_LINE_CHARS), counter, name);
      case json -> new JsonArraySource(reader, counter, name);
    };
  }
}
