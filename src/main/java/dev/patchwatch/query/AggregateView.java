package dev.patchwatch.query;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A materialised view of the aggregate topics, kept by one background consumer that reads them
 * read_committed from their beginning and follows them: the finals of the three final topics, the
 * latest live value of every key (tombstones remove it), the transitions and cohort points (DESIGN
 * section 7.9), every input partition's announced progress and the rejections counted by reason.
 * The aggregate topics are small (one record per window, vulnerability and slice; 29 per cohort and
 * slice), so every instance holds all of them and answers for everything. Queries take a read lock;
 * the consumer applies each polled batch under the write lock, so a query never sees half a batch.
 */
public final class AggregateView implements AutoCloseable {

  /** One series: the windows of one (granularity, vulnerability, dimension, value). */
  record Series(Granularity granularity, String vulnerability, Dimension dimension, String value) {
    static Series of(CountKey key) {
      return new Series(
          key.getGranularity(), key.getVulnerability(), key.getDimension(), key.getValue());
    }
  }

  /** The cohorts of one (vulnerability, dimension, value), the slice fixed by each day-C event. */
  record CohortSeries(String vulnerability, Dimension dimension, String value) {
    static CohortSeries of(CohortKey key) {
      return new CohortSeries(key.getVulnerability(), key.getDimension(), key.getValue());
    }
  }

  /** One point of a cohort's curve: the cohort of day C as seen at age k (on day C + k). */
  record CohortPoint(
      int ageDays,
      long cohortSize,
      long observed,
      long vulnerable,
      long mitigated,
      long patched,
      long unreachable) {}

  /**
   * The points read of one cohort, by age. Held as numbers rather than as the decoded records: a
   * month of cohorts is 29 records per day and slice, the largest part of the view.
   */
  static final class CohortCurve {
    static final int AGES = 29;
    private static final int FIELDS = 6;
    private final long[] counts = new long[AGES * FIELDS];
    private int present;

    void put(CohortCount c) {
      int at = c.getAgeDays() * FIELDS;
      counts[at] = c.getCohortSize();
      counts[at + 1] = c.getObserved();
      counts[at + 2] = c.getVulnerable();
      counts[at + 3] = c.getMitigated();
      counts[at + 4] = c.getPatched();
      counts[at + 5] = c.getUnreachable();
      present |= 1 << c.getAgeDays();
    }

    void remove(int age) {
      present &= ~(1 << age);
    }

    boolean isEmpty() {
      return present == 0;
    }

    /** The points read, youngest first. */
    List<CohortPoint> points() {
      List<CohortPoint> points = new ArrayList<>(Integer.bitCount(present));
      for (int age = 0; age < AGES; age++) {
        if ((present & (1 << age)) != 0) {
          int at = age * FIELDS;
          points.add(
              new CohortPoint(
                  age,
                  counts[at],
                  counts[at + 1],
                  counts[at + 2],
                  counts[at + 3],
                  counts[at + 4],
                  counts[at + 5]));
        }
      }
      return points;
    }
  }

  /** What a query reads, under the read lock. */
  interface Reader<T> {
    T read(Snapshot snapshot);
  }

  /** The view's state as a query sees it; valid only inside {@link #read}. */
  public final class Snapshot {
    private Snapshot() {}

    NavigableMap<Instant, RemediationCount> finals(Series series) {
      return finals.getOrDefault(series, EMPTY);
    }

    NavigableMap<Instant, RemediationCount> live(Series series) {
      return live.getOrDefault(series, EMPTY);
    }

    /** The transitions of one DAILY series, by day. */
    NavigableMap<Instant, TransitionCount> transitions(Series series) {
      return transitions.getOrDefault(series, NO_TRANSITIONS);
    }

    /** The cohorts of one slice, by cohort day. */
    NavigableMap<Instant, CohortCurve> cohorts(CohortSeries series) {
      return cohorts.getOrDefault(series, NO_COHORTS);
    }

    long transitionRecords() {
      return transitionRecords;
    }

    long cohortRecords() {
      return cohortRecords;
    }

