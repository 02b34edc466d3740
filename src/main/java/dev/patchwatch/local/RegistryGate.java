package dev.patchwatch.local;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A loopback gate in front of the local registry under {@code local --auth}: it forwards reads,
 * schema registrations, lookups and compatibility checks, and refuses (403) every delete,
 * compatibility or mode change, and any write outside the Confluent API. Why by hand: Apicurio 2.6
 * has no switch for these on its Confluent API (its deletion switch covers its own API only, and
 * its authorisation needs an OpenID Connect server), and the JDK's HTTP server and client are
 * enough for a filter this small.
 */
public final class RegistryGate implements AutoCloseable {

  private static final Pattern SETTINGS =
      Pattern.compile("^/apis/ccompat/v[67]/(config|mode)(/.*)?$");
  private static final Pattern SUBJECT_LEVEL =
      Pattern.compile("^/apis/ccompat/v[67]/config/([^/]+)$");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final String CCOMPAT = "/apis/ccompat/";
  private static final List<String> FORWARDED_HEADERS =
      List.of("Content-Type", "Accept", "Authorization");

  /** Far above any schema: a bound, so a client cannot make the gate hold gigabytes. */
  private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient client;
  private final String upstream;

  private RegistryGate(HttpServer server, ExecutorService executor, String upstream) {
    this.server = server;
    this.executor = executor;
    this.upstream = upstream;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Listens on 127.0.0.1:{@code port} and forwards what it lets through to {@code upstream}.
   *
   * @param upstream the registry's root, e.g. {@code http://127.0.0.1:40123}
   * @param port 0 for a free one
   */
  public static RegistryGate start(String upstream, int port) {
    int gatePort = port == 0 ? Ports.free() : Ports.requireFree(port);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(Ports.HOST, gatePort), 50);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + Ports.HOST + ":" + gatePort, e);
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread thread = new Thread(r, "registry-gate");
              thread.setDaemon(true);
              return thread;
            });
    RegistryGate gate = new RegistryGate(server, executor, upstream);
    server.createContext("/", gate::handle);
    server.setExecutor(executor);
    server.start();
    return gate;
  }

  /** The port the gate listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Why a request is refused, or empty when it may pass. */
  static Optional<String> refusal(String method, String path) {
    String verb = method.toUpperCase(Locale.ROOT);
    boolean read = verb.equals("GET") || verb.equals("HEAD");
    if (verb.equals("DELETE")) {
      return Optional.of("deleting schemas is disabled on this registry (local --auth)");
    }
    if (!read && SETTINGS.matcher(path).matches()) {
      return Optional.of(
          "changing compatibility or mode is disabled on this registry (local --auth)");
    }
    if (!read && !path.startsWith(CCOMPAT)) {
      return Optional.of("only the Confluent API accepts writes on this registry (local --auth)");
    }
    if (path.contains("..") || path.toLowerCase(Locale.ROOT).contains("%2e")) {
      // the registry would resolve them after the gate judged the path as written
      return Optional.of("no dot segments in paths on this registry (local --auth)");
    }
    return Optional.empty();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      Optional<String> refused = refusal(exchange.getRequestMethod(), path);
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(MAX_BODY_BYTES + 1);
      }
      if (refused.isPresent() && !pinsToGlobalLevel(exchange.getRequestMethod(), path, body)) {
        send(exchange, 403, error(40301, refused.get()));
        return;
      }
      if (body.length > MAX_BODY_BYTES) {
        send(exchange, 413, error(41301, "request body over " + MAX_BODY_BYTES + " bytes"));
        return;
      }
      String query = exchange.getRequestURI().getRawQuery();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(upstream + path + (query == null ? "" : "?" + query)))
              .timeout(Duration.ofSeconds(30))
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      for (String header : FORWARDED_HEADERS) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
          request.header(header, value);
        }
      }
      HttpResponse<byte[]> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        send(exchange, 502, error(50201, "registry unreachable behind the gate: " + e));
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        send(exchange, 503, error(50301, "gate stopping"));
        return;
      }
      response
          .headers()
          .firstValue("Content-Type")
          .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    }
  }

  /**
   * A subject's level set to the global one in force, which is not NONE: what every PatchWatch
   * client does when it provisions its topics (Pipeline pins each subject to the global level), and
   * no weakening, so it passes; any other level stays refused.
   */
  private boolean pinsToGlobalLevel(String method, String path, byte[] body) {
    if (!method.equalsIgnoreCase("PUT") || !SUBJECT_LEVEL.matcher(path).matches()) {
      return false;
    }
    Optional<String> requested = level(new String(body, StandardCharsets.UTF_8));
    if (requested.isEmpty()) {
      return false;
    }
    try {
      HttpResponse<String> global =
          client.send(
              HttpRequest.newBuilder(URI.create(upstream + CCOMPAT + "v7/config"))
                  .timeout(Duration.ofSeconds(30))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return global.statusCode() == 200
          && pinsToGlobalLevel(
              requested.get(), JSON.readTree(global.body()).path("compatibilityLevel").asText(""));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A requested subject level passes when it is the global one and that is not NONE. */
  static boolean pinsToGlobalLevel(String requested, String global) {
    return requested.equals(global) && !global.equals("NONE") && !global.isEmpty();
  }

  /**
   * The level of a Confluent config body that holds that one field, {@code
   * {"compatibility":"BACKWARD"}} (or {@code compatibilityLevel}, as GET answers); empty for
   * anything else, duplicated keys included, so the registry can never read another level from it.
   */
  static Optional<String> level(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject() || node.size() != 1) {
        return Optional.empty();
      }
      JsonNode value =
          node.has("compatibility") ? node.get("compatibility") : node.get("compatibilityLevel");
      return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static byte[] error(int code, String message) {
    return ("{\"error_code\":"
            + code
            + ",\"message\":\""
            + message.replace("\\", "/").replace("\"", "'").replaceAll("\\p{Cntrl}", " ")
            + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
