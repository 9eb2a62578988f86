package dev.gemmaembed.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain loopback socket, for what java.net.http will not send: a foreign Host, a
 * malformed request line, a body that trickles in. Reads are bounded by a socket timeout so a test
 * fails instead of hanging.
 */
final class RawHttp implements AutoCloseable {

  /** A response: status, lower-case header block, body. */
  record Answer(int status, String headers, String body) {
    JsonNode json() {
      try {
        return Http.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      for (String line : headers.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawHttp(int port) {
    try {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(60_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One request on a fresh connection (Connection: close), answered in full. */
  static Answer exchange(int port, String head, String body) {
    try (RawHttp c = new RawHttp(port)) {
      c.send(head, body.getBytes(StandardCharsets.UTF_8));
      return c.answer();
    }
  }

  /** A JSON POST to {@code path} with {@code extraHeaders} (each ending in CRLF). */
  static Answer post(
      int port, String path, String host, String extraHeaders, String contentType, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return exchange(
        port,
        "POST "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + "\r\n"
            + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
            + extraHeaders
            + "Content-Length: "
            + b.length
            + "\r\nConnection: close\r\n\r\n",
        body);
  }

  void send(String head, byte[] body) {
    try {
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads until the server closes the connection or a response with Content-Length ends. */
  Answer answer() {
    try {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int headEnd = -1;
      long need = Long.MAX_VALUE;
      int n;
      while (all.size() < need && (n = in.read(buf)) > 0) {
        all.write(buf, 0, n);
        if (headEnd < 0) {
          headEnd = all.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
          if (headEnd >= 0) {
            String head =
                all.toString(StandardCharsets.ISO_8859_1)
                    .substring(0, headEnd)
                    .toLowerCase(Locale.ROOT);
            int at = head.indexOf("\r\ncontent-length:");
            if (at >= 0) {
              int eol = head.indexOf("\r\n", at + 2);
              need =
                  headEnd
                      + 4
                      + Long.parseLong(
                          head.substring(at + 17, eol < 0 ? head.length() : eol).strip());
            }
          }
        }
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new AssertionError("no complete response: " + text);
      }
      String head = text.substring(0, end);
      int status = Integer.parseInt(head.substring(9, 12));
      return new Answer(status, head.substring(head.indexOf("\r\n") + 2), text.substring(end + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