    /** Every series of {@code granularity} and {@code vulnerability} in {@code dimension}. */
    List<Series> series(Granularity granularity, String vulnerability, Dimension dimension) {
      List<Series> all = new ArrayList<>();
      for (Map<Series, NavigableMap<Instant, RemediationCount>> map : List.of(finals, live)) {
        for (Series s : map.keySet()) {
          if (s.granularity() == granularity
              && s.vulnerability().equals(vulnerability)
              && s.dimension() == dimension
              && !all.contains(s)) {
            all.add(s);
          }
        }
      }
      return all;
    }

    /** Every vulnerability with a GLOBAL record in any topic, in code-point order. */
    TreeSet<String> vulnerabilities() {
      TreeSet<String> all = new TreeSet<>();
      for (Map<Series, NavigableMap<Instant, RemediationCount>> map : List.of(finals, live)) {
        map.keySet().stream()
            .filter(s -> s.dimension() == Dimension.GLOBAL)
            .forEach(s -> all.add(s.vulnerability()));
      }
      transitions.keySet().stream()
          .filter(s -> s.dimension() == Dimension.GLOBAL)
          .forEach(s -> all.add(s.vulnerability()));
      cohorts.keySet().stream()
          .filter(s -> s.dimension() == Dimension.GLOBAL)
          .forEach(s -> all.add(s.vulnerability()));
      return all;
    }

    Map<Integer, PartitionProgress> progress() {
      return progress;
    }

    Map<RejectReason, Long> rejected() {
      return rejected;
    }

    Map<Granularity, Long> late() {
      return late;
    }

    Map<Granularity, Long> finalRecords() {
      return finalRecords;
    }

    /** The oldest live window of {@code granularity} that has no final yet, if any. */
    Optional<Instant> oldestOpenWindow(Granularity granularity) {
      Instant oldest = null;
      for (Map.Entry<Series, NavigableMap<Instant, RemediationCount>> e : live.entrySet()) {
        if (e.getKey().granularity() != granularity) {
          continue;
        }
        NavigableMap<Instant, RemediationCount> closed = finals(e.getKey());
        for (Instant start : e.getValue().keySet()) {
          if (oldest != null && !start.isBefore(oldest)) {
            break;
          }
          if (!closed.containsKey(start)) {
            oldest = start;
            break;
          }
        }
      }
      return Optional.ofNullable(oldest);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(AggregateView.class);
  private static final NavigableMap<Instant, RemediationCount> EMPTY = new TreeMap<>();
  private static final NavigableMap<Instant, TransitionCount> NO_TRANSITIONS = new TreeMap<>();
  private static final NavigableMap<Instant, CohortCurve> NO_COHORTS = new TreeMap<>();

  private final Topics topics;
  private final Map<String, Object> consumerConfig;
  private final Cluster cluster;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<Series, NavigableMap<Instant, RemediationCount>> finals = new HashMap<>();
  private final Map<Series, NavigableMap<Instant, RemediationCount>> live = new HashMap<>();
  private final Map<Series, NavigableMap<Instant, TransitionCount>> transitions = new HashMap<>();
  private final Map<CohortSeries, NavigableMap<Instant, CohortCurve>> cohorts = new HashMap<>();
  private final Map<Integer, PartitionProgress> progress = new TreeMap<>();
  private final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
  private final Map<Granularity, Long> late = new EnumMap<>(Granularity.class);
  private final Map<Granularity, Long> finalRecords = new EnumMap<>(Granularity.class);
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final Map<String, Function<ConsumerRecord<byte[], byte[]>, Runnable>> decoders =
      new HashMap<>();
  private long transitionRecords;
  private long cohortRecords;
  private volatile long skipped;
  private volatile Throwable failure;
  private volatile boolean closed;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  private AggregateView(Cluster cluster, Topics topics) {
    this.cluster = cluster;
    this.topics = topics;
    this.consumerConfig = new HashMap<>(cluster.clientConfig());
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "patchwatch-view");
    for (Granularity g : Granularity.values()) {
      TopicSpec<CountKey, RemediationCount> spec = topics.finals(g);
      decoders.put(spec.name(), aggregate(spec, true));
      finalRecords.put(g, 0L);
      late.put(g, 0L);
    }
    decoders.put(topics.countsLive().name(), aggregate(topics.countsLive(), false));
    decoders.put(topics.transitionsDaily().name(), this::transition);
    decoders.put(topics.cohortsDaily().name(), this::cohortPoint);
    decoders.put(topics.rejected().name(), this::rejection);
    decoders.put(topics.progress().name(), this::progressRecord);
  }

