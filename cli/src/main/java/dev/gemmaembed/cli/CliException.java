package dev.gemmaembed.cli;

/**
 * A failure the command line reports as one line with its own exit code (see {@link ExitCodes}).
 */
class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static CliException model(String message) {
    return new CliException(ExitCodes.MODEL, message);
  }

  static CliException input(String message) {
    return new CliException(ExitCodes.INPUT, message);
  }

  static CliException io(String message, Throwable cause) {
    return new CliException(ExitCodes.IO, message, cause);
  }

  static CliException network(String message) {
    return new CliException(ExitCodes.NETWORK, message);
  }

  static CliException network(String message, Throwable cause) {
    return new CliException(ExitCodes.NETWORK, message, cause);
  }

  int exitCode() {
    return exitCode;
  }
}
