package dev.patchwatch.topology;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.avro.internal.PartialCounts;
import dev.patchwatch.avro.internal.Snapshot;
import dev.patchwatch.avro.internal.StageMessage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
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
  static final String COMMIT_HOOK = "aggregate-commit";

  private static final Logger LOG = LoggerFactory.getLogger(AggregateProcessor.class);

  /** The kinds of key that are counts, with live values: one per granularity. */
  private static final int COUNT_KINDS = Granularity.values().length;

  private static final AggregateKey.Kind[] KINDS = AggregateKey.Kind.values();

  private final TopologySettings settings;
  private final Windowing windowing;

  private ProcessorContext<Object, Object> context;
  private KeyValueStore<Bytes, byte[]> counts;
  private KeyValueStore<Integer, Long> progressStore;
  private long[] progress;
  private long frontier;
  private final Set<Bytes> dirty = new LinkedHashSet<>();

  /**
   * What this task holds, by kind and window start: {@link #counts} as of the last commit, plus
   * what changed since. The store is read only in {@link #init} and written only when the task
   * commits ({@link CommitHook}): a key written six times and closed within one commit interval, as
   * when catching up, costs no write at all.
   */
  private final List<NavigableMap<Long, Map<Bytes, SourceCounts>>> held = new ArrayList<>();

  /** The keys changed since the last commit. */
  private final Set<Bytes> unwritten = new HashSet<>();

  /** The keys {@link #counts} holds. */
  private final Set<Bytes> stored = new HashSet<>();

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
    this.held.clear();
    this.unwritten.clear();
    this.stored.clear();
    for (int k = 0; k < KINDS.length; k++) {
      held.add(new TreeMap<>());
    }
    try (KeyValueIterator<Bytes, byte[]> all = counts.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> entry = all.next();
        window(entry.key.get()).put(entry.key, SourceCounts.decode(entry.value));
        stored.add(entry.key);
      }
    }
    CommitHook hook = context.getStateStore(COMMIT_HOOK);
    hook.onCommit(this::writeChanged);
    if (settings.liveOutput()) {
      context.schedule(
          settings.liveInterval(), PunctuationType.WALL_CLOCK_TIME, now -> publishLive());
    }
  }

  /** The held keys of {@code key}'s kind and window. */
  private Map<Bytes, SourceCounts> window(byte[] key) {
    return held.get(key[0]).computeIfAbsent(AggregateKey.windowStart(key), s -> new HashMap<>());
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
      onSnapshot(keyBytes(snapshot.getKey()), source, snapshot.getCounts());
    }
    if (message.getReset()) {
      onReset(source);
    }
    if (message.getProgress() != null) {
      onProgress(source, message.getProgress());
    }
  }

  private static byte[] keyBytes(ByteBuffer key) {
    if (key.hasArray()
        && key.arrayOffset() == 0
        && key.position() == 0
        && key.remaining() == key.array().length) {
      return key.array();
    }
    byte[] bytes = new byte[key.remaining()];
    key.duplicate().get(bytes);
    return bytes;
  }

  /**
   * Forgets what {@code source} sent for the windows still open on it: it restarted, and sends
   * again what its restored state holds. Windows it had closed keep its partials: it never sends
   * those again. This task has read everything the source committed before the reset, so the
   * source's progress here is the one it restarted from.
   */
  private void onReset(int source) {
    for (AggregateKey.Kind kind : KINDS) {
      Granularity g = kind.closesWith();
      for (Map.Entry<Long, Map<Bytes, SourceCounts>> window : held.get(kind.ordinal()).entrySet()) {
        if (windowing.isClosed(g, window.getKey(), progress[source])) {
          continue;
        }
        Iterator<Map.Entry<Bytes, SourceCounts>> keys = window.getValue().entrySet().iterator();
        while (keys.hasNext()) {
          Map.Entry<Bytes, SourceCounts> entry = keys.next();
          if (entry.getValue().remove(source)) {
            changed(entry.getKey());
            if (entry.getValue().isEmpty()) {
              keys.remove();
            }
          }
        }
      }
    }
  }

  private void onSnapshot(byte[] raw, int source, PartialCounts snapshot) {
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
    Bytes key = Bytes.wrap(raw);
    Map<Bytes, SourceCounts> window = window(raw);
    SourceCounts value = window.get(key);
    if (snapshot.getHosts() == 0) {
      if (value == null || !value.remove(source)) {
        return;
      }
      if (value.isEmpty()) {
        window.remove(key);
      }
    } else {
      if (value == null) {
        value = new SourceCounts();
        window.put(key, value);
      }
      value.set(source, snapshot);
    }
    changed(key);
  }

  /** Marks {@code key} for the store at the next commit, and a count key for live. */
  private void changed(Bytes key) {
    unwritten.add(key);
    if (settings.liveOutput() && key.get()[0] < COUNT_KINDS) {
      dirty.add(key);
    }
  }

  /** At commit: the store gets every changed key's value, or loses a key no longer held. */
  private void writeChanged() {
    for (Bytes key : unwritten) {
      SourceCounts value = find(key);
      if (value != null && !value.isEmpty()) {
        counts.put(key, value.encode());
        stored.add(key);
      } else if (stored.remove(key)) {
        counts.delete(key);
      }
    }
    unwritten.clear();
  }

  private SourceCounts find(Bytes key) {
    byte[] raw = key.get();
    Map<Bytes, SourceCounts> window = held.get(raw[0]).get(AggregateKey.windowStart(raw));
    return window == null ? null : window.get(key);
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
    for (AggregateKey.Kind kind : KINDS) {
      long lastClosed = windowing.lastClosedStart(kind.closesWith(), frontier);
      if (lastClosed == Long.MIN_VALUE) {
        continue;
      }
      NavigableMap<Long, Map<Bytes, SourceCounts>> closing =
          held.get(kind.ordinal()).headMap(lastClosed, true);
      for (Map<Bytes, SourceCounts> window : closing.values()) {
        // In key order, as a range over the store gave them before.
        List<Bytes> keys = new ArrayList<>(window.keySet());
        keys.sort(null);
        for (Bytes key : keys) {
          publishFinal(kind, key.get(), window.get(key));
          unwritten.add(key);
          dirty.remove(key);
        }
      }
      closing.clear();
    }
  }

  private void publishFinal(AggregateKey.Kind kind, byte[] key, SourceCounts parts) {
    Counts sum = parts.sum();
    if (sum.hosts < 1) {
      return; // a record needs hosts (a cohort, members) ≥ 1
    }
    switch (kind) {
      case TRANSITIONS -> forward(AggregateKey.decode(key), transitions(key, sum), TO_TRANSITIONS);
      case COHORTS -> forward(AggregateKey.decodeCohort(key), cohort(key, sum), TO_COHORTS);
      default -> {
        CountKey countKey = AggregateKey.decode(key);
        RemediationCount total = total(key, sum);
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
      byte[] raw = key.get();
      SourceCounts current = find(key);
      forward(
          AggregateKey.decode(raw), current == null ? null : total(raw, current.sum()), TO_LIVE);
    }
    dirty.clear();
  }

  /** The sum over partitions, or null when no host is left (DESIGN: a record needs hosts ≥ 1). */
  private RemediationCount total(byte[] key, Counts sum) {
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
