package dev.gemmaembed.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself (a malformed request line, headers too large, an unknown HTTP
 * version, a failure outside the handler) in the JSON error shape of the API the path belongs to,
 * instead of Jetty's HTML page; the message is Jetty's reason phrase, never an exception or its
 * class.
 */
final class JsonErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    Dialect dialect = Dialect.forPath(request == null ? "/" : Request.getPathInContext(request));
    byte[] body = body(dialect, code);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Reply.JSON);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private static byte[] body(Dialect dialect, int status) {
    ApiException.Kind kind =
        switch (status) {
          case 408 -> ApiException.Kind.BODY_TIMEOUT;
          case 413, 414, 431 -> ApiException.Kind.BODY_TOO_LARGE;
          case 415 -> ApiException.Kind.UNSUPPORTED_MEDIA_TYPE;
          case 503 -> ApiException.Kind.NOT_READY;
          default -> status >= 500 ? ApiException.Kind.INTERNAL : ApiException.Kind.BAD_REQUEST;
        };
    ApiException e = new ApiException(kind, status + " " + reason(status));
    return Json.write(g -> dialect.writeError(g, e, status));
  }

  /** A fixed phrase per status: Jetty's own messages may carry exception text from the parser. */
  private static String reason(int status) {
    return switch (status) {
      case 400 -> "bad request: the HTTP request could not be parsed";
      case 408 -> "request timeout";
      case 413 -> "request too large";
      case 414 -> "request URI too long";
      case 431 -> "request header fields too large";
      case 505 -> "HTTP version not supported";
      default -> {
        String phrase = org.eclipse.jetty.http.HttpStatus.getMessage(status);
        yield phrase == null ? "error" : phrase.toLowerCase(java.util.Locale.ROOT);
      }
    };
  }
}
