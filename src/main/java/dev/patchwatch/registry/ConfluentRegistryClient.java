package dev.patchwatch.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client for any registry that speaks the Confluent Schema Registry REST API: Confluent's own,
 * Apicurio ({@code .../apis/ccompat/v7}), Karapace, Redpanda. It uses only the documented
 * endpoints, sends and accepts {@value #MEDIA_TYPE}, and maps error answers to the subclasses of
 * {@link SchemaRegistryException}.
 *
 * <p>Schema ids and registrations never change once made, so they are cached both ways for the life
 * of the client; everything else (latest versions, levels) is asked each time. Connection failures,
 * HTTP 5xx and 429 are retried with exponential backoff, a bounded number of times; every call the
 * client makes is idempotent, so a retry never registers twice. Thread-safe.
 *
 * <p>The Confluent Schema Registry client is not on Maven Central; this speaks its REST API with
 * the JDK's HttpClient and Jackson.
 */
public final class ConfluentRegistryClient implements SchemaRegistry {

  /** The Confluent API's media type; Apicurio answers plain JSON unless asked for this. */
  public static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE_CHARS = 500;
  private static final String ALREADY_EXISTS = "already exists";

  private final String baseUrl;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Optional<String> authorization;
  private final Sleeper sleeper;

  private final ConcurrentMap<Integer, Schema> schemaById = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, SubjectSchema> lookupBySubjectAndSchema =
      new ConcurrentHashMap<>();

  private ConfluentRegistryClient(Builder builder) {
    this.baseUrl = builder.baseUrl;
    this.requestTimeout = builder.requestTimeout;
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.authorization = builder.authorization();
    this.sleeper = builder.sleeper;
    HttpClient.Builder http =
        HttpClient.newBuilder()
            // HTTP/1.1: the JDK's h2c upgrade on plain http is not something every registry's
            // server handles, and a registry gains nothing from HTTP/2.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(builder.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER);
    builder.sslContext().ifPresent(http::sslContext);
    this.http = http.build();
  }

  /**
   * A builder for a registry at {@code baseUrl}, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}
   * (Apicurio) or {@code https://registry.example:8081} (Confluent). Only a trailing slash is
   * removed; the path is used as given.
   */
  public static Builder builder(String baseUrl) {
    return new Builder(baseUrl);
  }

  /** The base URL requests go to, without a trailing slash. */
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public int register(String subject, Schema schema) {
    String key = cacheKey(subject, schema);
    Integer cached = idBySubjectAndSchema.get(key);
    if (cached != null) {
      return cached;
    }
    String path = "/subjects/" + segment(subject) + "/versions";
    JsonNode answer;
    try {
      answer = send("POST", path, schemaBody(schema));
    } catch (IncompatibleSchemaException e) {
      if (!e.getMessage().contains(ALREADY_EXISTS)) {
        throw e;
      }
      // Apicurio 2.x, when several clients create a subject at once (instances of one
      // application starting together), answers the losers 409 "already exists"; the
      // subject now exists, and registering again finds the schema or adds it.
      answer = send("POST", path, schemaBody(schema));
    }
    int id = requiredInt(answer, "id");
    schemaById.putIfAbsent(id, schema);
    idBySubjectAndSchema.put(key, id);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemaById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("GET", "/schemas/ids/" + id, null);
    Schema schema = parseSchema(answer, "schema " + id);
    Schema previous = schemaById.putIfAbsent(id, schema);
    return previous == null ? schema : previous;
  }

  @Override
  public Optional<SubjectSchema> lookup(String subject, Schema schema) {
    String key = cacheKey(subject, schema);
    SubjectSchema cached = lookupBySubjectAndSchema.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    JsonNode answer;
    try {
      answer = send("POST", "/subjects/" + segment(subject), schemaBody(schema));
    } catch (SubjectNotFoundException | SchemaNotFoundException e) {
      return Optional.empty();
    }
    SubjectSchema found =
        new SubjectSchema(
            subject, requiredInt(answer, "version"), requiredInt(answer, "id"), schema);
    schemaById.putIfAbsent(found.id(), schema);
    idBySubjectAndSchema.put(key, found.id());
    lookupBySubjectAndSchema.put(key, found);
    return Optional.of(found);
  }

  @Override
  public SubjectSchema latest(String subject) {
    return subjectVersion(subject, "latest");
  }

  @Override
  public SubjectSchema version(String subject, int version) {
    return subjectVersion(subject, Integer.toString(version));
  }

  @Override
  public List<String> subjects() {
    List<String> subjects = new ArrayList<>();
    for (JsonNode subject : array(send("GET", "/subjects", null), "subjects")) {
      subjects.add(subject.asText());
    }
    subjects.sort(null);
    return List.copyOf(subjects);
  }

  @Override
  public List<Integer> versions(String subject) {
    List<Integer> versions = new ArrayList<>();
    for (JsonNode version :
        array(send("GET", "/subjects/" + segment(subject) + "/versions", null), "versions")) {
      versions.add(version.asInt());
    }
    versions.sort(null);
    return List.copyOf(versions);
  }

  @Override
  public CompatibilityLevel compatibility() {
    return level(send("GET", "/config", null));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Apicurio 2.x never says "none of its own": for such a subject it reports its configured
   * default rule, or NONE, whatever the global level is.
   */
  @Override
  public Optional<CompatibilityLevel> compatibility(String subject) {
    try {
      return Optional.of(level(send("GET", "/config/" + segment(subject), null)));
    } catch (SchemaRegistryException e) {
      // Confluent answers 40408 for a subject without a level of its own, older versions and
      // some other registries 40401.
      if (e.errorCode() == SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED
          || e instanceof SubjectNotFoundException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void setCompatibility(CompatibilityLevel level) {
    send("PUT", "/config", levelBody(level));
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    send("PUT", "/config/" + segment(subject), levelBody(level));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asks the registry ({@code POST /compatibility/subjects/{subject}/versions/latest}), so the
   * registry's own rules decide; the reasons are Confluent's {@code messages} or Apicurio's {@code
   * reason}.
   */
  @Override
  public CompatibilityResult testCompatibility(String subject, Schema schema) {
    JsonNode answer =
        send(
            "POST",
            "/compatibility/subjects/" + segment(subject) + "/versions/latest?verbose=true",
            schemaBody(schema));
    JsonNode compatible = answer.get("is_compatible");
    if (compatible == null || !compatible.isBoolean()) {
      throw unexpected("no boolean is_compatible", answer);
    }
    List<String> messages = new ArrayList<>();
    answer.path("messages").forEach(message -> messages.add(message.asText()));
    JsonNode reason = answer.get("reason");
    if (reason != null && !reason.isNull()) {
      messages.add(reason.asText());
    }
    return new CompatibilityResult(compatible.asBoolean(), messages);
  }

  @Override
  public String toString() {
    return "ConfluentRegistryClient[" + baseUrl + "]";
  }

  private SubjectSchema subjectVersion(String subject, String version) {
    JsonNode answer = send("GET", "/subjects/" + segment(subject) + "/versions/" + version, null);
    int id = requiredInt(answer, "id");
    Schema schema = schemaById.computeIfAbsent(id, i -> parseSchema(answer, "schema " + i));
    return new SubjectSchema(subject, requiredInt(answer, "version"), id, schema);
  }

  private HttpRequest request(String method, URI uri, JsonNode body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept", MEDIA_TYPE);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", MEDIA_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    authorization.ifPresent(value -> request.header("Authorization", value));
    return request.build();
  }

  private JsonNode send(String method, String path, JsonNode body) {
    URI uri = URI.create(baseUrl + path);
    HttpRequest built = request(method, uri, body);
    String call = method + " " + uri;

    // Retries by hand: the JDK client has none, and one loop is not worth a dependency.
    IOException lastFailure = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        pause(backoff(attempt - 1), call);
      }
      HttpResponse<String> response;
      try {
        response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        if (isTls(e)) {
          // A certificate the trust store does not accept will not change on a retry.
          throw new RegistryUnreachableException(
              "TLS with the schema registry at "
                  + baseUrl
                  + " failed ("
                  + call
                  + "): "
                  + describe(e)
                  + "; is its certificate in the configured trust store?",
              e);
        }
        lastFailure = e;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnreachableException("interrupted during " + call, e);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return parse(response.body(), call);
      }
      boolean retriable = status >= 500 || status == 429;
      if (!retriable || attempt == maxAttempts) {
        throw error(call, status, response.body(), retriable ? attempt : 1);
      }
    }
    throw new RegistryUnreachableException(
        "cannot reach the schema registry at "
            + baseUrl
            + " ("
            + call
            + ", "
            + maxAttempts
            + (maxAttempts == 1 ? " attempt" : " attempts")
            + "): "
            + describe(lastFailure),
        lastFailure);
  }

  /** The pause before retry number {@code retry} (1 for the first): doubling, capped. */
  Duration backoff(int retry) {
    Duration delay = initialBackoff;
    for (int i = 1; i < retry && delay.compareTo(maxBackoff) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
  }

  private void pause(Duration delay, String call) {
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnreachableException("interrupted while retrying " + call, e);
    }
  }

  private static SchemaRegistryException error(String call, int status, String body, int attempts) {
    int code = status;
    String message = null;
    try {
      JsonNode error = JSON.readTree(body);
      if (error != null && error.isObject()) {
        code = error.path("error_code").asInt(status);
        message = error.path("message").isTextual() ? error.path("message").asText() : null;
      }
    } catch (JsonProcessingException e) {
      // not JSON (a proxy's HTML page, Apicurio's plain-text 400): the text itself is the message
    }
    if (message == null) {
      message = body == null || body.isBlank() ? "(no message)" : abbreviate(body.strip());
    }
    String text =
        "schema registry answered HTTP "
            + status
            + " (error code "
            + code
            + ") to "
            + call
            + (attempts > 1 ? " after " + attempts + " attempts" : "")
            + ": "
            + message;
    if (status == 401 || status == 403) {
      text += " (check the registry credentials)";
    }
    if (status >= 500) {
      return new RegistryServerException(code, text);
    }
    return switch (code) {
      case SchemaRegistryException.SUBJECT_NOT_FOUND -> new SubjectNotFoundException(code, text);
      case SchemaRegistryException.VERSION_NOT_FOUND -> new VersionNotFoundException(code, text);
      case SchemaRegistryException.SCHEMA_NOT_FOUND -> new SchemaNotFoundException(code, text);
      case SchemaRegistryException.INCOMPATIBLE_SCHEMA,
          SchemaRegistryException.INCOMPATIBLE_SCHEMA_DETAILED ->
          new IncompatibleSchemaException(code, text);
      case SchemaRegistryException.INVALID_SCHEMA -> new InvalidSchemaException(code, text);
      case SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL ->
          new InvalidCompatibilityLevelException(code, text);
      default ->
          status == 409
              ? new IncompatibleSchemaException(code, text)
              : new SchemaRegistryException(code, text);
    };
  }

  private static JsonNode parse(String body, String call) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null) {
        throw new SchemaRegistryException(
            SchemaRegistryException.NO_RESPONSE,
            "empty answer from the schema registry to " + call);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new SchemaRegistryException(
          SchemaRegistryException.NO_RESPONSE,
          "the schema registry's answer to " + call + " is not JSON: " + abbreviate(body),
          e);
    }
  }

  private static Schema parseSchema(JsonNode answer, String what) {
    String type = answer.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type.toUpperCase(Locale.ROOT))) {
      throw new InvalidSchemaException(
          SchemaRegistryException.INVALID_SCHEMA, what + " is a " + type + " schema, not Avro");
    }
    JsonNode text = answer.get("schema");
    if (text == null || !text.isTextual()) {
      throw unexpected("no schema text", answer);
    }
    try {
      // A parser per schema: one parser remembers names and would refuse the next schema's.
      return new Schema.Parser().parse(text.asText());
    } catch (SchemaParseException e) {
      throw new InvalidSchemaException(
          SchemaRegistryException.INVALID_SCHEMA,
          what + " from the registry is not valid Avro: " + e.getMessage(),
          e);
    }
  }

  private static CompatibilityLevel level(JsonNode answer) {
    // GET answers compatibilityLevel (Confluent and Apicurio); PUT echoes compatibility.
    JsonNode level =
        answer.has("compatibilityLevel")
            ? answer.get("compatibilityLevel")
            : answer.get("compatibility");
    if (level == null || !level.isTextual()) {
      throw unexpected("no compatibility level", answer);
    }
    try {
      return CompatibilityLevel.valueOf(level.asText().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidCompatibilityLevelException(
          SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
          "the schema registry reports an unknown compatibility level " + level.asText(),
          e);
    }
  }

  private static int requiredInt(JsonNode answer, String field) {
    JsonNode value = answer.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw unexpected("no integer " + field, answer);
    }
    return value.asInt();
  }

  private static JsonNode array(JsonNode answer, String what) {
    if (!answer.isArray()) {
      throw unexpected(what + " is not an array", answer);
    }
    return answer;
  }

  private static SchemaRegistryException unexpected(String problem, JsonNode answer) {
    return new SchemaRegistryException(
        SchemaRegistryException.NO_RESPONSE,
        "unexpected answer from the schema registry, "
            + problem
            + ": "
            + abbreviate(answer.toString()));
  }

  private static ObjectNode schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", PortableSchema.text(schema));
  }

  private static ObjectNode levelBody(CompatibilityLevel level) {
    return JSON.createObjectNode().put("compatibility", level.name());
  }

  private static String cacheKey(String subject, Schema schema) {
    return subject + '\u0000' + schema;
  }

  /**
   * Percent-encodes a subject for use as one path segment. Hand-written: the JDK has only form
   * encoding, which turns a space into '+' and is wrong in a path.
   */
  static String segment(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static boolean isTls(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  /** The exception and its causes in one line: the JDK's ConnectException often has no message. */
  private static String describe(Throwable e) {
    if (e == null) {
      return "no attempt was made";
    }
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null && out.length() < MAX_MESSAGE_CHARS; t = t.getCause()) {
      if (out.length() > 0) {
        out.append(" <- ");
      }
      out.append(t.getClass().getSimpleName());
      if (t.getMessage() != null) {
        out.append(": ").append(t.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return out.toString();
  }

  private static String abbreviate(String text) {
    return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "…";
  }

  /** How the client waits between attempts; replaced in tests so they need not sleep. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** Settings of a {@link ConfluentRegistryClient}; every one has a default except the URL. */
  public static final class Builder {

    private final String baseUrl;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private String basicUserInfo;
    private String bearerToken;
    private Path trustStore;
    private String trustStorePassword;
    private String trustStoreType = KeyStore.getDefaultType();
    private SSLContext sslContext;
    private Sleeper sleeper = duration -> Thread.sleep(duration.toMillis());

    private Builder(String baseUrl) {
      this.baseUrl = normalize(baseUrl);
    }

    /** How long to wait for a TCP (and TLS) connection; default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connect timeout");
      return this;
    }

    /** How long to wait for one request's answer; default 10 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "request timeout");
      return this;
    }

    /**
     * Attempts per call, the first included, when the registry cannot be reached or answers 5xx or
     * 429; default 5. 1 disables retries.
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("max attempts must be at least 1, not " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * The pause before the first retry, doubled for each next one up to {@code max}; default 100 ms
     * and 5 s.
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial, "initial backoff");
      this.maxBackoff = positive(max, "max backoff");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "max backoff " + max + " is below the initial " + initial);
      }
      return this;
    }

    /** HTTP basic authentication. */
    public Builder basicAuth(String user, String password) {
      if (user == null || user.isEmpty() || user.indexOf(':') >= 0) {
        throw new IllegalArgumentException("a basic-auth user must be non-empty and have no ':'");
      }
      this.basicUserInfo = user + ":" + (password == null ? "" : password);
      return this;
    }

    /**
     * HTTP basic authentication from {@code user:password}, as Confluent's basic.auth.user.info.
     */
    public Builder basicAuth(String userInfo) {
      int colon = userInfo == null ? -1 : userInfo.indexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException("basic-auth user info must be user:password");
      }
      return basicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }

    /** A bearer token sent as {@code Authorization: Bearer <token>}. */
    public Builder bearerToken(String token) {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("a bearer token must not be blank");
      }
      this.bearerToken = token;
      return this;
    }

    /**
     * Trust the certificates in this trust store instead of the JDK's (for a registry with a
     * private CA or a self-signed certificate).
     *
     * @param type e.g. PKCS12 or JKS; null for the JDK's default type
     */
    public Builder trustStore(Path path, String password, String type) {
      this.trustStore = path;
      this.trustStorePassword = password;
      this.trustStoreType = type == null ? KeyStore.getDefaultType() : type;
      return this;
    }

    /** A TLS context of your own, e.g. with a client certificate; overrides {@link #trustStore}. */
    public Builder sslContext(SSLContext context) {
      this.sslContext = context;
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /**
     * @throws IllegalArgumentException when both basic auth and a bearer token are set, or the
     *     trust store cannot be loaded
     */
    public ConfluentRegistryClient build() {
      if (basicUserInfo != null && bearerToken != null) {
        throw new IllegalArgumentException("set basic auth or a bearer token, not both");
      }
      return new ConfluentRegistryClient(this);
    }

    private Optional<String> authorization() {
      if (basicUserInfo != null) {
        return Optional.of(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(basicUserInfo.getBytes(StandardCharsets.UTF_8)));
      }
      return Optional.ofNullable(bearerToken).map(token -> "Bearer " + token);
    }

    private Optional<SSLContext> sslContext() {
      if (sslContext != null) {
        return Optional.of(sslContext);
      }
      if (trustStore == null) {
        return Optional.empty();
      }
      try (InputStream in = Files.newInputStream(trustStore)) {
        KeyStore store = KeyStore.getInstance(trustStoreType);
        store.load(in, trustStorePassword == null ? null : trustStorePassword.toCharArray());
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return Optional.of(context);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "cannot load the "
                + trustStoreType
                + " trust store "
                + trustStore
                + ": "
                + e.getMessage(),
            e);
      }
    }

    private static String normalize(String url) {
      if (url == null) {
        throw new IllegalArgumentException("the schema registry URL is missing");
      }
      String trimmed = url.strip();
      while (trimmed.endsWith("/")) {
        trimmed = trimmed.substring(0, trimmed.length() - 1);
      }
      URI uri;
      try {
        uri = new URI(trimmed);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("not a URL: " + url, e);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "the schema registry URL must be http:// or https:// with a host, not " + url);
      }
      if (uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "the schema registry URL must have no query, fragment or credentials: " + url);
      }
      return trimmed;
    }

    private static Duration positive(Duration duration, String what) {
      if (duration == null || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, not " + duration);
      }
      return duration;
    }
  }
}
