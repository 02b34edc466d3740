package dev.patchwatch.topology;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.avro.internal.PartialCounts;
import dev.patchwatch.avro.internal.PartitionedCounts;
import dev.patchwatch.avro.internal.Snapshot;
import dev.patchwatch.avro.internal.StageMessage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage B: partitioned by aggregate key. It keeps each input partition's latest partial counts per
 * key, publishes live sums, and publishes a window's finals once every input partition's progress
 * has closed it; a window's keys are then forgotten, so each final is published exactly once.
 */
final class AggregateProcessor implements Processor<byte[], StageMessage, Object, Object> {

  /** The child that publishes finals, each to its granularity's topic. */
  static final String TO_FINALS = "finals-sink";

  /** The child that publishes transitions ({@link TransitionCount}). */
  static final String TO_TRANSITIONS = "transitions-sink";

  /** The child that publishes cohort points ({@link CohortCount}). */
  static final String TO_COHORTS = "cohorts-sink";

  /** The child that publishes live values; a null value removes the key. */
  static final String TO_LIVE = "live-sink";

  static final String COUNTS_STORE = "aggregate-counts";
  static final String PROGRESS_STORE = "aggregate-progress";

  private static final Logger LOG = LoggerFactory.getLogger(AggregateProcessor.class);

  /** The kinds of key that are counts, with live values: one per granularity. */
  private static final int COUNT_KINDS = Granularity.values().length;

  private final TopologySettings settings;
  private final Windowing windowing;

  private ProcessorContext<Object, Object> context;
  private KeyValueStore<Bytes, PartitionedCounts> counts;
  private KeyValueStore<Integer, Long> progressStore;
  private long[] progress;
  private long frontier;
  private final Set<Bytes> dirty = new LinkedHashSet<>();

  AggregateProcessor(TopologySettings settings) {
    this.settings = settings;
    this.windowing = new Windowing(settings);
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    this.counts = context.getStateStore(COUNTS_STORE);
    this.progressStore = context.getStateStore(PROGRESS_STORE);
    this.progress = new long[settings.inputPartitions()];
    Arrays.fill(progress, Long.MIN_VALUE);
    for (int p = 0; p < progress.length; p++) {
      Long stored = progressStore.get(p);
      if (stored != null) {
        progress[p] = stored;
      }
    }
    this.frontier = Arrays.stream(progress).min().orElse(Long.MIN_VALUE);
    this.dirty.clear();
    if (settings.liveOutput()) {
      context.schedule(
          settings.liveInterval(), PunctuationType.WALL_CLOCK_TIME, now -> publishLive());
    }
  }

  @Override
  public void process(Record<byte[], StageMessage> record) {
    StageMessage message = record.value();
    int source = message.getPartition();
    if (source < 0 || source >= progress.length) {
      LOG.warn(
          "ignoring a message from input partition {}: the topology expects {} partitions",
          source,
          progress.length);
      return;
    }
    for (Snapshot snapshot : message.getSnapshots()) {
      ByteBuffer key = snapshot.getKey();
      byte[] bytes = new byte[key.remaining()];
      key.duplicate().get(bytes);
      onSnapshot(Bytes.wrap(bytes), source, snapshot.getCounts());
    }
    if (message.getReset()) {
      onReset(source);
    }
    if (message.getProgress() != null) {
      onProgress(source, message.getProgress());
    }
  }

  /**
   * Forgets what {@code source} sent for the windows still open on it: it restarted, and sends
   * again what its restored state holds. Windows it had closed keep its partials: it never sends
   * those again. This task has read everything the source committed before the reset, so the
   * source's progress here is the one it restarted from.
   */
  private void onReset(int source) {
    List<KeyValue<Bytes, PartitionedCounts>> held = new ArrayList<>();
    try (KeyValueIterator<Bytes, PartitionedCounts> all = counts.all()) {
      all.forEachRemaining(held::add);
    }
    for (KeyValue<Bytes, PartitionedCounts> entry : held) {
      byte[] raw = entry.key.get();
      if (!windowing.isClosed(
              AggregateKey.kind(raw).closesWith(), AggregateKey.windowStart(raw), progress[source])
          && entry.value.getPartitions().contains(source)) {
        store(entry.key, source, null, entry.value);
      }
    }
  }

  private void onSnapshot(Bytes key, int source, PartialCounts snapshot) {
    byte[] raw = key.get();
    Granularity g = AggregateKey.kind(raw).closesWith();
    if (windowing.isClosed(g, AggregateKey.windowStart(raw), frontier)) {
      // Cannot happen while every partition sends partials before the progress that closes them;
      // counting it would publish a second final.
      LOG.warn(
          "dropping partials for {} {} from partition {}: its window is already final",
          AggregateKey.kind(raw),
          Instant.ofEpochMilli(AggregateKey.windowStart(raw)),
          source);
      return;
    }
    store(key, source, snapshot.getHosts() == 0 ? null : snapshot, counts.get(key));
  }

  /** Sets (or with null, removes) {@code source}'s snapshot of {@code key}. */
  private void store(Bytes key, int source, PartialCounts snapshot, PartitionedCounts current) {
    List<Integer> partitions =
        new ArrayList<>(current == null ? List.of() : current.getPartitions());
    List<PartialCounts> values = new ArrayList<>(current == null ? List.of() : current.getCounts());
    int at = partitions.indexOf(source);
    if (snapshot == null) {
      if (at < 0) {
        return;
      }
      partitions.remove(at);
      values.remove(at);
    } else if (at >= 0) {
      values.set(at, snapshot);
    } else {
      int insert = 0;
      while (insert < partitions.size() && partitions.get(insert) < source) {
        insert++;
      }
      partitions.add(insert, source);
      values.add(insert, snapshot);
    }
    if (partitions.isEmpty()) {
      counts.delete(key);
    } else {
      counts.put(key, new PartitionedCounts(partitions, values));
    }
    if (settings.liveOutput() && AggregateKey.kind(key.get()).ordinal() < COUNT_KINDS) {
      dirty.add(key);
    }
  }

