package dev.gemmaembed.cli;

/** The process exit codes of every command, listed in the root command's help. */
final class ExitCodes {

  static final int OK = 0;

  /** A bug: an error the program did not expect (run with --verbose and report it). */
  static final int INTERNAL = 1;

  /**
   * A bad command line: unknown option, missing argument, unknown prompt name, --dims too large.
   */
  static final int USAGE = 2;

  /** No model found, or the model files are missing, malformed or unsupported. */
  static final int MODEL = 3;

  /** An input file or text that cannot be read or embedded (bad JSONL line, no documents). */
  static final int INPUT = 4;

  /** Reading or writing a file failed (permissions, disk full, closed pipe). */
  static final int IO = 5;

  /** A download failed: network, authentication, missing file on the Hub, checksum mismatch. */
  static final int NETWORK = 6;

  /** The help footer's table. */
  static final String[] HELP = {
    "",
    "Exit codes:",
    "  0  success",
    "  1  internal error (a bug: rerun with --verbose and report the stack trace)",
    "  2  usage error (bad option, value or prompt; --output a folder or the input)",
    "  3  model not found, or its files are missing or invalid",
    "  4  input error (unreadable input, malformed JSON or JSONL, no documents)",
    "  5  I/O error (writing failed: disk full, read-only folder, closed pipe)",
    "  6  download error (network, HF_TOKEN / licence, checksum mismatch)",
  };

  private ExitCodes() {}
}
