package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a client in another language sees once PatchWatch has provisioned (the real Apicurio, as
 * `local` runs it): each {@code schemas/*.avsc} file, sent as it is or re-serialized the way a
 * JavaScript client does, is found by content under its subject with the id PatchWatch registered
 * and writes with; registering it again adds no version; each subject reads back the level in
 * force. Raw HTTP on purpose: PatchWatch's own client would hide what goes over the wire.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SchemaFilesRegistryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MEDIA_TYPE = ConfluentRegistryClient.MEDIA_TYPE;
  private static final Map<String, String> FILE_BY_SUBJECT_SUFFIX =
      Map.ofEntries(
          Map.entry(".scans-value", "ScanEvent.avsc"),
          Map.entry(".counts.hourly-key", "CountKey.avsc"),
          Map.entry(".counts.daily-key", "CountKey.avsc"),
          Map.entry(".exposure.daily-key", "CountKey.avsc"),
          Map.entry(".counts.live-key", "CountKey.avsc"),
          Map.entry(".counts.hourly-value", "RemediationCount.avsc"),
          Map.entry(".counts.daily-value", "RemediationCount.avsc"),
          Map.entry(".exposure.daily-value", "RemediationCount.avsc"),
          Map.entry(".counts.live-value", "RemediationCount.avsc"),
          Map.entry(".rejected-value", "Rejected.avsc"),
          Map.entry(".transitions.daily-key", "CountKey.avsc"),
          Map.entry(".transitions.daily-value", "TransitionCount.avsc"),
          Map.entry(".cohorts.daily-key", "CohortKey.avsc"),
          Map.entry(".cohorts.daily-value", "CohortCount.avsc"));

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldFindEachSchemaFileUnderItsSubjectWithTheRegisteredId() throws Exception {
    String id = SharedKafka.unique("files");
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    Topics topics = provision(id, registry);

    assertThat(topics.subjects()).hasSize(FILE_BY_SUBJECT_SUFFIX.size());
    for (String subject : topics.subjects().keySet()) {
      String file = FILE_BY_SUBJECT_SUFFIX.get(subject.substring(id.length()));
      String text = Files.readString(Path.of("schemas", file));
      String compact = JSON.writeValueAsString(JSON.readTree(text)); // JSON.stringify(readAVSC)
      int registered = registry.latest(subject).id();

      JsonNode byFile = post("/subjects/" + encode(subject), text);
      assertThat(byFile.path("id").asInt())
          .as("lookup of %s under %s", file, subject)
          .isEqualTo(registered);
      assertThat(post("/subjects/" + encode(subject), compact).path("id").asInt())
          .isEqualTo(registered);
      assertThat(post("/subjects/" + encode(subject) + "/versions", compact).path("id").asInt())
          .as("registering %s again under %s", file, subject)
          .isEqualTo(registered);
      assertThat(registry.versions(subject)).as(subject).containsExactly(1);

      JsonNode latest = get("/subjects/" + encode(subject) + "/versions/latest");
      assertThat(latest.path("schema").asText()).doesNotContain("avro.java");
      assertThat(get("/config/" + encode(subject)).path("compatibilityLevel").asText())
          .as("level of %s", subject)
          .isEqualTo("BACKWARD");
    }
    // What the serdes of a fresh PatchWatch process use: the same id.
    ConfluentRegistryClient fresh = ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    assertThat(fresh.register(id + ".scans-value", ScanEvent.getClassSchema()))
        .isEqualTo(registry.latest(id + ".scans-value").id());
  }

  @Test
  void shouldAddOneCompatibleVersionToASubjectRegisteredWithJavaProperties() throws Exception {
    String id = SharedKafka.unique("upgraded");
    String subject = id + ".scans-value";
    // What earlier versions of PatchWatch registered: the generated class's schema as it is.
    JsonNode old = post("/subjects/" + encode(subject) + "/versions", ScanEvent.getClassSchema());
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();

    provision(id, registry);
    provision(id, ConfluentRegistryClient.builder(SharedRegistry.url()).build());

    assertThat(registry.versions(subject)).containsExactly(1, 2);
    int current = registry.latest(subject).id();
    assertThat(current).isNotEqualTo(old.path("id").asInt());
    String text = Files.readString(Path.of("schemas", "ScanEvent.avsc"));
    assertThat(post("/subjects/" + encode(subject), text).path("id").asInt()).isEqualTo(current);
  }

  private static Topics provision(String id, ConfluentRegistryClient registry) {
    TopologySettings settings =
        TopologySettings.defaults(2).withTopicPrefix(id).withApplicationId(id);
    return Pipeline.on(Cluster.of(SharedKafka.bootstrapServers()), registry, settings).provision();
  }

  private JsonNode post(String path, Object schema) throws IOException, InterruptedException {
    String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
    return send(
        HttpRequest.newBuilder(URI.create(SharedRegistry.url() + path))
            .header("Content-Type", MEDIA_TYPE)
            .header("Accept", MEDIA_TYPE)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(SharedRegistry.url() + path))
            .header("Accept", MEDIA_TYPE)
            .GET()
            .build());
  }

  private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", request, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8);
  }
}
