package dev.patchwatch.replay;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.registry.SchemaRegistry;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.TopicProvisioner;
import dev.patchwatch.runtime.Waits;
import dev.patchwatch.topology.PatchWatchTopology;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import dev.patchwatch.topology.Windowing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Makes a caught-up run's results the live ones for its range (DESIGN section 7.5): within the
 * windows that lie inside the run's observedAt range and are closed both in the run and in the live
 * application, the live final topics and {@code counts.live} are made to hold exactly the run's
 * finals — the run's records are written where they differ, and a tombstone where the live topics
 * hold a key the run has no final for. Everything is written in one Kafka transaction, so a
 * read_committed consumer sees all of it or none of it. Windows outside that scope are never
 * touched.
 *
 * <p>The live application may keep running: a window's final is published exactly once, when it
 * closes, and nothing about a closed window is ever written again, so once both applications have
 * published the finals of every window in scope, nothing but the promotion writes those keys. The
 * plan makes sure they have: it reads each application's progress, then waits until its aggregating
 * stage has consumed every partial result committed so far.
 */
public final class Promotion {

  /** Header on every record a promotion writes: which run it came from. */
  public static final String HEADER = "patchwatch.promoted-from";

  private static final Comparator<CountKey> KEY_ORDER =
      Comparator.comparing(CountKey::getGranularity)
          .thenComparing(CountKey::getWindowStart)
          .thenComparing(CountKey::getVulnerability)
          .thenComparing(CountKey::getDimension)
          .thenComparing(CountKey::getValue);

  private final Cluster cluster;
  private final SchemaRegistry registry;
  private final TopologySettings live;
  private final Runs runs;
  private final Clock clock;

  /** How long a running application gets to aggregate what it has already sent. */
  private static final Duration AGGREGATED_WITHIN = Duration.ofSeconds(60);

  /**
   * @param live the live application's settings: prefix, application id, graces, look-back
   */
  public Promotion(Cluster cluster, SchemaRegistry registry, TopologySettings live, Clock clock) {
    this.cluster = cluster;
    this.registry = registry;
    this.live = live;
    this.runs = new Runs(cluster, live.topicPrefix(), live.applicationId(), Duration.ofSeconds(60));
    this.clock = clock;
  }

  /**
   * What a promotion would write to one live topic.
   *
   * @param writes the records to write, in key order; a null value is a tombstone
   */
  public record TopicPlan(
      TopicSpec<CountKey, RemediationCount> topic,
      List<Write> writes,
      long added,
      long changed,
      long removed,
      long unchanged) {

    public String summary() {
      return String.format(
          Locale.ROOT,
          "%s: %,d added, %,d changed, %,d removed, %,d unchanged",
          topic.name(),
          added,
          changed,
          removed,
          unchanged);
    }
  }

  /** One record to write; {@code before} is the live value it replaces (null if none). */
  public record Write(CountKey key, RemediationCount before, RemediationCount after) {}

  /**
   * A promotion worked out and not yet written.
   *
   * @param runProgress the run's progress: the least over the scans partitions
   * @param liveProgress the live application's, empty if it never ran
   * @param closedBefore windows whose end plus grace is at or before this are closed in both
   */
  public record Plan(
      RunRecord run,
      long runProgress,
      OptionalLong liveProgress,
      long closedBefore,
      List<TopicPlan> topics) {

    public long writes() {
      return topics.stream().mapToLong(t -> t.writes().size()).sum();
    }

    /** One line per topic, and the scope they cover. */
    public List<String> describe() {
      List<String> lines = new ArrayList<>();
      lines.add(
          "run "
              + run.id()
              + ": windows inside observedAt "
              + run.range()
              + " that are closed in the run (progress "
              + instant(runProgress)
              + ") and in the live"
              + " application (progress "
              + (liveProgress.isPresent()
                  ? instant(liveProgress.getAsLong())
                  : "none: it never ran")
              + ")");
      topics.forEach(t -> lines.add("  " + t.summary()));
      return lines;
    }

    private static String instant(long millis) {
      return millis == Long.MIN_VALUE ? "none" : Instant.ofEpochMilli(millis).toString();
    }
  }

