package dev.gemmaembed.server;

/** A finished response: status, media type and body. */
record Reply(int status, String contentType, byte[] body) {

  static final String JSON = "application/json";

  static Reply json(byte[] body) {
    return new Reply(200, JSON, body);
  }
}
