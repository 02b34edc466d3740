package dev.patchwatch.topology;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.Origin;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.internal.HostRecord;
import dev.patchwatch.avro.internal.PartialCounts;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.avro.internal.Slot;
import dev.patchwatch.avro.internal.Snapshot;
import dev.patchwatch.avro.internal.StageMessage;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage A: one task per scans partition. It validates each record, keeps every host's latest state
 * per open window, keeps the partition's partial counts up to date, and when its progress closes a
 * window it sends that window's partials and then its progress to the aggregating stage, which
 * publishes finals once every partition has done so (DESIGN sections 3 and 7.3).
 */
final class HostStateProcessor implements Processor<byte[], ScanInput, byte[], Object> {

  /** The child that publishes rejections ({@link Rejected}). */
  static final String TO_REJECTED = "rejected-sink";

  /** The child that announces this partition's progress ({@link PartitionProgress}). */
  static final String TO_PROGRESS = "progress-sink";

  /**
   * The child that sends {@link StageMessage}s to the aggregating stage: the first node of the
   * partials repartition, named by Kafka Streams after the repartition's name.
   */
  static final String TO_PARTIALS = PatchWatchTopology.PARTIALS + "-repartition-filter";

  static final String HOST_STORE = "host-state";
  static final String PROGRESS_STORE = "partition-progress";
  static final String GLOBAL_PROGRESS_STORE = "all-partitions-progress";
  static final String SENT_STORE = "sent-partials";

  private final TopologySettings settings;
  private final Windowing windowing;
  private final String scansTopic;
  private final long exposureSize;
  private final long idleTimeoutMs;
  private final long countFromMs;
  private final long countToMs;
  private final long watermarkAheadMs;
  private final int maxEventBytes;

  private ProcessorContext<byte[], Object> context;
  private EventContract contract;
  private KeyValueStore<Bytes, HostRecord> hosts;
  private KeyValueStore<Integer, PartitionProgress> ownProgress;
  private KeyValueStore<Bytes, PartialCounts> sent;
  private KeyValueStore<Integer, PartitionProgress> allProgress;
  private int partition;
  private long progress;
  private boolean idle;
  private boolean announced;
  private long lastRecordWallMs;
  private final long[] closedUpTo = new long[Granularity.values().length];
  private final Map<Granularity, NavigableMap<Long, WindowPartials>> partials =
      new EnumMap<>(Granularity.class);
  private final Outbox outbox;
  private long lastSweep = Long.MIN_VALUE;

  HostStateProcessor(TopologySettings settings, String scansTopic) {
    this.settings = settings;
    this.windowing = new Windowing(settings);
    this.scansTopic = scansTopic;
    this.exposureSize = windowing.size(Granularity.EXPOSURE);
    this.idleTimeoutMs = settings.idleTimeout().toMillis();
    this.countFromMs = settings.eventTimeRange().fromMillis();
    this.countToMs = settings.eventTimeRange().toMillis();
    this.watermarkAheadMs = settings.watermarkAhead().toMillis();
    this.maxEventBytes = settings.maxEventBytes();
    this.outbox = new Outbox(settings.inputPartitions());
  }