  /** Starts following the aggregate, rejected and progress topics of {@code topics}. */
  public static AggregateView start(Cluster cluster, Topics topics) {
    AggregateView view = new AggregateView(cluster, topics);
    view.consumer =
        new KafkaConsumer<>(
            view.consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : view.decoders.keySet()) {
      var info = view.consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (info == null || info.isEmpty()) {
        view.consumer.close();
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      info.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    view.consumer.assign(partitions);
    view.consumer.seekToBeginning(partitions);
    view.thread = new Thread(view::follow, "patchwatch-view");
    view.thread.setDaemon(true);
    view.thread.start();
    return view;
  }

  /** A view that follows nothing: only {@link #apply} changes it (tests without a broker). */
  static AggregateView detached(Topics topics) {
    return new AggregateView(Cluster.of("127.0.0.1:9"), topics);
  }

  public Topics topics() {
    return topics;
  }

  /** Runs {@code reader} on a consistent state of the view. */
  public <T> T read(Reader<T> reader) {
    lock.readLock().lock();
    try {
      return reader.read(new Snapshot());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Records the view could not decode and skipped (each logged). */
  public long skipped() {
    return skipped;
  }

  /** What stopped the view's consumer, if anything did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Waits until the view holds everything committed to its topics when this was called.
   *
   * @throws IllegalStateException if that takes longer than {@code timeout} or the view failed
   */
  public void awaitCurrent(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, Long> ends = endOffsets(timeout);
    while (ends.entrySet().stream()
        .anyMatch(e -> positions.getOrDefault(e.getKey(), 0L) < e.getValue())) {
      if (failure != null) {
        throw new IllegalStateException("the view stopped: " + failure.getMessage(), failure);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the view did not catch up within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the view", e);
      }
    }
  }

  /** The application's committed offsets on the scans topic, per partition (for the lag). */
  Map<Integer, long[]> scansLag(String groupId, Duration timeout) throws Exception {
    try (Admin admin = cluster.admin()) {
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      var description =
          admin
              .describeTopics(List.of(topics.scans().name()))
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(topics.scans().name());
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      description
          .partitions()
          .forEach(
              p -> request.put(new TopicPartition(topics.scans().name(), p.partition()), latest()));
      var ends =
          admin
              .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<Integer, long[]> lag = new TreeMap<>();
      ends.forEach(
          (tp, info) -> {
            var c = committed.get(tp);
            lag.put(tp.partition(), new long[] {c == null ? -1 : c.offset(), info.offset()});
          });
      return lag;
    }
  }

  private static OffsetSpec latest() {
    return OffsetSpec.latest();
  }

  private Map<TopicPartition, Long> endOffsets(Duration timeout) {
    try (Admin admin = cluster.admin()) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      var described =
          admin
              .describeTopics(List.copyOf(decoders.keySet()))
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      described.forEach(
          (name, d) ->
              d.partitions()
                  .forEach(p -> request.put(new TopicPartition(name, p.partition()), latest())));
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin
          .listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> ends.put(tp, info.offset()));
      return ends;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted listing offsets", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the view's end offsets: " + e.getMessage(), e);
    }
  }

  private void follow() {
    try {
      while (!closed) {
        apply(consumer.poll(Duration.ofMillis(200)));
        for (TopicPartition tp : consumer.assignment()) {
          positions.put(tp, consumer.position(tp));
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        failure = e;
      }
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("the HTTP view stopped reading its topics", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Decodes {@code records} and applies them at once, so a query never sees half a batch. */
  void apply(Iterable<ConsumerRecord<byte[], byte[]>> records) {
    List<Runnable> changes = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      Runnable change = decode(record);
      if (change != null) {
        changes.add(change);
      }
    }
    lock.writeLock().lock();
    try {
      changes.forEach(Runnable::run);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The change {@code record} makes, or null if it cannot be decoded (it is then skipped). */
  private Runnable decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      return decoders.get(record.topic()).apply(record);
    } catch (RuntimeException e) {
      skipped++;
      LOG.warn(
          "skipping undecodable record {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.toString());
      return null;
    }
  }

  private Function<ConsumerRecord<byte[], byte[]>, Runnable> aggregate(
      TopicSpec<CountKey, RemediationCount> spec, boolean isFinal) {
    return record -> {
      CountKey key = spec.keySerde().deserializer().deserialize(record.topic(), record.key());
      RemediationCount value =
          record.value() == null
              ? null
              : spec.valueSerde().deserializer().deserialize(record.topic(), record.value());
      Map<Series, NavigableMap<Instant, RemediationCount>> target = isFinal ? finals : live;
      Series series = Series.of(key);
      return () -> {
        if (value == null) {
          NavigableMap<Instant, RemediationCount> windows = target.get(series);
          if (windows != null) {
            windows.remove(key.getWindowStart());
            if (windows.isEmpty()) {
              target.remove(series);
            }
          }
          return;
        }
        target.computeIfAbsent(series, s -> new TreeMap<>()).put(key.getWindowStart(), value);
        if (isFinal) {
          finalRecords.merge(key.getGranularity(), 1L, Long::sum);
        }
      };
    };
  }

  private Runnable transition(ConsumerRecord<byte[], byte[]> record) {
    TopicSpec<CountKey, TransitionCount> spec = topics.transitionsDaily();
    CountKey key = spec.keySerde().deserializer().deserialize(record.topic(), record.key());
    TransitionCount value =
        record.value() == null
            ? null
            : spec.valueSerde().deserializer().deserialize(record.topic(), record.value());
    Series series = Series.of(key);
    return () -> {
      if (value == null) {
        NavigableMap<Instant, TransitionCount> days = transitions.get(series);
        if (days != null) {
          days.remove(key.getWindowStart());
          if (days.isEmpty()) {
            transitions.remove(series);
          }
        }
        return;
      }
      transitions.computeIfAbsent(series, s -> new TreeMap<>()).put(key.getWindowStart(), value);
      transitionRecords++;
    };
  }

  private Runnable cohortPoint(ConsumerRecord<byte[], byte[]> record) {
    TopicSpec<CohortKey, CohortCount> spec = topics.cohortsDaily();
    CohortKey key = spec.keySerde().deserializer().deserialize(record.topic(), record.key());
    CohortCount value =
        record.value() == null
            ? null
            : spec.valueSerde().deserializer().deserialize(record.topic(), record.value());
    int age = key.getAgeDays();
    if (age < 0 || age >= CohortCurve.AGES || value != null && value.getAgeDays() != age) {
      throw new IllegalArgumentException("a cohort point of age " + age + " (0 to 28 only)");
    }
    CohortSeries series = CohortSeries.of(key);
    Instant day = key.getCohortDay();
    return () -> {
      if (value == null) {
        NavigableMap<Instant, CohortCurve> days = cohorts.get(series);
        CohortCurve curve = days == null ? null : days.get(day);
        if (curve != null) {
          curve.remove(age);
          if (curve.isEmpty()) {
            days.remove(day);
          }
          if (days.isEmpty()) {
            cohorts.remove(series);
          }
        }
        return;
      }
      cohorts
          .computeIfAbsent(series, s -> new TreeMap<>())
          .computeIfAbsent(day, d -> new CohortCurve())
          .put(value);
      cohortRecords++;
    };
  }

  private Runnable rejection(ConsumerRecord<byte[], byte[]> record) {
    Rejected value =
        topics.rejected().valueSerde().deserializer().deserialize(record.topic(), record.value());
    return () -> {
      rejected.merge(value.getReason(), 1L, Long::sum);
      if (value.getReason() == RejectReason.LATE) {
        value.getGranularities().forEach(g -> late.merge(g, 1L, Long::sum));
      }
    };
  }

  private Runnable progressRecord(ConsumerRecord<byte[], byte[]> record) {
    Integer partition =
        topics.progress().keySerde().deserializer().deserialize(record.topic(), record.key());
    PartitionProgress value =
        record.value() == null
            ? null
            : topics
                .progress()
                .valueSerde()
                .deserializer()
                .deserialize(record.topic(), record.value());
    return () -> {
      if (value == null) {
        progress.remove(partition);
      } else {
        progress.put(partition, value);
      }
    };
  }

  @Override
  public void close() {
    closed = true;
    if (consumer != null) {
      consumer.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