  /**
   * Works out a promotion without writing anything.
   *
   * @throws IllegalStateException if the run has no record or has not caught up, or if an
   *     application stopped before publishing the finals its progress implies, or a running one has
   *     not published them within a minute
   */
  public Plan plan(RunId id) {
    RunRecord run = caughtUpRun(id);
    Topics runTopics = runs.topics(id, registry);
    Topics liveTopics = Topics.create(live.topicPrefix(), live.applicationId(), registry);
    TopicsNow now = topicsNow(liveTopics);
    Map<String, Map<Integer, Long>> progress =
        readAll(
            now.existing(),
            List.of(runTopics.progress(), liveTopics.progress()),
            (topic, r, into) -> {
              if (r.key() != null && r.value() != null) {
                into.merge(r.key(), r.value().getProgress(), Math::max);
              }
            });
    long runProgress =
        least(progress.get(runTopics.progress().name()), now.scansPartitions())
            .orElse(Long.MIN_VALUE);
    OptionalLong liveProgress =
        least(progress.get(liveTopics.progress().name()), now.scansPartitions());
    long closedBefore = Math.min(runProgress, liveProgress.orElse(Long.MAX_VALUE));
    Windowing windowing = new Windowing(live);
    // after reading the progress: every partial sent with it is then committed, and is awaited
    awaitAggregated(run.applicationId(), now.existing());
    awaitAggregated(live.applicationId(), now.existing());
    List<TopicPlan> plans =
        topicPlans(run, runTopics, liveTopics, now.existing(), windowing, closedBefore);
    return new Plan(run, runProgress, liveProgress, closedBefore, plans);
  }

