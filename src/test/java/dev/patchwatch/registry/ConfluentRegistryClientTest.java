package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfluentRegistryClientTest {

  private static final String BASE = "/apis/ccompat/v7";
  private static final Schema SCHEMA =
      SchemaBuilder.record("Thing").namespace("test").fields().requiredString("name").endRecord();
  private static final String SCHEMA_JSON = "{\"schema\":" + quote(SCHEMA.toString()) + "}";

  private final ScriptedRegistryServer server = ScriptedRegistryServer.http();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopServer() {
    server.close();
  }

  private ConfluentRegistryClient.Builder builder() {
    return ConfluentRegistryClient.builder(server.url(BASE)).sleeper(sleeps::add);
  }

  private ConfluentRegistryClient client() {
    return builder().build();
  }

  @Test
  void shouldRegisterWithConfluentMediaType() throws Exception {
    server.reply(200, "{\"id\":7}");

    int id = client().register("orders-value", SCHEMA);

    assertThat(id).isEqualTo(7);
    ScriptedRegistryServer.Request request = server.lastRequest();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.rawPath()).isEqualTo(BASE + "/subjects/orders-value/versions");
    assertThat(request.header("accept")).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(request.header("content-type")).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(new ObjectMapper().readTree(request.body()).get("schema").asText())
        .isEqualTo(SCHEMA.toString());
  }

  @Test
  void shouldRegisterAgainWhenAnotherClientCreatedTheSubjectAtTheSameTime() {
    server
        .error(409, 409, "An artifact with ID 'orders-value' in group 'null' already exists.")
        .reply(200, "{\"id\":7}");

    int id = builder().maxAttempts(1).build().register("orders-value", SCHEMA);

    assertThat(id).isEqualTo(7);
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void shouldNotRegisterAgainAnIncompatibleSchema() {
    server.error(409, 409, "Schema being registered is incompatible with an earlier schema");

    assertThatThrownBy(() -> builder().maxAttempts(1).build().register("orders-value", SCHEMA))
        .isExactlyInstanceOf(IncompatibleSchemaException.class);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void shouldUseTheBaseUrlAsGivenLessATrailingSlash() {
    server.reply(200, "[\"b\",\"a\"]").reply(200, "[]");

    List<String> subjects = ConfluentRegistryClient.builder(server.url("/")).build().subjects();
    ConfluentRegistryClient.builder(server.url(BASE + "/")).build().subjects();

    assertThat(subjects).containsExactly("a", "b");
    assertThat(server.requests())
        .extracting(ScriptedRegistryServer.Request::rawPath)
        .containsExactly("/subjects", BASE + "/subjects");
  }

  @Test
  void shouldEncodeTheSubjectAsOnePathSegment() {
    server.reply(200, "[1]");

    client().versions("a b/c\u00e9");

    assertThat(server.lastRequest().rawPath())
        .isEqualTo(BASE + "/subjects/a%20b%2Fc%C3%A9/versions");
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(404, 40401, SubjectNotFoundException.class),
        Arguments.of(404, 40402, VersionNotFoundException.class),
        Arguments.of(404, 40403, SchemaNotFoundException.class),
        Arguments.of(409, 409, IncompatibleSchemaException.class),
        Arguments.of(409, 40901, IncompatibleSchemaException.class),
        Arguments.of(422, 42201, InvalidSchemaException.class),
        Arguments.of(422, 42203, InvalidCompatibilityLevelException.class),
        Arguments.of(500, 50001, RegistryServerException.class),
        Arguments.of(503, 50003, RegistryServerException.class),
        Arguments.of(401, 401, SchemaRegistryException.class),
        Arguments.of(400, 40000, SchemaRegistryException.class));
  }

  @ParameterizedTest(name = "HTTP {0} error_code {1}")
  @MethodSource("errors")
  void shouldMapErrorCodesToTypedExceptions(
      int status, int code, Class<? extends SchemaRegistryException> type) {
    server.error(status, code, "the registry's own words");

    assertThatThrownBy(() -> builder().maxAttempts(1).build().register("s", SCHEMA))
        .isExactlyInstanceOf(type)
        .hasMessageContaining("the registry's own words")
        .hasMessageContaining("HTTP " + status)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(code));
  }

  @Test
  void shouldKeepAnErrorThatIsNotJsonAsTheMessage() {
    // Apicurio answers a bad compatibility level this way
    server.replyText(400, "Not able to deserialize data provided.");

    assertThatThrownBy(() -> client().setCompatibility(CompatibilityLevel.FULL))
        .isExactlyInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Not able to deserialize data provided.")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(400));
  }

  @Test
  void shouldNotRetryAClientError() {
    server.error(404, 40403, "no such schema");

    assertThatThrownBy(() -> client().schemaById(3)).isInstanceOf(SchemaNotFoundException.class);
    assertThat(server.requests()).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void shouldRetryServerErrorsWithDoublingBackoff() {
    server.error(503, 50003, "forwarding").error(500, 50001, "store").reply(200, "{\"id\":4}");

    assertThat(client().register("s", SCHEMA)).isEqualTo(4);
    assertThat(server.requests()).hasSize(3);
    assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void shouldRetryTooManyRequests() {
    server.error(429, 429, "slow down").reply(200, "{\"id\":4}");

    assertThat(client().register("s", SCHEMA)).isEqualTo(4);
    assertThat(sleeps).containsExactly(Duration.ofMillis(100));
  }

  @Test
  void shouldGiveUpAfterMaxAttemptsWithTheLastServerError() {
    for (int i = 0; i < 5; i++) {
      server.error(500, 50001, "store down " + i);
    }

    assertThatThrownBy(() -> client().register("s", SCHEMA))
        .isInstanceOf(RegistryServerException.class)
        .hasMessageContaining("store down 4")
        .hasMessageContaining("after 5 attempts");
    assertThat(server.requests()).hasSize(5);
    assertThat(sleeps)
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(800));
  }

  @Test
  void shouldCapTheBackoff() {
    ConfluentRegistryClient client =
        builder().backoff(Duration.ofSeconds(1), Duration.ofMillis(2500)).build();

    assertThat(Stream.of(1, 2, 3, 4, 40).map(client::backoff))
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofMillis(2500),
            Duration.ofMillis(2500),
            Duration.ofMillis(2500));
  }

  @Test
  void shouldRetryARefusedConnectionThenNameTheUrl() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    ConfluentRegistryClient client =
        ConfluentRegistryClient.builder(url).maxAttempts(3).sleeper(sleeps::add).build();

    assertThatThrownBy(() -> client.schemaById(1))
        .isExactlyInstanceOf(RegistryUnreachableException.class)
        .hasMessageContaining(url)
        .hasMessageContaining("3 attempts")
        .hasMessageContaining("ConnectException");
    assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void shouldTimeOutASlowAnswerAndRetryIt() {
    server
        .replyAfter(Duration.ofSeconds(2), 200, "{\"id\":1}")
        .replyAfter(Duration.ofSeconds(2), 200, "{\"id\":1}");
    ConfluentRegistryClient client =
        builder().requestTimeout(Duration.ofMillis(200)).maxAttempts(2).build();

    assertThatThrownBy(() -> client.register("s", SCHEMA))
        .isExactlyInstanceOf(RegistryUnreachableException.class)
        .hasMessageContaining("HttpTimeoutException");
    assertThat(sleeps).hasSize(1);
  }

  @Test
  void shouldCacheRegistrationsAndIdsBothWays() {
    server.reply(200, "{\"id\":9}").reply(200, "{\"schema\":" + quote(SCHEMA.toString()) + "}");
    ConfluentRegistryClient client = client();

    assertThat(client.register("s", SCHEMA)).isEqualTo(9);
    assertThat(client.register("s", SCHEMA)).isEqualTo(9);
    assertThat(client.schemaById(9)).isEqualTo(SCHEMA);
    assertThat(server.requests()).hasSize(1);

    assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
    assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void shouldCacheAFoundLookupButAskAgainAfterAMiss() {
    server
        .error(404, 40403, "not under this subject")
        .reply(
            200,
            "{\"subject\":\"s\",\"id\":3,\"version\":2,\"schema\":"
                + quote(SCHEMA.toString())
                + "}");
    ConfluentRegistryClient client = client();

    assertThat(client.lookup("s", SCHEMA)).isEmpty();
    assertThat(client.lookup("s", SCHEMA)).contains(new SubjectSchema("s", 2, 3, SCHEMA));
    assertThat(client.lookup("s", SCHEMA)).contains(new SubjectSchema("s", 2, 3, SCHEMA));
    assertThat(client.register("s", SCHEMA)).isEqualTo(3);
    assertThat(server.requests()).hasSize(2);
    assertThat(server.lastRequest().rawPath()).isEqualTo(BASE + "/subjects/s");
  }

  @Test
  void shouldTreatAMissingSubjectAsNotFoundOnLookup() {
    server.error(404, 40401, "no subject");

    assertThat(client().lookup("s", SCHEMA)).isEmpty();
  }

  @Test
  void shouldReadVersions() {
    server
        .reply(
            200,
            "{\"subject\":\"s\",\"id\":5,\"version\":3,\"schema\":"
                + quote(SCHEMA.toString())
                + "}")
        .reply(
            200,
            "{\"subject\":\"s\",\"id\":4,\"version\":2,\"schema\":"
                + quote(SCHEMA.toString())
                + "}")
        .reply(200, "[3,1,2]");
    ConfluentRegistryClient client = client();

    assertThat(client.latest("s")).isEqualTo(new SubjectSchema("s", 3, 5, SCHEMA));
    assertThat(client.version("s", 2)).isEqualTo(new SubjectSchema("s", 2, 4, SCHEMA));
    assertThat(client.versions("s")).containsExactly(1, 2, 3);
    assertThat(server.requests())
        .extracting(ScriptedRegistryServer.Request::rawPath)
        .containsExactly(
            BASE + "/subjects/s/versions/latest",
            BASE + "/subjects/s/versions/2",
            BASE + "/subjects/s/versions");
  }

  @Test
  void shouldRefuseASchemaThatIsNotAvro() {
    server.reply(200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");

    assertThatThrownBy(() -> client().schemaById(2))
        .isInstanceOf(InvalidSchemaException.class)
        .hasMessageContaining("PROTOBUF");
  }

  @Test
  void shouldGetAndSetCompatibility() throws Exception {
    server
        .reply(200, "{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}")
        .reply(200, "{\"compatibility\":\"BACKWARD\"}")
        .reply(200, "{\"compatibilityLevel\":\"FORWARD\"}")
        .error(404, 40408, "Subject 's' does not have subject-level compatibility configured")
        .reply(200, "{\"compatibility\":\"NONE\"}");
    ConfluentRegistryClient client = client();

    assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
    client.setCompatibility(CompatibilityLevel.BACKWARD);
    assertThat(client.compatibility("s")).contains(CompatibilityLevel.FORWARD);
    assertThat(client.compatibility("s")).isEqualTo(Optional.empty());
    client.setCompatibility("s", CompatibilityLevel.NONE);

    List<ScriptedRegistryServer.Request> requests = server.requests();
    assertThat(requests)
        .extracting(r -> r.method() + " " + r.rawPath())
        .containsExactly(
            "GET " + BASE + "/config",
            "PUT " + BASE + "/config",
            "GET " + BASE + "/config/s",
            "GET " + BASE + "/config/s",
            "PUT " + BASE + "/config/s");
    assertThat(new ObjectMapper().readTree(requests.get(1).body()).get("compatibility").asText())
        .isEqualTo("BACKWARD");
  }

  @Test
  void shouldTestCompatibilityWithEitherRegistrysReasons() {
    server
        .reply(200, "{\"is_compatible\":true}")
        .reply(200, "{\"is_compatible\":false,\"messages\":[\"field b has no default\"]}")
        .reply(200, "{\"is_compatible\":false,\"reason\":\"Incompatible artifact\"}");
    ConfluentRegistryClient client = client();

    assertThat(client.testCompatibility("s", SCHEMA)).isEqualTo(CompatibilityResult.ok());
    assertThat(client.testCompatibility("s", SCHEMA))
        .isEqualTo(new CompatibilityResult(false, List.of("field b has no default")));
    assertThat(client.testCompatibility("s", SCHEMA))
        .isEqualTo(new CompatibilityResult(false, List.of("Incompatible artifact")));
    assertThat(server.lastRequest().rawPath())
        .isEqualTo(BASE + "/compatibility/subjects/s/versions/latest?verbose=true");
    assertThat(server.lastRequest().body()).isEqualTo(SCHEMA_JSON);
  }

  @Test
  void shouldSendBasicAuth() {
    server.reply(200, "[]");

    builder().basicAuth("user:pa:ss").build().subjects();

    assertThat(server.lastRequest().header("authorization")).isEqualTo("Basic dXNlcjpwYTpzcw==");
  }

  @Test
  void shouldSendABearerToken() {
    server.reply(200, "[]");

    builder().bearerToken("t0ken").build().subjects();

    assertThat(server.lastRequest().header("authorization")).isEqualTo("Bearer t0ken");
  }

  @Test
  void shouldSendNoAuthorizationByDefault() {
    server.reply(200, "[]");

    client().subjects();

    assertThat(server.lastRequest().headers()).doesNotContainKey("authorization");
  }

  @Test
  void shouldRefuseTwoKindsOfCredentials() {
    assertThatThrownBy(() -> builder().basicAuth("u", "p").bearerToken("t").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRefuseAUrlThatIsNotHttp() {
    assertThatThrownBy(() -> ConfluentRegistryClient.builder("127.0.0.1:8081"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfluentRegistryClient.builder("ftp://host/x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String quote(String text) {
    try {
      return new ObjectMapper().writeValueAsString(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
