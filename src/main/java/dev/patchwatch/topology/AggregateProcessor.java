package dev.patchwatch.topology;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
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
final class AggregateProcessor
    implements Processor<byte[], StageMessage, CountKey, RemediationCount> {

  /** The child that publishes finals, each to its granularity's topic. */
  static final String TO_FINALS = "finals-sink";

  /** The child that publishes live values; a null value removes the key. */
  static final String TO_LIVE = "live-sink";

  static final String COUNTS_STORE = "aggregate-counts";
  static final String PROGRESS_STORE = "aggregate-progress";

  private static final Logger LOG = LoggerFactory.getLogger(AggregateProcessor.class);

  private final TopologySettings settings;
  private final Windowing windowing;

  private ProcessorContext<CountKey, RemediationCount> context;
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
  public void init(ProcessorContext<CountKey, RemediationCount> context) {
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
              AggregateKey.granularity(raw), AggregateKey.windowStart(raw), progress[source])
          && entry.value.getPartitions().contains(source)) {
        store(entry.key, source, null, entry.value);
      }
    }
  }

  private void onSnapshot(Bytes key, int source, PartialCounts snapshot) {
    byte[] raw = key.get();
    Granularity g = AggregateKey.granularity(raw);
    if (windowing.isClosed(g, AggregateKey.windowStart(raw), frontier)) {
      // Cannot happen while every partition sends partials before the progress that closes them;
      // counting it would publish a second final.
      LOG.warn(
          "dropping partials for {} from partition {}: its window is already final",
          AggregateKey.decode(raw),
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
    if (settings.liveOutput()) {
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
    for (Granularity g : Granularity.values()) {
      long lastClosed = windowing.lastClosedStart(g, frontier);
      if (lastClosed == Long.MIN_VALUE) {
        continue;
      }
      List<KeyValue<Bytes, PartitionedCounts>> closing = new ArrayList<>();
      try (KeyValueIterator<Bytes, PartitionedCounts> range =
          counts.range(
              Bytes.wrap(AggregateKey.lowerBound(g, Long.MIN_VALUE)),
              Bytes.wrap(AggregateKey.upperBound(g, lastClosed)))) {
        range.forEachRemaining(closing::add);
      }
      for (KeyValue<Bytes, PartitionedCounts> entry : closing) {
        RemediationCount total = total(entry.key.get(), entry.value);
        CountKey key = AggregateKey.decode(entry.key.get());
        if (total != null) {
          forward(key, total, TO_FINALS);
          forward(key, total, TO_LIVE);
        }
        counts.delete(entry.key);
        dirty.remove(entry.key);
      }
    }
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

  private void forward(CountKey key, RemediationCount value, String child) {
    context.forward(new Record<>(key, value, context.currentSystemTimeMs()), child);
  }
}