  private void onProgress(int source, long value) {
    if (value <= progress[source]) {
      return;
    }
    progress[source] = value;
    progressStore.put(source, value);
    long next = Arrays.stream(progress).min().orElse(Long.MIN_VALUE);
    if (next <= frontier) {
      return;
    }
    frontier = next;
    for (AggregateKey.Kind kind : AggregateKey.Kind.values()) {
      long lastClosed = windowing.lastClosedStart(kind.closesWith(), frontier);
      if (lastClosed == Long.MIN_VALUE) {
        continue;
      }
      List<KeyValue<Bytes, PartitionedCounts>> closing = new ArrayList<>();
      try (KeyValueIterator<Bytes, PartitionedCounts> range =
          counts.range(
              Bytes.wrap(AggregateKey.lowerBound(kind, Long.MIN_VALUE)),
              Bytes.wrap(AggregateKey.upperBound(kind, lastClosed)))) {
        range.forEachRemaining(closing::add);
      }
      for (KeyValue<Bytes, PartitionedCounts> entry : closing) {
        publishFinal(kind, entry.key.get(), entry.value);
        counts.delete(entry.key);
        dirty.remove(entry.key);
      }
    }
  }

  private void publishFinal(AggregateKey.Kind kind, byte[] key, PartitionedCounts parts) {
    Counts sum = new Counts();
    parts.getCounts().forEach(sum::add);
    if (sum.hosts < 1) {
      return; // a record needs hosts (a cohort, members) ≥ 1
    }
    switch (kind) {
      case TRANSITIONS -> forward(AggregateKey.decode(key), transitions(key, sum), TO_TRANSITIONS);
      case COHORTS -> forward(AggregateKey.decodeCohort(key), cohort(key, sum), TO_COHORTS);
      default -> {
        CountKey countKey = AggregateKey.decode(key);
        RemediationCount total = total(key, parts);
        forward(countKey, total, TO_FINALS);
        forward(countKey, total, TO_LIVE);
      }
    }
  }

  /**
   * A transitions partial's six counters hold hosts, remediated, regressed, newly compromised,
   * compromised but remediated, and 0.
   */
  private TransitionCount transitions(byte[] key, Counts sum) {
    long day = AggregateKey.windowStart(key);
    return TransitionCount.newBuilder()
        .setWindowStart(Instant.ofEpochMilli(day))
        .setWindowEnd(Instant.ofEpochMilli(windowing.end(Granularity.DAILY, day)))
        .setVulnerability(AggregateKey.vulnerability(key))
        .setDimension(AggregateKey.dimension(key))
        .setValue(AggregateKey.value(key))
        .setHosts(sum.hosts)
        .setRemediated(sum.vulnerable)
        .setRegressed(sum.mitigated)
        .setNewlyCompromised(sum.patched)
        .setCompromisedButRemediated(sum.unreachable)
        .build();
  }

  /** A cohort partial's six counters hold size, observed, then members by status. */
  private static CohortCount cohort(byte[] key, Counts sum) {
    CohortKey k = AggregateKey.decodeCohort(key);
    return CohortCount.newBuilder()
        .setVulnerability(k.getVulnerability())
        .setCohortDay(k.getCohortDay())
        .setAgeDays(k.getAgeDays())
        .setDay(Instant.ofEpochMilli(AggregateKey.windowStart(key)))
        .setDimension(k.getDimension())
        .setValue(k.getValue())
        .setCohortSize(sum.hosts)
        .setObserved(sum.vulnerable)
        .setVulnerable(sum.mitigated)
        .setMitigated(sum.patched)
        .setPatched(sum.unreachable)
        .setUnreachable(sum.compromised)
        .build();
  }

  private void publishLive() {
    for (Bytes key : dirty) {
      PartitionedCounts current = counts.get(key);
      forward(
          AggregateKey.decode(key.get()),
          current == null ? null : total(key.get(), current),
          TO_LIVE);
    }
    dirty.clear();
  }

  /** The sum over partitions, or null when no host is left (DESIGN: a record needs hosts ≥ 1). */
  private RemediationCount total(byte[] key, PartitionedCounts parts) {
    Counts sum = new Counts();
    parts.getCounts().forEach(sum::add);
    if (sum.hosts < 1) {
      return null;
    }
    Granularity g = AggregateKey.granularity(key);
    long start = AggregateKey.windowStart(key);
    CountKey k = AggregateKey.decode(key);
    long counted = sum.vulnerable + sum.mitigated + sum.patched;
    return RemediationCount.newBuilder()
        .setGranularity(g)
        .setWindowStart(Instant.ofEpochMilli(start))
        .setWindowEnd(Instant.ofEpochMilli(windowing.end(g, start)))
        .setVulnerability(k.getVulnerability())
        .setDimension(k.getDimension())
        .setValue(k.getValue())
        .setHosts(sum.hosts)
        .setVulnerable(sum.vulnerable)
        .setMitigated(sum.mitigated)
        .setPatched(sum.patched)
        .setUnreachable(sum.unreachable)
        .setCompromised(sum.compromised)
        .setRemediatedRatio(counted == 0 ? null : (double) (sum.mitigated + sum.patched) / counted)
        .build();
  }

  private void forward(Object key, Object value, String child) {
    context.forward(new Record<>(key, value, context.currentSystemTimeMs()), child);
  }
}
