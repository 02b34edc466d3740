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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams' own scale-out, as a user does it: several `patchwatch run` processes with one
 * application id, each in its own JVM with its own state directory, share the scans topic's
 * partitions. Instances die (SIGKILL) and join while a randomized stream is published; the finals
 * still equal the reference model's exactly. With a standby replica, the time from a SIGKILL to the
 * survivor processing the dead instance's partitions is measured and printed.
 *
 * <p>Short session and transaction timeouts keep the test short: a SIGKILLed member is noticed when
 * its session times out, and its open transaction holds its partitions' committed offsets until the
 * transaction times out ({@code run} defaults: 45 s and 1 min).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ScaleOutIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);
  private static final Instant END = Instant.parse("2021-03-30T00:00:00Z");
  private static final int PARTITIONS = 6;
  private static final List<String> FAST_FAILOVER =
      List.of(
          "session.timeout.ms=6000",
          "heartbeat.interval.ms=1000",
          "producer.transaction.timeout.ms=10000",
          "max.poll.records=200");

  @TempDir Path dir;

  @Test
  void shouldPublishTheReferenceFinalsWhileInstancesDieAndJoin() throws Exception {
    String id = SharedKafka.unique("scale-out");
    List<ScanEvent> events =
        RandomEvents.generate(131, RandomEvents.Options.defaults().withHosts(200).withDays(4));
    List<RemediationCount> expected = ReferenceModel.compute(events, PARTITIONS).finals();
    List<List<ScanEvent>> thirds = thirds(events);
    Fixture f = new Fixture(id);
    List<RunProcess> runs = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c")) {
        runs.add(RunProcess.start(id, PARTITIONS, dir.resolve(name), FAST_FAILOVER));
      }
      f.awaitMembers(3, Duration.ofSeconds(180));
      f.publish(thirds.get(0), false);
      f.awaitEveryPartitionCommittedPast(f.endOffsets(), runs, Duration.ofSeconds(180));

      runs.get(1).kill();
      f.publish(thirds.get(1), false);
      // the dead instance's partitions are taken over by the two others
      f.awaitEveryPartitionCommittedPast(
          f.endOffsets(), runs.subList(2, 3), Duration.ofSeconds(180));

      runs.add(RunProcess.start(id, PARTITIONS, dir.resolve("d"), FAST_FAILOVER));
      f.publish(thirds.get(2), true);
      f.awaitFinals(expected.size(), List.of(runs.get(0), runs.get(2), runs.get(3)));
      // long enough for a duplicate, if there were one, to show up as well
      Thread.sleep(3_000);
      FinalsAssert.assertSameFinals(f.finals(), expected);
    } finally {
      for (RunProcess run : runs) {
        run.close();
      }
      f.close();
    }
  }

  @Test
  void shouldFailOverToAStandbyAndSayHowLongItTook() throws Exception {
    String id = SharedKafka.unique("standby");
    List<ScanEvent> events =
        RandomEvents.generate(137, RandomEvents.Options.defaults().withHosts(200).withDays(4));
    List<RemediationCount> expected = ReferenceModel.compute(events, PARTITIONS).finals();
    List<List<ScanEvent>> thirds = thirds(events);
    List<String> kafka = new ArrayList<>(FAST_FAILOVER);
    kafka.add("num.standby.replicas=1");
    Fixture f = new Fixture(id);
    List<RunProcess> runs = new ArrayList<>();
    try {
      runs.add(RunProcess.start(id, PARTITIONS, dir.resolve("a"), kafka));
      runs.add(RunProcess.start(id, PARTITIONS, dir.resolve("b"), kafka));
      f.awaitMembers(2, Duration.ofSeconds(180));
      f.publish(thirds.get(0), false);
      f.awaitEveryPartitionCommittedPast(f.endOffsets(), runs, Duration.ofSeconds(180));

      // past: one more than the offsets of the records before the kill
      Map<TopicPartition, Long> beforeKill = new HashMap<>();
      f.endOffsets().forEach((partition, end) -> beforeKill.put(partition, end + 1));
      long killedAt = System.nanoTime();
      runs.get(0).kill();
      f.publish(thirds.get(1), false);
      f.awaitEveryPartitionCommittedPast(beforeKill, runs.subList(1, 2), Duration.ofSeconds(180));
      Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
      System.out.printf(
          Locale.ROOT,
          "ScaleOutIT: failover with a standby replica took %.1f s (SIGKILL to every partition"
              + " committing records published after it; %s)%n",
          failover.toMillis() / 1000.0,
          String.join(", ", kafka));

      f.publish(thirds.get(2), true);
      f.awaitFinals(expected.size(), runs.subList(1, 2));
      Thread.sleep(3_000);
      FinalsAssert.assertSameFinals(f.finals(), expected);
    } finally {
      for (RunProcess run : runs) {
        run.close();
      }
      f.close();
    }
  }

  private static List<List<ScanEvent>> thirds(List<ScanEvent> events) {
    int third = events.size() / 3;
    return List.of(
        events.subList(0, third),
        events.subList(third, 2 * third),
        events.subList(2 * third, events.size()));
  }

  /** The topics of one test, a publisher, and what the test waits for. */
  private static final class Fixture implements AutoCloseable {
    final String id;
    final Topics topics;
    final Admin admin;
    final ScanPublisher publisher;

    Fixture(String id) {
      this.id = id;
      ConfluentRegistryClient registry =
          ConfluentRegistryClient.builder(SharedRegistry.url()).build();
      this.topics = Topics.create(id, id, registry);
      this.admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()));
      new TopicProvisioner(admin, Duration.ofSeconds(30))
          .ensure(topics, PARTITIONS, Optional.empty());
      this.publisher =
          ScanPublisher.builder()
              .bootstrapServers(SharedKafka.bootstrapServers())
              .registry(registry)
              .topicPrefix(id)
              .clock(CLOCK)
              .build();
    }

    void publish(List<ScanEvent> events, boolean closeEverything) throws Exception {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      events.forEach(e -> sent.add(publisher.publish(e)));
      if (closeEverything) {
        sent.add(publisher.watermark(END));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
    }

    Map<TopicPartition, Long> endOffsets() throws Exception {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topics.scans().name(), p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Until the group has committed, on every partition, an offset at least the given one. */
    void awaitEveryPartitionCommittedPast(
        Map<TopicPartition, Long> offsets, List<RunProcess> alive, Duration timeout)
        throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed = stableOffsets();
        boolean all =
            offsets.entrySet().stream()
                .allMatch(
                    e -> {
                      OffsetAndMetadata c = committed.get(e.getKey());
                      return c != null && c.offset() >= e.getValue();
                    });
        if (all) {
          stage("every partition committed past " + offsets.values());
          return;
        }
        assertAlive(alive);
        assertThat(System.nanoTime())
            .as("every partition processed in time; committed %s, wanted %s", committed, offsets)
            .isLessThan(deadline);
        Thread.sleep(100);
      }
    }

    /**
     * The committed offsets, none of them pending in an open transaction (which a dead instance's
     * abort would take back); empty while some are.
     */
    private Map<TopicPartition, OffsetAndMetadata> stableOffsets() throws InterruptedException {
      try {
        return admin
            .listConsumerGroupOffsets(
                id, new ListConsumerGroupOffsetsOptions().requireStable(true).timeoutMs(2_000))
            .partitionsToOffsetAndMetadata()
            .get(5, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        return Map.of();
      }
    }

    private int members() throws InterruptedException {
      try {
        return admin.describeConsumerGroups(List.of(id)).all().get().get(id).members().size();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof GroupIdNotFoundException) {
          return 0; // no instance has joined yet
        }
        throw new IllegalStateException(e);
      }
    }

    void awaitMembers(int members, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (members() != members) {
        assertThat(System.nanoTime()).as("%d members in the group", members).isLessThan(deadline);
        Thread.sleep(200);
      }
      stage(members + " members");
    }

    private final long started = System.nanoTime();

    void stage(String what) {
      System.out.printf(
          Locale.ROOT,
          "ScaleOutIT %s at %.1f s: %s%n",
          id,
          (System.nanoTime() - started) / 1e9,
          what);
    }

    void awaitFinals(int count, List<RunProcess> alive) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (finals().size() < count) {
        assertAlive(alive);
        assertThat(System.nanoTime()).as("every final published in time").isLessThan(deadline);
        Thread.sleep(500);
      }
      stage(count + " finals");
    }

    List<RemediationCount> finals() {
      List<RemediationCount> finals = new ArrayList<>();
      for (Granularity g : Granularity.values()) {
        TopicReader.readAll(
            SharedKafka.bootstrapServers(), Map.of(), topics.finals(g), r -> finals.add(r.value()));
      }
      finals.sort(ReferenceModel.OUTPUT_ORDER);
      return finals;
    }

    private static void assertAlive(List<RunProcess> alive) {
      for (RunProcess run : alive) {
        assertThat(run.isAlive()).as("run is alive; its log:%n%s", run.log()).isTrue();
      }
    }

    @Override
    public void close() {
      publisher.close();
      admin.close();
    }
  }
}
