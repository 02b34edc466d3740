package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.Completion;
import dev.patchwatch.runtime.TopicProvisioner;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `patchwatch run` in its own JVM, killed with SIGKILL in the middle of the input (no shutdown, no
 * commit), twice, then left to finish: exactly-once means the finals still equal the reference,
 * none missing and none twice. And `local` killed the same way, restarted on its data.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class KillRecoveryIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void shouldPublishExactlyTheReferenceFinalsAfterSigkills() throws Exception {
    String id = SharedKafka.unique("killed");
    int partitions = 3;
    String bootstrap = SharedKafka.bootstrapServers();
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    Topics topics = Topics.create(id, id, registry);
    List<ScanEvent> events =
        RandomEvents.generate(77, RandomEvents.Options.defaults().withHosts(300).withDays(4));
    List<RemediationCount> expected = ReferenceModel.compute(events, partitions).finals();
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
        sent.add(publisher.watermark(Instant.parse("2021-03-30T00:00:00Z")));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      }

      for (long fraction : new long[] {3, 2}) {
        RunProcess run = startRun(id, partitions);
        try {
          long target = events.size() / fraction;
          while (Completion.committed(admin, id, topics.scans().name()) < target) {
            assertThat(run.isAlive()).as("run is alive; its log:%n%s", run.log()).isTrue();
            Thread.sleep(20);
          }
        } finally {
          run.kill(); // SIGKILL: nothing is closed
        }
      }
      try (RunProcess run = startRun(id, partitions)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(200).toNanos();
        while (finals(bootstrap, topics).size() < expected.size()) {
          assertThat(run.isAlive()).as("run is alive; its log:%n%s", run.log()).isTrue();
          assertThat(System.nanoTime()).as("every final published in time").isLessThan(deadline);
          Thread.sleep(500);
        }
        // long enough for a duplicate, if there were one, to show up as well
        Thread.sleep(3_000);
      }
    }
    FinalsAssert.assertSameFinals(finals(bootstrap, topics), expected);
  }

  private RunProcess startRun(String id, int partitions) throws Exception {
    return RunProcess.start(
        id,
        partitions,
        dir,
        List.of(
            "max.poll.records=200",
            // a killed member leaves the group only when its session times out: keep that short
            "session.timeout.ms=6000",
            "heartbeat.interval.ms=1000"));
  }

  private static List<RemediationCount> finals(String bootstrap, Topics topics) {
    List<RemediationCount> finals = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      TopicReader.readAll(bootstrap, Map.of(), topics.finals(g), r -> finals.add(r.value()));
    }
    finals.sort(ReferenceModel.OUTPUT_ORDER);
    return finals;
  }
}
