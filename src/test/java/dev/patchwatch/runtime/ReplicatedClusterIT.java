package dev.patchwatch.runtime;

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
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replicated cluster (three brokers, replication factor 3, {@code min.insync.replicas=2}, Kafka's
 * own test kit) loses the broker that leads most scans partitions in the middle of the input, keeps
 * receiving scans without it, and gets it back; the topology is never restarted. The scans topic
 * must hold every event once, and the finals must equal the reference: nothing lost, nothing
 * counted twice.
 */
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class ReplicatedClusterIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
  private static final int BROKERS = 3;
  private static final int MIN_INSYNC = 2;

  @TempDir Path dir;

  @Test
  void shouldPublishExactlyTheReferenceFinalsWhenTheBusiestBrokerStopsAndComesBack()
      throws Exception {
    // 4 partitions over 3 brokers: one broker leads two of them, the one stopped
    int partitions = 4;
    String id = SharedKafka.unique("replicated");
    TopologySettings settings =
        TopologySettings.defaults(partitions)
            .withTopicPrefix(id)
            .withApplicationId(id)
            .withIdleTimeout(Duration.ZERO);
    List<ScanEvent> events =
        RandomEvents.generate(
            1500,
            RandomEvents.Options.defaults()
                .withStart(Instant.parse("2026-11-10T00:00:00Z"))
                .withHosts(150)
                .withDays(2));
    long end = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
    int third = events.size() / 3;
    List<ScanEvent> before = events.subList(0, third);
    List<ScanEvent> whileDown = events.subList(third, 2 * third);
    List<ScanEvent> after = events.subList(2 * third, events.size());
    SchemaRegistry registry = ConfluentRegistryClient.builder(SharedRegistry.url()).build();

    try (ReplicatedKafka kafka =
        ReplicatedKafka.start(dir.resolve("cluster"), BROKERS, MIN_INSYNC)) {
      for (int broker : kafka.brokerIds()) {
        assertThat(listeners(kafka.port(broker)))
            .as("addresses broker " + broker + " listens on")
            .containsExactly("0100007F");
      }
      Cluster cluster = Cluster.of(kafka.bootstrapServers());
      Topics topics;
      int victim;
      int victimLed;
      long stopMillis;
      long downMillis;
      long resumedMillis;
      long inSyncMillis;
      try (Pipeline pipeline =
          Pipeline.on(cluster, registry, settings)
              .stateDir(dir.resolve("state"))
              .replicationFactor(Optional.of((short) BROKERS))
              .onFailure(StreamThreadExceptionResponse.REPLACE_THREAD)
              .overrides(Map.of("commit.interval.ms", "100", "max.poll.records", "200"))
              .start()) {
        topics = pipeline.topics();
        String scans = topics.scans().name();
        publish(kafka.bootstrapServers(), registry, id, before, null);
        awaitCommitted(cluster, id, scans, before.size() / 2);

        // mid-stream: the broker leading most scans partitions goes away under the topology
        Map<Integer, Integer> leaders = kafka.leaders(scans);
        victim =
            leaders.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        victimLed = leaders.get(victim);
        long atStop = committed(cluster, id, scans);
        long stopping = System.nanoTime();
        kafka.stop(victim, Duration.ofMinutes(1));
        stopMillis = Duration.ofNanos(System.nanoTime() - stopping).toMillis();
        assertThat(kafka.leaders(scans)).as("leaders once stopped").doesNotContainKey(victim);

        publish(kafka.bootstrapServers(), registry, id, whileDown, null);
        while (committed(cluster, id, scans) <= atStop) {
          Thread.sleep(20);
        }
        resumedMillis = Duration.ofNanos(System.nanoTime() - stopping).toMillis();
        // all of it aggregated on two brokers before the third comes back
        awaitCommitted(cluster, id, scans, before.size() + whileDown.size());
        assertThat(pipeline.failure()).as("topology failure while a broker was down").isEmpty();

        kafka.restart(victim);
        long restarted = System.nanoTime();
        assertThat(listeners(kafka.port(victim)))
            .as("restarted broker")
            .containsExactly("0100007F");
        downMillis = Duration.ofNanos(restarted - stopping).toMillis();
        awaitFullyReplicated(kafka, scans);
        inSyncMillis = Duration.ofNanos(System.nanoTime() - restarted).toMillis();

        publish(kafka.bootstrapServers(), registry, id, after, end);
        while (Completion.reached(pipeline.streams(), partitions, end) < partitions * partitions) {
          assertThat(pipeline.failure()).as("topology failure").isEmpty();
          Thread.sleep(100);
        }
        assertThat(pipeline.state().isRunningOrRebalancing()).isTrue();
      }

      assertReplicated(kafka, id);
      List<ScanEvent> stored = new ArrayList<>();
      TopicReader.readAll(
          kafka.bootstrapServers(),
          Map.of(),
          topics.scans(),
          r -> {
            if (r.value() != null) {
              stored.add(r.value());
            }
          });
      Comparator<ScanEvent> order = Comparator.comparing(ScanEvent::toString);
      assertThat(stored.stream().sorted(order).toList())
          .as("every event on the scans topic exactly once")
          .isEqualTo(events.stream().sorted(order).toList());
      long rejected =
          TopicReader.readAll(kafka.bootstrapServers(), Map.of(), topics.rejected(), r -> {});
      assertThat(rejected).as("rejections").isZero();

      List<RemediationCount> finals = new ArrayList<>();
      for (Granularity g : Granularity.values()) {
        TopicReader.readAll(
            kafka.bootstrapServers(), Map.of(), topics.finals(g), r -> finals.add(r.value()));
      }
      finals.sort(ReferenceModel.OUTPUT_ORDER);
      assertThat(finals).isNotEmpty();
      FinalsAssert.assertSameFinals(finals, ReferenceModel.compute(events, partitions).finals());
      System.out.printf(
          "replicated cluster: broker %d (leader of %d of %d scans partitions) stopped in %d ms,"
              + " down %d ms; commits resumed %d ms after the stop began; its replicas back in"
              + " sync %d ms after its restart; %d events stored once each, %d finals exact,"
              + " 0 rejected%n",
          victim,
          victimLed,
          partitions,
          stopMillis,
          downMillis,
          resumedMillis,
          inSyncMillis,
          stored.size(),
          finals.size());
    }
  }

  /**
   * The IPv4 addresses listening on {@code port}, from the kernel's tables of TCP sockets
   * (hexadecimal, {@code 0100007F} is 127.0.0.1, {@code 00000000} every interface); read rather
   * than probed, so no connection is tried to any other address of this machine.
   */
  private static List<String> listeners(int port) throws Exception {
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        String[] local = fields[1].split(":");
        if (fields[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
          // a Java socket is dual-stack: 127.0.0.1 shows as ::ffff:127.0.0.1 in the IPv6 table
          addresses.add(local[0].replaceFirst("^0000000000000000FFFF0000", ""));
        }
      }
    }
    return addresses;
  }

  /**
   * Every topic of the cluster (the application's, its internal ones, the offsets and transaction
   * logs) has a replica on each broker, all in sync again, and needs {@value #MIN_INSYNC} of them
   * for a write.
   */
  private static void assertReplicated(ReplicatedKafka kafka, String id) throws Exception {
    try (Admin admin = kafka.admin()) {
      Set<String> names =
          admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      assertThat(names)
          .contains("__consumer_offsets", "__transaction_state", id + ".scans")
          .anyMatch(n -> n.startsWith(id + "-") && n.endsWith("-changelog"));
      Map<String, TopicDescription> described =
          admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS);
      for (TopicDescription topic : described.values()) {
        for (TopicPartitionInfo p : topic.partitions()) {
          assertThat(p.replicas()).as(topic.name() + " replicas").hasSize(BROKERS);
        }
      }
      List<ConfigResource> resources =
          names.stream()
              .filter(n -> n.startsWith(id) || n.equals("__transaction_state"))
              .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
              .toList();
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(resources).all().get(60, TimeUnit.SECONDS);
      Map<String, String> minIsr =
          configs.entrySet().stream()
              .collect(
                  Collectors.toMap(
                      e -> e.getKey().name(),
                      e -> e.getValue().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()));
      assertThat(minIsr.values()).as("min.insync.replicas").containsOnly("2");
    }
  }

  /** Until every partition of {@code topic} has all its replicas in sync. */
  private static void awaitFullyReplicated(ReplicatedKafka kafka, String topic) throws Exception {
    try (Admin admin = kafka.admin()) {
      while (true) {
        TopicDescription d =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(60, TimeUnit.SECONDS)
                .get(topic);
        if (d.partitions().stream().allMatch(p -> p.isr().size() == BROKERS)) {
          return;
        }
        Thread.sleep(50);
      }
    }
  }

  private static void publish(
      String bootstrap, SchemaRegistry registry, String prefix, List<ScanEvent> events, Long end)
      throws Exception {
    try (ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers(bootstrap)
            .registry(registry)
            .topicPrefix(prefix)
            .clock(CLOCK)
            .build()) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      events.forEach(e -> sent.add(publisher.publish(e)));
      if (end != null) {
        sent.add(publisher.watermark(Instant.ofEpochMilli(end)));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
    }
  }

  private static long committed(Cluster cluster, String applicationId, String topic) {
    try (Admin admin = cluster.admin()) {
      return Completion.committed(admin, applicationId, topic);
    }
  }

  private static void awaitCommitted(
      Cluster cluster, String applicationId, String topic, long records)
      throws InterruptedException {
    while (committed(cluster, applicationId, topic) < records) {
      Thread.sleep(20);
    }
  }
}
