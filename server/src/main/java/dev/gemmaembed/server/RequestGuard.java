package dev.gemmaembed.server;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Keeps web pages the user happens to open from driving the server. A page may send "simple"
 * cross-origin POSTs (text/plain, form or multipart bodies, no preflight) and, through DNS
 * rebinding, read replies under its own host name; curl and scripts send neither a foreign {@code
 * Origin} nor a foreign {@code Host}. So:
 *
 * <ul>
 *   <li>{@code Host} must be a loopback name, the bound address or an {@code --allowed-host} (any
 *       Host when bound to every interface with an API key, which then guards the server);
 *   <li>an {@code Origin} must be the server's own (scheme plus the checked Host) or a {@code
 *       --cors-origin}; only the latter get CORS headers;
 *   <li>text/plain, form and untyped bodies are read only from requests without an {@code Origin}
 *       (browsers always send one on cross-origin POSTs); multipart never.
 * </ul>
 */
final class RequestGuard {

  private static final Pattern ORIGIN = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\s]+");
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

  private final Set<String> hosts = new HashSet<>(LOOPBACK);
  private final Set<String> origins = new HashSet<>();
  private final boolean anyHost;

  RequestGuard(ServerConfig config) {
    String bound = config.host().toLowerCase(Locale.ROOT);
    boolean wildcard = bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]");
    if (!wildcard) {
      hosts.add(bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound);
    }
    for (String h : config.allowedHosts()) {
      hosts.add(h.toLowerCase(Locale.ROOT));
    }
    for (String o : config.corsOrigins()) {
      origins.add(o.toLowerCase(Locale.ROOT));
    }
    this.anyHost = wildcard && config.apiKey() != null;
  }

  /** Whether {@code s} is a web origin: scheme, "://", host and optional port, nothing more. */
  static boolean isOrigin(String s) {
    return s != null && ORIGIN.matcher(s).matches();
  }

  /** 403 unless the Host header names this server (see the class comment). */
  void checkHost(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host == null || hostAllowed(host)) {
      return; // no Host: HTTP/1.0 from a local tool; browsers always send one
    }
    throw new ApiException(
        ApiException.Kind.FORBIDDEN,
        "the Host \""
            + printable(host)
            + "\" is not this server's; start it with --allowed-host NAME to accept that name");
  }

  /**
   * 403 for a foreign {@code Origin}; for an allowed cross origin, adds the CORS headers. Call
   * after {@link #checkHost}. Returns whether the request carries an {@code Origin}.
   */
  boolean checkOrigin(Request request, Response response) {
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin == null) {
      return false;
    }
    String key = origin.toLowerCase(Locale.ROOT);
    String host = request.getHeaders().get(HttpHeader.HOST);
    String own =
        host == null
            ? null
            : request.getHttpURI().getScheme() + "://" + host.toLowerCase(Locale.ROOT);
    if (origins.contains(key)) {
      response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      response.getHeaders().put(HttpHeader.VARY, "Origin");
      return true;
    }
    if (key.equals(own)) {
      return true;
    }
    throw new ApiException(
        ApiException.Kind.FORBIDDEN,
        "requests from the web origin \""
            + printable(origin)
            + "\" are refused; start the server with --cors-origin ORIGIN to allow that site's pages");
  }

  /** Answers a CORS preflight for an allowed origin (204 headers); 403 for any other. */
  void preflight(Request request, Response response) {
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin == null || !origins.contains(origin.toLowerCase(Locale.ROOT))) {
      throw new ApiException(
          ApiException.Kind.FORBIDDEN,
          "no CORS access for the web origin \""
              + printable(origin)
              + "\"; start the server with --cors-origin ORIGIN to allow it");
    }
    response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
    response
        .getHeaders()
        .put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type");
    response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
    response.getHeaders().put(HttpHeader.VARY, "Origin");
  }

  /**
   * 415 for multipart bodies, and for the body types a page may send without preflight when it has
   * an Origin.
   */
  void checkBodyType(Request request, boolean hasOrigin) {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (media.startsWith("multipart/")) {
      throw new ApiException(
          ApiException.Kind.UNSUPPORTED_MEDIA_TYPE,
          "multipart bodies are not read here; "
              + "send the JSON body with Content-Type: application/json");
    }
    boolean simple =
        media.isEmpty()
            || media.equals("text/plain")
            || media.equals("application/x-www-form-urlencoded");
    if (simple && hasOrigin) {
      throw new ApiException(
          ApiException.Kind.UNSUPPORTED_MEDIA_TYPE,
          "a request from a web page must send its "
              + "JSON body with Content-Type: application/json, not "
              + (media.isEmpty() ? "no type" : media));
    }
  }

  /** Whether a Host header value names this server. */
  boolean hostAllowed(String host) {
    return anyHost || hosts.contains(hostName(host));
  }

  /**
   * The name part of a Host header, lower case: "[::1]:8080" gives "[::1]", "Example:80" gives
   * "example".
   */
  static String hostName(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  /** A header value quoted in a message: control characters escaped, at most 100 characters. */
  private static String printable(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return s.length() > 100 ? b + "..." : b.toString();
  }
}
