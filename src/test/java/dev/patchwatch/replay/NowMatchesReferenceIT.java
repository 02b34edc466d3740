package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.AggregateJson;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The randomized reference checks on today's data: events over the last three days and up to two
 * hours ahead of the clock, on a broker that refuses record timestamps more than an hour ahead of
 * its own (Kafka 4's default). Live telemetry has to survive that broker, so these tests run on the
 * real wall clock: the broker's clock cannot be injected.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NowMatchesReferenceIT {

  private static final Clock WALL = Clock.systemUTC();
  private static final int PARTITIONS = 3;

  @TempDir Path dir;

  @Test
  void shouldReplayTodaysEventsIntoExactlyTheReferenceFinals() throws Exception {
    List<ScanEvent> events = recentEvents(611);
    Path input = dir.resolve("events.jsonl");
    RandomEvents.writeJsonLines(events, input);
    Path output = dir.resolve("finals.jsonl");
    String id = SharedKafka.unique("replay-now");
    Replay.Result result =
        new Replay(
                SharedKafka.bootstrapServers(),
                new InMemorySchemaRegistry(),
                dir.resolve("state"),
                settings(id),
                WALL,
                new PrintWriter(new StringWriter()))
            .run(input, output, Optional.empty());

    assertThat(result.accepted()).isEqualTo(events.size());
    assertThat(result.rejected()).isZero();
    FinalsAssert.assertSameFinals(
        FinalsAssert.countLines(Files.readAllLines(output)),
        ReferenceModel.compute(events, PARTITIONS).finals().stream()
            .sorted(AggregateJson.ORDER)
            .map(AggregateJson::toJson)
            .toList());
  }

  /**
   * A live stack can close only what a watermark within a day of the clock closes; every window it
   * does close must hold exactly the reference's final, and none may be missing.
   */
  @Test
  void shouldCountTodaysEventsLiveAndCloseWhatADayAheadWatermarkCloses() throws Exception {
    List<ScanEvent> events = recentEvents(612);
    String id = SharedKafka.unique("live-now");
    TopologySettings settings = settings(id);
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    Topics topics = Topics.create(id, id, registry);
    String bootstrap = SharedKafka.bootstrapServers();
    Instant watermark = WALL.instant().plus(Duration.ofHours(23)).truncatedTo(ChronoUnit.HOURS);
    try (Pipeline streams =
            Pipeline.on(Cluster.of(bootstrap), registry, settings)
                .stateDir(dir.resolve("state"))
                .start();
        ScanPublisher publisher =
            ScanPublisher.builder()
                .bootstrapServers(bootstrap)
                .registry(registry)
                .topicPrefix(id)
                .clock(WALL)
                .build()) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      events.forEach(e -> sent.add(publisher.publish(e)));
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      publisher.watermark(watermark).get();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!streams.reached(watermark.toEpochMilli())) {
        assertThat(streams.failure()).as("stream thread failure").isEmpty();
        assertThat(System.nanoTime()).as("watermark reached in time").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
    List<RemediationCount> finals = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      TopicReader.readAll(bootstrap, Map.of(), topics.finals(g), r -> finals.add(r.value()));
    }
    finals.sort(ReferenceModel.OUTPUT_ORDER);
    ReferenceModel.Settings reference = ReferenceModel.Settings.defaults();
    List<RemediationCount> expected =
        ReferenceModel.compute(events, PARTITIONS).finals().stream()
            .filter(
                f ->
                    f.getWindowEnd().toEpochMilli() + reference.graceMillis(f.getGranularity())
                        <= watermark.toEpochMilli())
            .toList();
    // today's windows are still open: the live stack must not have published them
    assertThat(expected.size())
        .isLessThan(ReferenceModel.compute(events, PARTITIONS).finals().size());
    FinalsAssert.assertSameFinals(finals, expected);
  }

  /** Three days of scans ending two hours from now, with disorder inside the hourly grace. */
  private static List<ScanEvent> recentEvents(long seed) {
    Instant start =
        WALL.instant()
            .minus(Duration.ofDays(3))
            .plus(Duration.ofHours(2))
            .truncatedTo(ChronoUnit.SECONDS);
    List<ScanEvent> events =
        RandomEvents.generate(
            seed, RandomEvents.Options.defaults().withStart(start).withDays(3).withHosts(120));
    assertThat(events.stream().map(ScanEvent::getObservedAt).max(Instant::compareTo).orElseThrow())
        .as("some events lie more than an hour ahead of the broker's clock")
        .isAfter(WALL.instant().plus(Duration.ofHours(1)));
    return events;
  }

  private static TopologySettings settings(String id) {
    return TopologySettings.defaults(PARTITIONS)
        .withTopicPrefix(id)
        .withApplicationId(id)
        .withIdleTimeout(Duration.ZERO)
        .withStoreType(TopologySettings.StoreType.IN_MEMORY);
  }
}
