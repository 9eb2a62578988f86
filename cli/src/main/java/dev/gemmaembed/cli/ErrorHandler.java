package dev.gemmaembed.cli;

import dev.gemmaembed.core.GemmaEmbedException;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.TerminalText;
import dev.gemmaembed.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one line on stderr, {@code gemma-embed <command>: <what went wrong>},
 * and a distinct exit code ({@link ExitCodes}); the stack trace follows only with --verbose.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

  static final String VERBOSE = "--verbose";

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    StringBuilder line = new StringBuilder(oneLine(ex.getMessage()));
    if (ex instanceof UnmatchedArgumentException unmatched
        && !unmatched.getSuggestions().isEmpty()) {
      line.append(" (did you mean ")
          .append(String.join(" or ", unmatched.getSuggestions()))
          .append("?)");
    }
    line.append("; see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help'");
    report(cmd, line.toString(), ex, verbose(cmd.getParseResult()));
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    int code = exitCode(ex);
    report(cmd, describe(ex), ex, verbose(parseResult));
    return code;
  }

  /**
   * Reports an {@link OutOfMemoryError} (picocli lets errors through; they would end in a raw stack
   * trace) as one line with the way to raise the heap. Exit 1, as for any failure that is not the
   * input's or the model's.
   */
  int handleOutOfMemory(OutOfMemoryError e, ParseResult parseResult) {
    CommandLine cmd = parseResult.asCommandLineList().getLast();
    report(cmd, outOfMemory(""), e, verbose(parseResult));
    return ExitCodes.INTERNAL;
  }

  /**
   * The out-of-memory line, {@code when} saying at what point (may be empty). The launcher's
   * variable replaces all of its JVM defaults, so the hint says to repeat the ones wanted.
   */
  static String outOfMemory(String when) {
    return "out of memory"
        + when
        + " (heap limit "
        + Runtime.getRuntime().maxMemory() / (1 << 20)
        + " MiB): raise "
        + "the heap, e.g. GEMMA_EMBED_JAVA_OPTS=-Xmx4g; that variable replaces all of the launcher's JVM defaults "
        + "(-XX:+UseSerialGC and the rest: see the gemma-embed script), so add any of them you want to keep";
  }

  static int exitCode(Throwable ex) {
    return switch (ex) {
      case CliException e -> e.exitCode();
      case InvalidInputException e -> ExitCodes.INPUT;
      case GemmaEmbedException e -> ExitCodes.MODEL;
      case TokenizerException e -> ExitCodes.MODEL;
      case IOException e -> ExitCodes.IO;
      case UncheckedIOException e -> ExitCodes.IO;
      default -> ExitCodes.INTERNAL;
    };
  }

  static String describe(Throwable ex) {
    return switch (ex) {
      case CliException e -> oneLine(e.getMessage());
      case GemmaEmbedException e -> oneLine(e.getMessage());
      case TokenizerException e -> "invalid tokenizer: " + oneLine(e.getMessage());
      case IOException e -> describeIo(e);
      case UncheckedIOException e -> describeIo(e.getCause());
      default ->
          "internal error: "
              + oneLine(String.valueOf(ex))
              + " (rerun with --verbose and report the stack trace)";
    };
  }

  /** {@link java.nio.file} exceptions carry only the path as message; say what happened to it. */
  static String describeIo(IOException e) {
    return switch (e) {
      case NoSuchFileException f -> "no such file or directory: " + f.getFile();
      case AccessDeniedException f ->
          "permission denied: "
              + f.getFile()
              + (f.getReason() != null ? " (" + f.getReason() + ")" : "");
      case FileSystemException f ->
          f.getFile()
              + ": "
              + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
      default ->
          "Broken pipe".equals(e.getMessage())
              ? "the output was closed before everything was written (broken pipe)"
              : isDiskFull(e)
                  ? "disk full (no space left on device)"
                  : "I/O error: "
                      + oneLine(String.valueOf(e.getMessage() != null ? e.getMessage() : e));
    };
  }

  /** ENOSPC, which the JDK reports only by its message. */
  static boolean isDiskFull(IOException e) {
    return "No space left on device".equals(e.getMessage());
  }

  static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static boolean verbose(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption(VERBOSE)) {
        return true;
      }
    }
    return false;
  }

  private static void report(CommandLine cmd, String message, Throwable ex, boolean verbose) {
    PrintWriter err = cmd.getErr();
    // messages quote servers and model files: escape what a terminal would act on (ESC, CR, BEL …)
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + TerminalText.escape(message));
    if (verbose) {
      ex.printStackTrace(err);
    }
    err.flush();
  }
}
