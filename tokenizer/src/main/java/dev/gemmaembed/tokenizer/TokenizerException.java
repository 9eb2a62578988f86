package dev.gemmaembed.tokenizer;

/**
 * A tokenizer file is malformed, incomplete or uses a feature this tokenizer does not implement.
 * The message names the file (or stream) and the offending field, e.g. {@code "tokenizer.json:
 * model.type 'WordPiece' is not supported (only BPE)"}.
 */
public class TokenizerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TokenizerException(String message) {
    super(message);
  }

  public TokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
