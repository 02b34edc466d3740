package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.LocalRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client and the serdes against a real Apicurio Registry started by {@link LocalRegistry}. */
class ConfluentRegistryClientIT {

  private static final Schema V1 = GenericAvroSerdeTest.V1;
  private static final Schema V2 = GenericAvroSerdeTest.V2;
  private static final Schema REQUIRED_ADDED = GenericAvroSerdeTest.REQUIRED_ADDED;

  @TempDir static Path sharedDir;
  private static LocalRegistry shared;

  @TempDir Path ownDir;
  private String subject;

  @BeforeAll
  static void startRegistry() {
    shared = LocalRegistry.start(LocalRegistry.defaultHome(), sharedDir, 0);
  }

  @AfterAll
  static void stopRegistry() {
    if (shared != null) {
      shared.close();
    }
  }

  @BeforeEach
  void uniqueSubject(TestInfo test) {
    subject = test.getTestMethod().orElseThrow().getName() + "-value";
  }

  private static ConfluentRegistryClient client() {
    return ConfluentRegistryClient.builder(shared.url()).build();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldRoundTripSchemasVersionsAndLevels() {
    ConfluentRegistryClient client = client();

    assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    int first = client.register(subject, V1);
    assertThat(client.register(subject, V1)).isEqualTo(first);
    assertThat(client.lookup(subject, V1)).contains(new SubjectSchema(subject, 1, first, V1));
    assertThat(client.lookup(subject, V2)).isEmpty();
    assertThat(client.lookup("no-such-subject", V1)).isEmpty();
    assertThat(client.testCompatibility(subject, V2).compatible()).isTrue();

    int second = client.register(subject, V2);

    ConfluentRegistryClient fresh = client();
    assertThat(second).isNotEqualTo(first);
    assertThat(fresh.subjects()).contains(subject);
    assertThat(fresh.versions(subject)).containsExactly(1, 2);
    assertThat(fresh.latest(subject)).isEqualTo(new SubjectSchema(subject, 2, second, V2));
    assertThat(fresh.version(subject, 1)).isEqualTo(new SubjectSchema(subject, 1, first, V1));
    assertThat(fresh.schemaById(second)).isEqualTo(V2);

    client.setCompatibility(subject, CompatibilityLevel.FULL);
    assertThat(client.compatibility(subject)).contains(CompatibilityLevel.FULL);
    try {
      client.setCompatibility(CompatibilityLevel.FORWARD_TRANSITIVE);
      assertThat(client.compatibility()).isEqualTo(CompatibilityLevel.FORWARD_TRANSITIVE);
    } finally {
      client.setCompatibility(CompatibilityLevel.BACKWARD);
    }

    assertThatThrownBy(() -> fresh.latest("no-such-subject"))
        .isInstanceOf(SubjectNotFoundException.class);
    assertThatThrownBy(() -> fresh.version(subject, 9))
        .isInstanceOf(VersionNotFoundException.class);
    assertThatThrownBy(() -> fresh.schemaById(987_654)).isInstanceOf(SchemaNotFoundException.class);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldRefuseARequiredFieldWithoutDefaultUnderBackward() {
    ConfluentRegistryClient client = client();
    client.register(subject, V1);

    CompatibilityResult test = client.testCompatibility(subject, REQUIRED_ADDED);
    assertThat(test.compatible()).isFalse();
    assertThat(String.join(" ", test.messages())).contains("owner");
    assertThatThrownBy(() -> client.register(subject, REQUIRED_ADDED))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("HTTP 409")
        .hasMessageContaining("owner")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
    assertThat(client.versions(subject)).containsExactly(1);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldEvolveBothWaysThroughTheSerdes() {
    ConfluentRegistryClient client = client();
    String topic = subject.replace("-value", "");

    // a consumer on v1 reads what a producer on v2 wrote, and one on v2 what v1 wrote
    GenericRecord v1 = new GenericData.Record(V1);
    v1.put("ip", "192.0.2.1");
    GenericRecord v2 = new GenericData.Record(V2);
    v2.put("ip", "192.0.2.2");
    v2.put("owner", "ops");
    GenericAvroSerde writer = new GenericAvroSerde(client, false);
    byte[] fromV1 = writer.serialize(topic, v1);
    byte[] fromV2 = writer.serialize(topic, v2);
    GenericAvroSerde readerOnV1 =
        new GenericAvroSerde(client(), false, AvroSerdeConfig.DEFAULT, Optional.of(V1));
    GenericAvroSerde readerOnV2 =
        new GenericAvroSerde(client(), false, AvroSerdeConfig.DEFAULT, Optional.of(V2));

    assertThat(readerOnV1.deserialize(topic, fromV2).toString())
        .isEqualTo("{\"ip\": \"192.0.2.2\"}");
    assertThat(readerOnV2.deserialize(topic, fromV1).toString())
        .isEqualTo("{\"ip\": \"192.0.2.1\", \"owner\": null}");

    // the generated class reads a record of a newer schema with one more optional field
    Schema newer = AvroSerdeTest.withExtraField(ScanEvent.getClassSchema());
    GenericRecord event = AvroSerdeTest.toGeneric(AvroSerdeTest.event());
    GenericRecord written = new GenericData.Record(newer);
    ScanEvent.getClassSchema().getFields().forEach(f -> written.put(f.name(), event.get(f.name())));
    written.put("sensor", "edge-7");
    byte[] bytes = new GenericAvroSerde(client, false).serialize(topic + ".scans", written);
    assertThat(
            new AvroSerde<>(client(), ScanEvent.class, false).deserialize(topic + ".scans", bytes))
        .isEqualTo(AvroSerdeTest.event());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldFailClearlyWithinTheRetryBudgetWhenTheRegistryIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    ConfluentRegistryClient client = ConfluentRegistryClient.builder(url).build();
    AvroSerde<ScanEvent> serde = new AvroSerde<>(client, ScanEvent.class, false);

    long start = System.nanoTime();
    assertThatThrownBy(() -> serde.serialize("scans", AvroSerdeTest.event()))
        .isInstanceOf(RegistryUnreachableException.class)
        .hasMessageContaining("cannot reach the schema registry at " + url)
        .hasMessageContaining("5 attempts");
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    // the default budget: 5 attempts with 100 + 200 + 400 + 800 ms between them
    assertThat(elapsed).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldRetryUntilARestartedRegistryIsBack() throws Exception {
    LocalRegistry registry = LocalRegistry.start(LocalRegistry.defaultHome(), ownDir, 0);
    int port = registry.port();
    // a budget well above a restart, even on a loaded machine: about 55 s of pauses
    ConfluentRegistryClient client =
        ConfluentRegistryClient.builder(registry.url())
            .maxAttempts(30)
            .backoff(Duration.ofMillis(200), Duration.ofSeconds(2))
            .build();
    client.register(subject, V1);
    registry.close();

    CompletableFuture<LocalRegistry> restarted =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                Thread.sleep(1000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return LocalRegistry.start(LocalRegistry.defaultHome(), ownDir, port);
            });
    try {
      // asked while nothing listens: only retries until the restart can make this succeed
      int id = client.register(subject, V2);

      assertThat(client.versions(subject)).containsExactly(1, 2);
      assertThat(client.latest(subject).id()).isEqualTo(id);
    } finally {
      restarted.get(90, TimeUnit.SECONDS).close();
    }
  }
}
