package dev.patchwatch.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PatchWatch's HTTP server (the JDK's {@code com.sun.net.httpserver}: a handful of GET endpoints
 * need no framework): the JSON API under {@code /api/v1}, Prometheus metrics at {@code /metrics}
 * and the dashboard at {@code /}, its files and its chart library served from the jar.
 */
public final class HttpView implements AutoCloseable {

  /**
   * Where to listen and who may ask.
   *
   * @param token when present, {@code /api} and {@code /metrics} require {@code Authorization:
   *     Bearer <token>}; the page's own files hold no data and stay public
   */
  public record Settings(String host, int port, Optional<String> token) {}

  private static final Logger LOG = LoggerFactory.getLogger(HttpView.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String API = "/api/v1/";

  /** The page's files: path served → resource and content type. */
  private static final Map<String, String[]> FILES =
      Map.of(
          "/",
          new String[] {"/dev/patchwatch/query/web/index.html", "text/html; charset=utf-8"},
          "/app.js",
          new String[] {"/dev/patchwatch/query/web/app.js", "text/javascript; charset=utf-8"},
          "/app.css",
          new String[] {"/dev/patchwatch/query/web/app.css", "text/css; charset=utf-8"},
          "/vendor/uPlot.iife.min.js",
          new String[] {
            "/META-INF/resources/webjars/uplot/" + UplotVersion.VERSION + "/dist/uPlot.iife.min.js",
            "text/javascript; charset=utf-8"
          },
          "/vendor/uPlot.min.css",
          new String[] {
            "/META-INF/resources/webjars/uplot/" + UplotVersion.VERSION + "/dist/uPlot.min.css",
            "text/css; charset=utf-8"
          });

  private final HttpServer server;
  private final ExecutorService executor;
  private final QueryApi api;
  private final PrometheusMeterRegistry registry;
  private final Optional<byte[]> token;

  private HttpView(
      HttpServer server, QueryApi api, PrometheusMeterRegistry registry, Optional<String> token) {
    this.server = server;
    this.api = api;
    this.registry = registry;
    this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "patchwatch-http");
              t.setDaemon(true);
              return t;
            });
    server.createContext("/", this::handle);
    server.setExecutor(executor);
  }

  /** A registry for {@link ViewMetrics#bind} and {@link #start}. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Starts serving {@code api} and {@code registry}.
   *
   * @throws IOException when the address cannot be bound (a port in use)
   */
  public static HttpView start(Settings settings, QueryApi api, PrometheusMeterRegistry registry)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
    HttpView view = new HttpView(server, api, registry, settings.token());
    server.start();
    return view;
  }

  /** The page's address, e.g. {@code http://127.0.0.1:8080/}. */
  public URI url() {
    InetSocketAddress address = server.getAddress();
    String host = address.getHostString();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + address.getPort() + "/");
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        error(exchange, 405, "method " + exchange.getRequestMethod() + " not allowed: only GET");
        return;
      }
      String[] file = FILES.get(path);
      if (file != null) {
        serveFile(exchange, file[0], file[1]);
        return;
      }
      if (!path.startsWith(API) && !path.equals("/metrics")) {
        error(exchange, 404, "no such resource: " + path);
        return;
      }
      if (!authorized(exchange)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        error(exchange, 401, "missing or wrong bearer token");
        return;
      }
      if (path.equals("/metrics")) {
        send(
            exchange,
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            registry.scrape().getBytes(StandardCharsets.UTF_8));
        return;
      }
      api(exchange, path.substring(API.length()));
    } catch (RuntimeException e) {
      LOG.warn("HTTP request {} failed", exchange.getRequestURI(), e);
      try {
        error(exchange, 500, "internal error: " + e);
      } catch (IOException | RuntimeException ignored) {
        // the response was already under way; the exchange is closed anyway
      }
    }
  }

  private void api(HttpExchange exchange, String endpoint) throws IOException {
    Map<String, String> params;
    try {
      params = query(exchange.getRequestURI().getRawQuery());
    } catch (QueryApi.BadParameter e) {
      badRequest(exchange, e);
      return;
    }
    ObjectNode body;
    try {
      if (endpoint.equals("curve")) {
        body = api.curve(params);
      } else if (endpoint.startsWith("counts/") && endpoint.indexOf('/', 7) < 0) {
        String granularity = endpoint.substring("counts/".length());
        if (!granularity.matches("hourly|daily|exposure")) {
          error(
              exchange,
              404,
              "no such resource: /api/v1/" + endpoint + " (hourly, daily, exposure)");
          return;
        }
        body = api.counts(granularity, params);
      } else if (endpoint.equals("breakdown")) {
        body = api.breakdown(params);
      } else if (endpoint.equals("transitions")) {
        body = api.transitions(params);
      } else if (endpoint.equals("cohorts")) {
        body = api.cohorts(params);
      } else if (endpoint.equals("status")) {
        body = api.status(params);
      } else if (endpoint.equals("vulnerabilities")) {
        body = api.vulnerabilities(params);
      } else {
        error(exchange, 404, "no such resource: /api/v1/" + endpoint);
        return;
      }
    } catch (QueryApi.BadParameter e) {
      badRequest(exchange, e);
      return;
    }
    send(exchange, 200, "application/json", MAPPER.writeValueAsBytes(body));
  }

  private boolean authorized(HttpExchange exchange) {
    if (token.isEmpty()) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.get());
  }

  /** The query string's parameters; a repeated one is refused rather than one of them ignored. */
  static Map<String, String> query(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name;
      String value;
      try {
        name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new QueryApi.BadParameter(pair, "malformed percent-encoding");
      }
      if (params.put(name, value) != null) {
        throw new QueryApi.BadParameter(name, "given twice");
      }
    }
    return params;
  }

  private static void badRequest(HttpExchange exchange, QueryApi.BadParameter e)
      throws IOException {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("status", 400);
    body.put("error", e.getMessage());
    body.put("parameter", e.parameter());
    send(exchange, 400, "application/json", MAPPER.writeValueAsBytes(body));
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("status", status);
    body.put("error", message);
    send(exchange, status, "application/json", MAPPER.writeValueAsBytes(body));
  }

  private static void serveFile(HttpExchange exchange, String resource, String type)
      throws IOException {
    try (InputStream in = HttpView.class.getResourceAsStream(resource)) {
      if (in == null) {
        error(exchange, 404, "not packaged: " + resource);
        return;
      }
      send(exchange, 200, type, in.readAllBytes());
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
