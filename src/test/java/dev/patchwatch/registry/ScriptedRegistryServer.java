package dev.patchwatch.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * A fake registry for unit tests: the JDK's own HTTP server on 127.0.0.1 answering each request
 * with the next scripted reply, and recording what it was asked.
 */
final class ScriptedRegistryServer implements AutoCloseable {

  /** One request as received; header names lower-cased. */
  record Request(String method, String rawPath, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  private record Reply(int status, String contentType, String body, Duration delay) {}

  private final HttpServer server;
  private final String scheme;
  private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private ScriptedRegistryServer(HttpServer server, String scheme) {
    this.server = server;
    this.scheme = scheme;
    server.createContext("/", this::handle);
    server.start();
  }

  static ScriptedRegistryServer http() {
    try {
      return new ScriptedRegistryServer(
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ScriptedRegistryServer https(SSLContext context) {
    try {
      HttpsServer server =
          HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(context));
      return new ScriptedRegistryServer(server, "https");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The URL of {@code path} on this server, e.g. {@code url("/apis/ccompat/v7")}. */
  String url(String path) {
    return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  ScriptedRegistryServer reply(int status, String json) {
    script.add(new Reply(status, "application/vnd.schemaregistry.v1+json", json, Duration.ZERO));
    return this;
  }

  ScriptedRegistryServer replyText(int status, String text) {
    script.add(new Reply(status, "text/plain", text, Duration.ZERO));
    return this;
  }

  ScriptedRegistryServer replyAfter(Duration delay, int status, String json) {
    script.add(new Reply(status, "application/vnd.schemaregistry.v1+json", json, delay));
    return this;
  }

  ScriptedRegistryServer error(int status, int errorCode, String message) {
    script.add(
        new Reply(
            status,
            "application/json",
            "{\"error_code\":" + errorCode + ",\"message\":\"" + message + "\"}",
            Duration.ZERO));
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  Request lastRequest() {
    return requests.get(requests.size() - 1);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) ->
                  headers.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      requests.add(
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath()
                  + (exchange.getRequestURI().getRawQuery() == null
                      ? ""
                      : "?" + exchange.getRequestURI().getRawQuery()),
              headers,
              body));
      Reply reply = script.poll();
      if (reply == null) {
        reply = new Reply(418, "text/plain", "no scripted reply left", Duration.ZERO);
      }
      if (!reply.delay().isZero()) {
        try {
          Thread.sleep(reply.delay().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
