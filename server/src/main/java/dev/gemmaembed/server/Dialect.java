package dev.gemmaembed.server;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** The three APIs' ways of reporting an error: status code choice and body shape. */
enum Dialect {

  /** {@code {"error": {"message", "type", "param", "code"}}}, as api.openai.com answers. */
  OPENAI {
    @Override
    void writeError(JsonGenerator g, ApiException e, int status) throws IOException {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("message", e.getMessage());
      g.writeStringField(
          "type",
          switch (e.kind()) {
            case QUEUE_FULL -> "rate_limit_error";
            case NOT_READY, TIMEOUT, INTERNAL -> "server_error";
            default -> "invalid_request_error";
          });
      g.writeStringField("param", e.param());
      g.writeStringField(
          "code",
          switch (e.kind()) {
            case UNAUTHORIZED -> "invalid_api_key";
            case FORBIDDEN -> "forbidden";
            case QUEUE_FULL -> "rate_limit_exceeded";
            case INPUT_TOO_LONG -> "context_length_exceeded";
            case BODY_TOO_LARGE -> "request_too_large";
            case NOT_FOUND -> "unknown_url";
            case TIMEOUT -> "timeout";
            default -> null;
          });
      g.writeEndObject();
      g.writeEndObject();
    }
  },

  /**
   * {@code {"error", "error_type"}}, as Hugging Face text-embeddings-inference answers; like TEI,
   * inputs too long or too many are a 413 validation error.
   */
  TEI {
    @Override
    int status(ApiException.Kind kind) {
      return kind == ApiException.Kind.INPUT_TOO_LONG || kind == ApiException.Kind.TOO_MANY_INPUTS
          ? 413
          : super.status(kind);
    }

    @Override
    void writeError(JsonGenerator g, ApiException e, int status) throws IOException {
      g.writeStartObject();
      g.writeStringField("error", e.getMessage());
      g.writeStringField(
          "error_type",
          switch (e.kind()) {
            case QUEUE_FULL -> "Overloaded";
            case NOT_READY, TIMEOUT -> "Unhealthy";
            case INTERNAL -> "Backend";
            default -> "Validation";
          });
      g.writeEndObject();
    }
  },

  /** {@code {"error": "..."}}, as Ollama answers. */
  OLLAMA {
    @Override
    void writeError(JsonGenerator g, ApiException e, int status) throws IOException {
      g.writeStartObject();
      g.writeStringField("error", e.getMessage());
      g.writeEndObject();
    }
  };

  int status(ApiException.Kind kind) {
    return switch (kind) {
      case BAD_REQUEST, INPUT_TOO_LONG, TOO_MANY_INPUTS -> 400;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case METHOD_NOT_ALLOWED -> 405;
      case BODY_TIMEOUT -> 408;
      case BODY_TOO_LARGE -> 413;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case QUEUE_FULL -> 429;
      case NOT_READY, TIMEOUT -> 503;
      case INTERNAL -> 500;
    };
  }

  abstract void writeError(JsonGenerator g, ApiException e, int status) throws IOException;

  /** The dialect of a path no route matched, by its prefix. */
  static Dialect forPath(String path) {
    if (path.startsWith("/api/")) {
      return OLLAMA;
    }
    return path.startsWith("/v1/") ? OPENAI : TEI;
  }
}
