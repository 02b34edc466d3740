package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The streams application (not the broker) is stopped in the middle of the input and started again,
 * twice, the second time on an empty state directory so its state is rebuilt from the changelogs:
 * the finals must still equal the reference, none missing, none twice. The input spans a month, so
 * both stops land while cohorts are being followed and compromise has been seen: the transitions
 * and cohort points after each restart (cohort sizes are kept in memory and rebuilt from the host
 * histories when a task starts, DESIGN 7.9) must equal the reference too.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RestartRecoveryIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  /** In memory, every start restores the host state from its changelog alone. */
  @ParameterizedTest
  @EnumSource(TopologySettings.StoreType.class)
  void shouldPublishExactlyTheReferenceFinalsAcrossRestarts(TopologySettings.StoreType store)
      throws Exception {
    int partitions = 3;
    String id = SharedKafka.unique("restart");
    TopologySettings settings =
        TopologySettings.defaults(partitions)
            .withStoreType(store)
            .withTopicPrefix(id)
            .withApplicationId(id)
            .withIdleTimeout(Duration.ZERO);
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    Topics topics = Topics.create(id, id, registry);
    List<ScanEvent> events =
        RandomEvents.generate(
            404,
            RandomEvents.Options.forTransitions(Instant.parse("2021-02-20T09:30:00Z"), 31)
                .withHosts(150));
    // replay's closing watermark: closes every window that holds an event, and the days a week on
    long end =
        ReferenceModel.closingWatermark(events, ReferenceModel.Settings.defaults()).toEpochMilli();
    String bootstrap = SharedKafka.bootstrapServers();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      new TopicProvisioner(admin, Duration.ofSeconds(30))
          .ensure(topics, partitions, Optional.empty());
      try (ScanPublisher publisher =
          ScanPublisher.builder()
              .bootstrapServers(bootstrap)
              .registry(registry)
              .topicPrefix(id)
              .clock(CLOCK)
              .build()) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        events.forEach(e -> sent.add(publisher.publish(e)));
        sent.add(publisher.watermark(Instant.ofEpochMilli(end)));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      }

      // a third of the way in, then two thirds: stop; the second restart starts without local state
      runUntil(settings, topics, bootstrap, dir.resolve("state-a"), admin, events.size() / 3);
      runUntil(settings, topics, bootstrap, dir.resolve("state-a"), admin, 2L * events.size() / 3);
      try (Pipeline streams = streams(settings, topics, bootstrap, dir.resolve("state-b"))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (Completion.reached(streams.streams(), partitions, end) < partitions * partitions) {
          assertThat(System.nanoTime()).as("finished in time").isLessThan(deadline);
          Thread.sleep(100);
        }
      }
    }

    List<RemediationCount> finals = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      TopicReader.readAll(bootstrap, Map.of(), topics.finals(g), r -> finals.add(r.value()));
    }
    finals.sort(ReferenceModel.OUTPUT_ORDER);
    ReferenceModel.Result expected =
        ReferenceModel.compute(
            events, partitions, ReferenceModel.Settings.defaults(), Instant.ofEpochMilli(end));
    FinalsAssert.assertSameFinals(finals, expected.finals());

    List<TransitionCount> transitions = new ArrayList<>();
    TopicReader.readAll(
        bootstrap, Map.of(), topics.transitionsDaily(), r -> transitions.add(r.value()));
    transitions.sort(ReferenceModel.TRANSITION_ORDER);
    assertThat(expected.transitions()).anyMatch(t -> t.getCompromisedButRemediated() > 0);
    FinalsAssert.assertSameFinals(transitions, expected.transitions());

    List<CohortCount> cohorts = new ArrayList<>();
    TopicReader.readAll(bootstrap, Map.of(), topics.cohortsDaily(), r -> cohorts.add(r.value()));
    cohorts.sort(ReferenceModel.COHORT_ORDER);
    assertThat(expected.cohorts()).anyMatch(c -> c.getAgeDays() == 28);
    FinalsAssert.assertSameFinals(cohorts, expected.cohorts());
  }

  private static void runUntil(
      TopologySettings settings,
      Topics topics,
      String bootstrap,
      Path stateDir,
      Admin admin,
      long committed)
      throws InterruptedException {
    try (Pipeline streams = streams(settings, topics, bootstrap, stateDir)) {
      while (Completion.committed(admin, settings.applicationId(), topics.scans().name())
          < committed) {
        Thread.sleep(20);
      }
    }
  }

  /** Started; the topics exist and the schemas are registered already. */
  private static Pipeline streams(
      TopologySettings settings, Topics topics, String bootstrap, Path stateDir) {
    Pipeline.Builder builder =
        Pipeline.on(Cluster.of(bootstrap), new InMemorySchemaRegistry(), settings)
            .topics(topics)
            .stateDir(stateDir)
            // small batches, so the stop lands in the middle of the input, not after it
            .overrides(Map.of("max.poll.records", "200", "commit.interval.ms", "50"));
    Pipeline pipeline = builder.create();
    pipeline.awaitRunning(Duration.ofSeconds(60));
    return pipeline;
  }
}