  /** The run's record, refused if there is none or the run has not caught up. */
  private RunRecord caughtUpRun(RunId id) {
    RunRecord run =
        runs.record(id)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "there is no record of run "
                            + id
                            + " in "
                            + runs.recordsTopic()
                            + ": only runs started by `reprocess` can be promoted"));
    if (run.caughtUpAt().isEmpty()) {
      throw new IllegalStateException(
          "run "
              + id
              + " has not caught up: resume it (reprocess --run-id "
              + id
              + " --until-caught-up) and promote it once it has");
    }
    return run;
  }

  /** The live scans topic's partition count and the names of the topics that exist. */
  private record TopicsNow(int scansPartitions, Set<String> existing) {}

  private TopicsNow topicsNow(Topics liveTopics) {
    try (Admin admin = cluster.admin()) {
      TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(60));
      int partitions =
          provisioner
              .partitions(liveTopics.scans().name())
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "topic " + liveTopics.scans().name() + " does not exist"));
      return new TopicsNow(partitions, get(admin.listTopics().names()));
    }
  }

  /** What to write to each live final topic, then to {@code counts.live}, within the scope. */
  private List<TopicPlan> topicPlans(
      RunRecord run,
      Topics runTopics,
      Topics liveTopics,
      Set<String> existing,
      Windowing windowing,
      long closedBefore) {
    List<TopicSpec<CountKey, RemediationCount>> read = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      read.add(runTopics.finals(g));
      read.add(liveTopics.finals(g));
    }
    read.add(liveTopics.countsLive());
    // one pass over every topic involved, keeping the latest value per key in scope
    Map<String, Map<CountKey, RemediationCount>> latest =
        readAll(
            existing,
            read,
            (topic, r, into) -> {
              if (inScope(r.key(), run, windowing, closedBefore)) {
                if (r.value() == null) {
                  into.remove(r.key());
                } else {
                  into.put(r.key(), r.value());
                }
              }
            });
    Map<CountKey, RemediationCount> runFinals = new HashMap<>();
    List<TopicPlan> plans = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      Map<CountKey, RemediationCount> desired = latest.get(runTopics.finals(g).name());
      runFinals.putAll(desired);
      plans.add(diff(liveTopics.finals(g), desired, latest.get(liveTopics.finals(g).name())));
    }
    plans.add(diff(liveTopics.countsLive(), runFinals, latest.get(liveTopics.countsLive().name())));
    return plans;
  }

  /**
   * Writes a plan in one transaction and records it with the run; a plan without writes writes and
   * records nothing.
   *
   * @return one line saying what was written
   */
  public String execute(Plan plan) {
    if (plan.writes() == 0) {
      return "nothing to write: the live topics already hold the run's finals in its scope";
    }
    Map<String, Object> config = cluster.clientConfig();
    // one id per live application: a second promotion started meanwhile fences this one off
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, live.applicationId() + "-promote");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(10).toMillis());
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER, plan.run().id().value().getBytes(StandardCharsets.UTF_8));
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      try {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (TopicPlan topic : plan.topics()) {
          String name = topic.topic().name();
          for (Write write : topic.writes()) {
            byte[] key = topic.topic().keySerde().serializer().serialize(name, write.key());
            byte[] value =
                write.after() == null
                    ? null
                    : topic.topic().valueSerde().serializer().serialize(name, write.after());
            sent.add(producer.send(new ProducerRecord<>(name, null, key, value, headers)));
          }
        }
        producer.commitTransaction();
        for (Future<RecordMetadata> f : sent) {
          f.get(60, TimeUnit.SECONDS);
        }
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        try {
          producer.abortTransaction();
        } catch (RuntimeException abortFailed) {
          e.addSuppressed(abortFailed);
        }
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        throw new IllegalStateException(
            "the promotion was rolled back: " + cause.getMessage(), cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        producer.abortTransaction();
        throw new IllegalStateException("interrupted; the promotion was rolled back", e);
      }
    }
    String summary =
        String.format(
            Locale.ROOT,
            "%,d records written in one transaction (%s)",
            plan.writes(),
            String.join("; ", plan.topics().stream().map(TopicPlan::summary).toList()));
    runs.save(plan.run().withPromotion(clock.instant(), summary));
    return summary;
  }

  private boolean inScope(CountKey key, RunRecord run, Windowing windowing, long closedBefore) {
    Granularity g = key.getGranularity();
    long start = key.getWindowStart().toEpochMilli();
    long end = windowing.end(g, start);
    return run.range().covers(start, end) && end + windowing.grace(g) <= closedBefore;
  }

  private static TopicPlan diff(
      TopicSpec<CountKey, RemediationCount> topic,
      Map<CountKey, RemediationCount> desired,
      Map<CountKey, RemediationCount> current) {
    List<Write> writes = new ArrayList<>();
    long added = 0;
    long changed = 0;
    long unchanged = 0;
    long removed = 0;
    for (Map.Entry<CountKey, RemediationCount> e : desired.entrySet()) {
      RemediationCount before = current.get(e.getKey());
      if (before == null) {
        added++;
        writes.add(new Write(e.getKey(), null, e.getValue()));
      } else if (!before.equals(e.getValue())) {
        changed++;
        writes.add(new Write(e.getKey(), before, e.getValue()));
      } else {
        unchanged++;
      }
    }
    for (Map.Entry<CountKey, RemediationCount> e : current.entrySet()) {
      if (!desired.containsKey(e.getKey())) {
        removed++;
        writes.add(new Write(e.getKey(), e.getValue(), null));
      }
    }
    writes.sort(Comparator.comparing(Write::key, KEY_ORDER));
    return new TopicPlan(topic, List.copyOf(writes), added, changed, removed, unchanged);
  }

  /**
   * Waits until an application's aggregating stage has consumed every partial result committed to
   * its repartition topic so far — then every final its announced progress implies is published.
   * Exact whatever the transaction markers: it looks for committed records past the group's
   * committed offsets rather than comparing offsets.
   *
   * @throws IllegalStateException if records remain and the application is stopped, or after a
   *     minute
   */
  private void awaitAggregated(String applicationId, Set<String> existing) {
    String topic = applicationId + "-" + PatchWatchTopology.PARTIALS + "-repartition";
    if (!existing.contains(topic)) {
      return;
    }
    Map<TopicPartition, Long> end;
    try (Admin admin = cluster.admin()) {
      int count = new TopicProvisioner(admin, Duration.ofSeconds(60)).partitions(topic).orElse(0);
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < count; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      end = new HashMap<>();
      get(admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all())
          .forEach((tp, info) -> end.put(tp, info.offset()));
      long deadline = System.nanoTime() + AGGREGATED_WITHIN.toNanos();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            get(admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata());
        long pending = pending(end, committed);
        if (pending == 0) {
          return;
        }
        if (!runs.isRunning(applicationId)) {
          throw new IllegalStateException(
              "application "
                  + applicationId
                  + " stopped with "
                  + pending
                  + " partial results it has"
                  + " not aggregated: start it until it has, then promote");
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "application "
                  + applicationId
                  + " still has "
                  + pending
                  + " partial results to"
                  + " aggregate after "
                  + AGGREGATED_WITHIN.toSeconds()
                  + " s: try again later");
        }
        Waits.sleep(200, applicationId);
      }
    }
  }

  /** Committed records between the committed offsets and {@code end}. */
  private long pending(
      Map<TopicPartition, Long> end, Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>(end.keySet());
      consumer.assign(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata done = committed.get(tp);
        consumer.seek(tp, Math.max(begin.get(tp), done == null ? 0 : done.offset()));
      }
      long pending = 0;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            pending++;
          }
        }
      }
      return pending;
    }
  }

  /** What a record read does to the map kept for its topic. */
  private interface Fold<K, V, MK, MV> {
    void apply(String topic, ConsumerRecord<K, V> record, Map<MK, MV> into);
  }

  /**
   * Reads every committed record of the topics that exist, as of now, in one pass with one
   * consumer, folding each topic's records into a map of its own (empty for a missing topic).
   */
  private <K, V, MK, MV> Map<String, Map<MK, MV>> readAll(
      Set<String> existing, List<TopicSpec<K, V>> specs, Fold<K, V, MK, MV> fold) {
    Map<String, Map<MK, MV>> maps = new HashMap<>();
    Map<String, TopicSpec<K, V>> byName = new HashMap<>();
    for (TopicSpec<K, V> spec : specs) {
      maps.put(spec.name(), new LinkedHashMap<>());
      if (existing.contains(spec.name())) {
        byName.put(spec.name(), spec);
      }
    }
    if (byName.isEmpty()) {
      return maps;
    }
    Map<String, Object> config = cluster.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String name : byName.keySet()) {
        consumer
            .partitionsFor(name, Duration.ofSeconds(60))
            .forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> raw : consumer.poll(Duration.ofMillis(200))) {
          if (raw.offset() >= end.get(new TopicPartition(raw.topic(), raw.partition()))) {
            continue;
          }
          TopicSpec<K, V> spec = byName.get(raw.topic());
          K key = spec.keySerde().deserializer().deserialize(raw.topic(), raw.headers(), raw.key());
          V value =
              spec.valueSerde().deserializer().deserialize(raw.topic(), raw.headers(), raw.value());
          fold.apply(
              raw.topic(),
              new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), key, value),
              maps.get(raw.topic()));
        }
      }
    }
    return maps;
  }

  /**
   * An application's progress: the least over the partitions, since a window is closed only once
   * every partition has passed it; empty if it never announced any.
   */
  private static OptionalLong least(Map<Integer, Long> byPartition, int partitions) {
    if (byPartition.isEmpty()) {
      return OptionalLong.empty();
    }
    long least = Long.MAX_VALUE;
    for (int p = 0; p < partitions; p++) {
      least = Math.min(least, byPartition.getOrDefault(p, Long.MIN_VALUE));
    }
    return OptionalLong.of(least);
  }

  private static <T> T get(KafkaFuture<T> future) {
    return Waits.await(future, Duration.ofSeconds(60), "get an answer from the cluster");
  }
}
