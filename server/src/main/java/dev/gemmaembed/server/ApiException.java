package dev.gemmaembed.server;

/**
 * A request the server refuses, with what went wrong in words a client can act on. Each API renders
 * it in its own error shape and status (see {@link Dialect}).
 */
final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What kind of failure; {@link Dialect#status} maps it to an HTTP status. */
  enum Kind {
    BAD_REQUEST,
    UNAUTHORIZED,
    /** A foreign web origin or Host (see {@link RequestGuard}). */
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    BODY_TOO_LARGE,
    /** The body did not arrive within the body timeout. */
    BODY_TIMEOUT,
    /** A body type the APIs do not read (multipart) or may not read here (a page's simple POST). */
    UNSUPPORTED_MEDIA_TYPE,
    /** An input longer than the model's context, with truncation off. */
    INPUT_TOO_LONG,
    /** More inputs in one request than the server allows. */
    TOO_MANY_INPUTS,
    QUEUE_FULL,
    NOT_READY,
    TIMEOUT,
    INTERNAL
  }

  private final Kind kind;
  private final String param;

  ApiException(Kind kind, String message) {
    this(kind, message, null);
  }

  ApiException(Kind kind, String message, String param) {
    super(message, null, false, false);
    this.kind = kind;
    this.param = param;
  }

  Kind kind() {
    return kind;
  }

  /** The request field at fault, or null. */
  String param() {
    return param;
  }

  static ApiException badRequest(String message, String param) {
    return new ApiException(Kind.BAD_REQUEST, message, param);
  }
}
