package dev.patchwatch.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.TopologySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The topology, the view and the HTTP server on the shared broker and the shared local registry
 * (Apicurio), with unique topics: what {@code local} runs, for the HTTP tests.
 */
final class RunningStack implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  final TopologySettings settings;
  final Pipeline pipeline;
  final Dashboard dashboard;
  final ScanPublisher publisher;
  private final HttpClient http = HttpClient.newHttpClient();

  private RunningStack(
      TopologySettings settings, Pipeline pipeline, Dashboard dashboard, ScanPublisher publisher) {
    this.settings = settings;
    this.pipeline = pipeline;
    this.dashboard = dashboard;
    this.publisher = publisher;
  }

  static RunningStack start(
      String name,
      int partitions,
      Path stateDir,
      Optional<String> token,
      List<QueryApi.Reference> references,
      Clock clock) {
    String id = SharedKafka.unique(name);
    TopologySettings settings =
        TopologySettings.defaults(partitions)
            .withTopicPrefix(id)
            .withApplicationId(id)
            .withIdleTimeout(Duration.ZERO)
            .withExposureLiveInterval(Duration.ofSeconds(1))
            .withStoreType(TopologySettings.StoreType.IN_MEMORY);
    Cluster cluster = Cluster.of(SharedKafka.bootstrapServers());
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    Pipeline pipeline = Pipeline.on(cluster, registry, settings).stateDir(stateDir).start();
    Dashboard dashboard = null;
    try {
      dashboard =
          Dashboard.start(
              new HttpView.Settings("127.0.0.1", 0, token),
              cluster,
              pipeline.topics(),
              settings,
              Optional.of(pipeline.streams()),
              references,
              clock);
      ScanPublisher publisher =
          ScanPublisher.builder()
              .bootstrapServers(cluster.bootstrapServers())
              .registry(registry)
              .topicPrefix(id)
              .clock(clock)
              .build();
      return new RunningStack(settings, pipeline, dashboard, publisher);
    } catch (RuntimeException e) {
      if (dashboard != null) {
        dashboard.close();
      }
      pipeline.close();
      throw e;
    }
  }

  /** Publishes {@code events} in order, then the watermark, and waits until it is reached. */
  void publishAndClose(List<ScanEvent> events, Instant watermark) throws Exception {
    List<CompletableFuture<?>> sent = new ArrayList<>();
    events.forEach(e -> sent.add(publisher.publish(e)));
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
    publisher.watermark(watermark).get();
    long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
    while (!pipeline.reached(watermark.toEpochMilli())) {
      assertThat(pipeline.failure()).as("stream thread failure").isEmpty();
      assertThat(System.nanoTime()).as("watermark reached in time").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  URI url(String pathAndQuery) {
    return dashboard.url().resolve(pathAndQuery);
  }

  HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(url(pathAndQuery)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(url(pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GETs {@code pathAndQuery}, asserting a 200, and parses the JSON body. */
  JsonNode json(String pathAndQuery) throws Exception {
    HttpResponse<String> response = get(pathAndQuery);
    assertThat(response.statusCode())
        .as("GET %s: %s", pathAndQuery, response.body())
        .isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Override
  public void close() {
    try {
      publisher.close();
    } finally {
      try {
        dashboard.close();
      } finally {
        pipeline.close();
      }
    }
  }
}