  @Override
  public void init(ProcessorContext<byte[], Object> context) {
    this.context = context;
    this.contract = new EventContract(new ContextClock(context));
    this.hosts = context.getStateStore(HOST_STORE);
    this.ownProgress = context.getStateStore(PROGRESS_STORE);
    this.sent = context.getStateStore(SENT_STORE);
    this.allProgress = context.getStateStore(GLOBAL_PROGRESS_STORE);
    this.partition = context.taskId().partition();
    PartitionProgress stored = ownProgress.get(partition);
    this.progress = stored == null ? Long.MIN_VALUE : stored.getProgress();
    for (Granularity g : Granularity.values()) {
      partials.put(g, new TreeMap<>());
      closedUpTo[g.ordinal()] = windowing.lastClosedStart(g, progress);
    }
    // The partials are not stored: they follow from the host states, which are. Rebuilt ones are
    // all dirty, so the aggregating stage gets every key again. A key it was last sent that no host
    // holds any more is sent as zero: the change that emptied it may have been committed before it
    // was sent.
    try (KeyValueIterator<Bytes, HostRecord> all = hosts.all()) {
      while (all.hasNext()) {
        var entry = all.next();
        addOpenWindows(vulnerabilityOf(entry.key.get()), entry.value);
      }
    }
    try (KeyValueIterator<Bytes, PartialCounts> all = sent.all()) {
      while (all.hasNext()) {
        CountKey key = AggregateKey.decode(all.next().key.get());
        Granularity g = key.getGranularity();
        long start = key.getWindowStart().toEpochMilli();
        partials
            .get(g)
            .computeIfAbsent(start, s -> new WindowPartials(g, s))
            .touch(
                new WindowPartials.Key(key.getVulnerability(), key.getDimension(), key.getValue()));
      }
    }
    this.lastRecordWallMs = context.currentSystemTimeMs();
    context.schedule(settings.liveInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @Override
  public void process(Record<byte[], ScanInput> record) {
    lastRecordWallMs = context.currentSystemTimeMs();
    if (idle) {
      idle = false;
      announce();
    }
    ScanInput input = record.value();
    Parsed.Invalid tooLarge =
        input == null || input.raw() == null
            ? null
            : EventContract.sizeProblem("record", input.raw().length, maxEventBytes);
    if (tooLarge != null) {
      reject(record, tooLarge.reason(), tooLarge.message(), List.of());
    } else if (input instanceof ScanInput.Event e) {
      processEvent(record, e.event());
    } else if (input instanceof ScanInput.Watermark w) {
      processWatermark(record, w.time());
    } else if (input instanceof ScanInput.Broken b) {
      reject(record, b.reason(), b.message(), List.of());
    } else {
      reject(record, RejectReason.UNDECODABLE, "null value", List.of());
    }
  }

  private void processWatermark(Record<byte[], ScanInput> record, long time) {
    long now = context.currentSystemTimeMs();
    long limit = now > Long.MAX_VALUE - watermarkAheadMs ? Long.MAX_VALUE : now + watermarkAheadMs;
    if (time > limit) {
      reject(
          record,
          RejectReason.INVALID_WATERMARK,
          "watermark "
              + Instant.ofEpochMilli(time)
              + " is more than "
              + settings.watermarkAhead().toHours()
              + " h ahead of the clock ("
              + Instant.ofEpochMilli(now)
              + "): it would close windows that are still being scanned",
          List.of());
      return;
    }
    advance(time);
  }

  private void processEvent(Record<byte[], ScanInput> record, ScanEvent raw) {
    ScanEvent event = routed(record, raw);
    if (event == null) {
      return;
    }
    long t = event.getObservedAt().toEpochMilli();
    if (t < countFromMs || t >= countToMs) {
      // Outside a reprocessing run's range: not counted, not rejected (not even LATE), but it moves
      // progress, so windows close and lateness is judged as in a run over everything.
      advance(t);
      return;
    }
    long hourStart = windowing.tumblingStart(Granularity.HOURLY, t);
    long dayStart = windowing.tumblingStart(Granularity.DAILY, t);
    long firstExposure = windowing.firstExposureStart(t);
    boolean hourlyOpen = !windowing.isClosed(Granularity.HOURLY, hourStart, progress);
    boolean dailyOpen = !windowing.isClosed(Granularity.DAILY, dayStart, progress);
    // The last EXPOSURE window holding t starts on t's day and closes last.
    boolean anyExposureOpen = !windowing.isClosed(Granularity.EXPOSURE, dayStart, progress);
    rejectIfLate(record, event, hourlyOpen, dailyOpen, firstExposure);
    if (hourlyOpen || dailyOpen || anyExposureOpen) {
      updateHost(event, hourStart, hourlyOpen, dayStart, dailyOpen, firstExposure);
    }
    advance(t);
  }

  /**
   * The valid event of a record on its right partition under its canonical key, or null once it is
   * rejected.
   */
  private ScanEvent routed(Record<byte[], ScanInput> record, ScanEvent raw) {
    Parsed parsed = contract.normalize(raw);
    if (parsed instanceof Parsed.Invalid invalid) {
      reject(record, invalid.reason(), invalid.message(), List.of());
      return null;
    }
    ScanEvent event = ((Parsed.Valid) parsed).event();
    byte[] ip = event.getIp().getBytes(StandardCharsets.UTF_8);
    if (!Arrays.equals(ip, record.key())) {
      reject(
          record,
          RejectReason.KEY_MISMATCH,
          "record key must be the canonical IP \""
              + event.getIp()
              + "\", got "
              + (record.key() == null
                  ? "no key"
                  : "\"" + new String(record.key(), StandardCharsets.UTF_8) + "\""),
          List.of());
      return null;
    }
    int expected = Utils.toPositive(Utils.murmur2(ip)) % settings.inputPartitions();
    if (expected != partition) {
      reject(
          record,
          RejectReason.WRONG_PARTITION,
          "host "
              + event.getIp()
              + " belongs on partition "
              + expected
              + " of "
              + settings.inputPartitions()
              + " (default partitioner), not "
              + partition,
          List.of());
      return null;
    }
    return event;
  }

  /** One LATE rejection listing every granularity whose window of the event has closed. */
  private void rejectIfLate(
      Record<byte[], ScanInput> record,
      ScanEvent event,
      boolean hourlyOpen,
      boolean dailyOpen,
      long firstExposure) {
    List<Granularity> missed = new ArrayList<>(3);
    if (!hourlyOpen) {
      missed.add(Granularity.HOURLY);
    }
    if (!dailyOpen) {
      missed.add(Granularity.DAILY);
    }
    if (windowing.isClosed(Granularity.EXPOSURE, firstExposure, progress)) {
      missed.add(Granularity.EXPOSURE);
    }
    if (!missed.isEmpty()) {
      reject(
          record,
          RejectReason.LATE,
          "observedAt "
              + event.getObservedAt()
              + " arrived after its "
              + missed
              + " window(s) closed on partition "
              + partition
              + " (progress "
              + Instant.ofEpochMilli(progress)
              + ")",
          missed);
    }
  }

  /** Applies the event to its host's state and moves its contributions to the open windows. */
  private void updateHost(
      ScanEvent event,
      long hourStart,
      boolean hourlyOpen,
      long dayStart,
      boolean dailyOpen,
      long firstExposure) {
    boolean anyExposureOpen = !windowing.isClosed(Granularity.EXPOSURE, dayStart, progress);
    Bytes key = hostKey(event.getVulnerability(), event.getIp());
    HostRecord before = hosts.get(key);
    HostRecord after =
        HostSlots.prune(
            HostSlots.apply(
                before, event, hourStart, hourlyOpen, dayStart, dailyOpen || anyExposureOpen),
            this::isNeeded);
    String vuln = event.getVulnerability();
    if (hourlyOpen) {
      update(
          vuln,
          Granularity.HOURLY,
          hourStart,
          HostSlots.view(HostSlots.find(before, Granularity.HOURLY, hourStart)),
          HostSlots.view(HostSlots.find(after, Granularity.HOURLY, hourStart)));
    }
    if (dailyOpen) {
      update(
          vuln,
          Granularity.DAILY,
          dayStart,
          HostSlots.view(HostSlots.find(before, Granularity.DAILY, dayStart)),
          HostSlots.view(HostSlots.find(after, Granularity.DAILY, dayStart)));
    }
    // EXPOSURE windows merge DAILY slots: if the day's slot did not change, neither did they.
    boolean dayChanged =
        !Objects.equals(
            HostSlots.find(before, Granularity.DAILY, dayStart),
            HostSlots.find(after, Granularity.DAILY, dayStart));
    for (long start = firstExposure; dayChanged && start <= dayStart; start += Windowing.DAY_MS) {
      if (!windowing.isClosed(Granularity.EXPOSURE, start, progress)) {
        update(
            vuln,
            Granularity.EXPOSURE,
            start,
            HostSlots.exposureView(before, start, exposureSize),
            HostSlots.exposureView(after, start, exposureSize));
      }
    }
    if (after == null) {
      hosts.delete(key);
    } else {
      hosts.put(key, after);
    }
  }

  /** Moves the host's contribution in one window from {@code before} to {@code after}. */
  private void update(String vuln, Granularity g, long start, HostView before, HostView after) {
    if (Objects.equals(before, after)) {
      return;
    }
    WindowPartials window = partials.get(g).computeIfAbsent(start, s -> new WindowPartials(g, s));
    if (before != null) {
      window.add(vuln, before, -1);
    }
    if (after != null) {
      window.add(vuln, after, 1);
    }
  }

  private void addOpenWindows(String vuln, HostRecord record) {
    TreeSet<Long> exposureStarts = new TreeSet<>();
    for (Slot slot : record.getSlots()) {
      Granularity g = slot.getGranularity();
      long start = slot.getWindowStart();
      if (!windowing.isClosed(g, start, progress)) {
        update(vuln, g, start, null, HostSlots.view(slot));
      }
      if (g == Granularity.DAILY) {
        for (long s = start - exposureSize + Windowing.DAY_MS; s <= start; s += Windowing.DAY_MS) {
          if (!windowing.isClosed(Granularity.EXPOSURE, s, progress)) {
            exposureStarts.add(s);
          }
        }
      }
    }
    for (long s : exposureStarts) {
      update(vuln, Granularity.EXPOSURE, s, null, HostSlots.exposureView(record, s, exposureSize));
    }
  }

  /** A slot is kept while a window that reads it is open. */
  private boolean isNeeded(Slot slot) {
    long start = slot.getWindowStart();
    if (slot.getGranularity() == Granularity.HOURLY) {
      return !windowing.isClosed(Granularity.HOURLY, start, progress);
    }
    return !windowing.isClosed(Granularity.DAILY, start, progress)
        || !windowing.isClosed(Granularity.EXPOSURE, start, progress);
  }

  private void advance(long to) {
    if (to <= progress) {
      return;
    }
    progress = to;
    boolean closedAny = false;
    boolean dayClosed = false;
    for (Granularity g : Granularity.values()) {
      long bound = windowing.lastClosedStart(g, progress);
      if (bound > closedUpTo[g.ordinal()]) {
        closedUpTo[g.ordinal()] = bound;
        closedAny = true;
        dayClosed |= g != Granularity.HOURLY;
        NavigableMap<Long, WindowPartials> closing = partials.get(g).headMap(bound, true);
        for (WindowPartials window : closing.values()) {
          sendDirty(window);
          forgetSent(window);
        }
        closing.clear();
      }
    }
    if (closedAny) {
      // Stored only when it closes a window: every decision that depends on progress (lateness,
      // which slots to keep, what to send) changes only there, so a restart from this value
      // decides exactly as the progress it replaces would have, and events cost one write less.
      ownProgress.put(partition, new PartitionProgress(progress, idle));
      outbox.flush();
      // After the partials of every window it closed, so the aggregating stage has them all when
      // it sees this progress.
      forward(new byte[4], new StageMessage(partition, progress, List.of()), TO_PARTIALS);
      announce();
    }
    if (dayClosed) {
      maybeSweep();
    }
  }

  /**
   * Drops slots no open window reads from hosts not seen since (hosts seen again are pruned as they
   * are updated). A full pass over the store, so it runs once per look-back of progress, not every
   * day: state is kept at most about two look-backs, and the passes cost 1/7 as much.
   */
  private void maybeSweep() {
    long bound = closedUpTo[Granularity.EXPOSURE.ordinal()];
    if (lastSweep != Long.MIN_VALUE && bound - lastSweep < exposureSize) {
      return;
    }
    lastSweep = bound;
    List<Bytes> emptied = new ArrayList<>();
    List<Map.Entry<Bytes, HostRecord>> pruned = new ArrayList<>();
    try (KeyValueIterator<Bytes, HostRecord> all = hosts.all()) {
      while (all.hasNext()) {
        var entry = all.next();
        HostRecord kept = HostSlots.prune(entry.value, this::isNeeded);
        if (kept == null) {
          emptied.add(entry.key);
        } else if (kept != entry.value) {
          pruned.add(Map.entry(entry.key, kept));
        }
      }
    }
    emptied.forEach(hosts::delete);
    pruned.forEach(e -> hosts.put(e.getKey(), e.getValue()));
  }

  private void punctuate(long nowMs) {
    for (NavigableMap<Long, WindowPartials> windows : partials.values()) {
      for (WindowPartials window : windows.values()) {
        sendDirty(window);
      }
    }
    outbox.flush();
    if (!announced) {
      announce();
    }
    if (idleTimeoutMs > 0 && nowMs - lastRecordWallMs >= idleTimeoutMs) {
      if (!idle) {
        idle = true;
        announce();
      }
      adoptProgressOfActivePartitions();
    }
  }

  /**
   * An idle partition stops holding windows back by taking the slowest active partition's progress;
   * from then on it judges lateness by that progress, so the decision stays its own.
   */
  private void adoptProgressOfActivePartitions() {
    long slowest = Long.MAX_VALUE;
    boolean anyActive = false;
    for (int p = 0; p < settings.inputPartitions(); p++) {
      if (p == partition) {
        continue;
      }
      PartitionProgress other = allProgress.get(p);
      if (other == null) {
        return; // a partition not heard from yet may still hold data for any window
      }
      if (!other.getIdle()) {
        anyActive = true;
        slowest = Math.min(slowest, other.getProgress());
      }
    }
    if (anyActive) {
      advance(slowest);
    }
  }

  private void announce() {
    announced = true;
    ByteBuffer key = ByteBuffer.allocate(4).putInt(partition);
    forward(key.array(), new PartitionProgress(progress, idle), TO_PROGRESS);
  }

  /** Sends every changed key of the window, and remembers what was sent, in the same commit. */
  private void sendDirty(WindowPartials window) {
    window.drainDirty(
        (key, counts) -> {
          byte[] encoded =
              AggregateKey.encode(
                  window.granularity,
                  window.windowStart,
                  key.vulnerability(),
                  key.dimension(),
                  key.value());
          PartialCounts snapshot = counts.snapshot();
          outbox.add(encoded, snapshot);
          if (counts.hosts == 0) {
            sent.delete(Bytes.wrap(encoded));
          } else {
            sent.put(Bytes.wrap(encoded), snapshot);
          }
        });
  }

  /**
   * Snapshots on their way to the aggregating tasks, in one record per task and batch rather than
   * one per key: a flush sends thousands of keys, and per-record costs would dominate.
   */
  private final class Outbox {
    private static final int MAX_BATCH = 2_000;
    private final List<List<Snapshot>> byTask = new ArrayList<>();

    Outbox(int tasks) {
      for (int t = 0; t < tasks; t++) {
        byTask.add(new ArrayList<>());
      }
    }

    void add(byte[] key, PartialCounts counts) {
      int task = AggregateKey.task(key, byTask.size());
      List<Snapshot> batch = byTask.get(task);
      batch.add(new Snapshot(ByteBuffer.wrap(key), counts));
      if (batch.size() >= MAX_BATCH) {
        send(task);
      }
    }

    void flush() {
      for (int task = 0; task < byTask.size(); task++) {
        if (!byTask.get(task).isEmpty()) {
          send(task);
        }
      }
    }

    private void send(int task) {
      List<Snapshot> batch = byTask.get(task);
      forward(
          ByteBuffer.allocate(4).putInt(task).array(),
          new StageMessage(partition, null, new ArrayList<>(batch)),
          TO_PARTIALS);
      batch.clear();
    }
  }

  /** A closed window's keys are final downstream: nothing about them will be sent again. */
  private void forgetSent(WindowPartials window) {
    List<Bytes> keys = new ArrayList<>();
    try (KeyValueIterator<Bytes, PartialCounts> range =
        sent.range(
            Bytes.wrap(AggregateKey.lowerBound(window.granularity, window.windowStart)),
            Bytes.wrap(AggregateKey.upperBound(window.granularity, window.windowStart)))) {
      range.forEachRemaining(kv -> keys.add(kv.key));
    }
    keys.forEach(sent::delete);
  }

  private void reject(
      Record<byte[], ScanInput> record,
      RejectReason reason,
      String message,
      List<Granularity> granularities) {
    RecordMetadata meta = context.recordMetadata().orElse(null);
    Origin origin =
        Origin.newBuilder()
            .setTopic(meta == null ? scansTopic : meta.topic())
            .setPartition(meta == null ? partition : meta.partition())
            .setOffset(meta == null ? null : meta.offset())
            .build();
    // Within the largest event, or cut to its first bytes: a rejection must fit on the broker.
    byte[] raw = record.value() == null ? null : record.value().raw();
    if (raw != null && raw.length > maxEventBytes) {
      raw = EventContract.head(raw);
    }
    Rejected rejected =
        Rejected.newBuilder()
            .setReason(reason)
            .setMessage(message)
            .setGranularities(granularities)
            .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
            .setOriginal(raw == null ? null : ByteBuffer.wrap(raw))
            .setOrigin(origin)
            .setRejectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
            .build();
    forward(record.key(), rejected, TO_REJECTED);
  }

  private void forward(byte[] key, Object value, String child) {
    context.forward(new Record<>(key, value, context.currentSystemTimeMs()), child);
  }

  static Bytes hostKey(String vulnerability, String ip) {
    return Bytes.wrap((vulnerability + '\0' + ip).getBytes(StandardCharsets.UTF_8));
  }

  private static String vulnerabilityOf(byte[] hostKey) {
    int separator = 0;
    while (hostKey[separator] != 0) {
      separator++;
    }
    return new String(hostKey, 0, separator, StandardCharsets.UTF_8);
  }

  /** Validation's "now": the stream thread's wall clock, which tests drive. */
  private static final class ContextClock extends Clock {
    private final ProcessorContext<?, ?> context;

    ContextClock(ProcessorContext<?, ?> context) {
      this.context = context;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("validation always runs in UTC");
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
  }
}
