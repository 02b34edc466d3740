package dev.patchwatch.topology;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.Origin;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.internal.PartialCounts;
import dev.patchwatch.avro.internal.PartitionProgress;
import dev.patchwatch.avro.internal.Snapshot;
import dev.patchwatch.avro.internal.StageMessage;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage A: one task per scans partition. It validates each record, keeps every host's latest state
 * per day in one small record per host-day, keeps the partition's HOURLY and DAILY counts up to
 * date in dense counters, and when its progress closes a window it sends that window's partials
 * (EXPOSURE ones counted then from the stored days) and then its progress to the aggregating stage,
 * which publishes finals once every partition has done so (DESIGN sections 3 and 7.3).
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

  /**
   * Host-day records ({@link HostDay}); named anew with their format, so no older state is read.
   */
  static final String HOST_STORE = "host-days";

  /** What closed days said of each host ({@link HostHistory}), for transitions and cohorts. */
  static final String HISTORY_STORE = "host-histories";

  static final String PROGRESS_STORE = "partition-progress";
  static final String GLOBAL_PROGRESS_STORE = "all-partitions-progress";

  /**
   * Valid events (LATE ones included: they count in any window still open) are recorded by a sensor
   * of the stream thread, shared by its tasks: {@code events-accepted-total} in the metric group
   * {@code stream-patchwatch-metrics}.
   */
  static final String METRICS_SCOPE = "patchwatch";

  static final String EVENTS_ACCEPTED = "events-accepted";
  private static final String METRICS_ENTITY = "host-stage";

  private static final Logger LOG = LoggerFactory.getLogger(HostStateProcessor.class);

  /** An EXPOSURE recount slower than this is worth a warning: the events wait meanwhile. */
  private static final long SLOW_PASS_MS = 2_000;

  private final TopologySettings settings;
  private final Windowing windowing;
  private final String scansTopic;
  private final long exposureSize;
  private final long idleTimeoutMs;
  private final long countFromMs;
  private final long countToMs;
  private final long watermarkAheadMs;
  private final int maxEventBytes;

  // Everything below is set in init: a task's processor may be closed and initialised again, and
  // its memory must then follow from its stores alone.
  private ProcessorContext<byte[], Object> context;
  private ScanCheck check;
  private KeyValueStore<Bytes, byte[]> days;
  private KeyValueStore<Integer, PartitionProgress> ownProgress;
  private KeyValueStore<Integer, PartitionProgress> allProgress;
  private int partition;
  private long progress;
  private boolean idle;
  private boolean announced;
  private boolean resetPending;
  private long lastRecordWallMs;
  private long expiredUpTo;
  private long[] closedUpTo;
  private DimensionIds ids;
  private Map<Granularity, NavigableMap<Long, WindowCounts>> counts;
  private NavigableMap<Long, WindowCounts> exposureSent;
  private ExposureCounter exposure;
  private ClosedDays closedDays;
  private Outbox outbox;
  private Sensor accepted;

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
  }

  @Override
  public void init(ProcessorContext<byte[], Object> context) {
    this.context = context;
    this.check =
        new ScanCheck(
            settings, new EventContract(new ContextClock(context)), context.taskId().partition());
    this.days = context.getStateStore(HOST_STORE);
    this.ownProgress = context.getStateStore(PROGRESS_STORE);
    this.allProgress = context.getStateStore(GLOBAL_PROGRESS_STORE);
    this.partition = context.taskId().partition();
    PartitionProgress stored = ownProgress.get(partition);
    this.progress = stored == null ? Long.MIN_VALUE : stored.getProgress();
    this.idle = false;
    this.announced = false;
    this.closedUpTo = new long[Granularity.values().length];
    for (Granularity g : Granularity.values()) {
      closedUpTo[g.ordinal()] = windowing.lastClosedStart(g, progress);
    }
    this.expiredUpTo = Long.MIN_VALUE;
    this.ids = new DimensionIds();
    this.counts = new EnumMap<>(Granularity.class);
    counts.put(Granularity.HOURLY, new TreeMap<>());
    counts.put(Granularity.DAILY, new TreeMap<>());
    this.exposureSent = new TreeMap<>();
    this.exposure = new ExposureCounter(days, exposureSize, ids);
    this.closedDays = new ClosedDays(days, context.getStateStore(HISTORY_STORE), ids);
    this.outbox = new Outbox(settings.inputPartitions());
    this.accepted =
        context
            .metrics()
            .addRateTotalSensor(
                METRICS_SCOPE, METRICS_ENTITY, EVENTS_ACCEPTED, Sensor.RecordingLevel.INFO);
    // The counts are not stored: they follow from the host-days, which are. The aggregating stage
    // is told to forget what this partition sent for its open windows, then gets them all again.
    rebuildCounts();
    closedDays.rebuild(closedUpTo[Granularity.DAILY.ordinal()]);
    this.resetPending = true;
    this.lastRecordWallMs = context.currentSystemTimeMs();
    context.schedule(settings.liveInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    if (settings.liveOutput()) {
      context.schedule(
          settings.exposureLiveInterval(),
          PunctuationType.WALL_CLOCK_TIME,
          this::punctuateExposure);
    }
  }

  @Override
  public void process(Record<byte[], ScanInput> record) {
    sendResetIfPending();
    lastRecordWallMs = context.currentSystemTimeMs();
    if (idle) {
      idle = false;
      announce();
    }
    ScanInput input = record.value();
    Parsed.Invalid tooLarge = check.size(input);
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
    accepted.record();
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
      updateHost(event, t, hourStart, hourlyOpen, dayStart, dailyOpen, anyExposureOpen);
    }
    advance(t);
  }

  /**
   * The valid event of a record on its right partition under its canonical key, or null once it is
   * rejected.
   */
  private ScanEvent routed(Record<byte[], ScanInput> record, ScanEvent raw) {
    Parsed parsed = check.event(record.key(), raw);
    if (parsed instanceof Parsed.Invalid invalid) {
      reject(record, invalid.reason(), invalid.message(), List.of());
      return null;
    }
    return ((Parsed.Valid) parsed).event();
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

  /**
   * Applies the event to its host-day record, and moves the host's contribution in the HOURLY and
   * DAILY windows it changes. EXPOSURE windows are counted from the records when they are needed.
   */
  private void updateHost(
      ScanEvent event,
      long t,
      long hourStart,
      boolean hourlyOpen,
      long dayStart,
      boolean dailyOpen,
      boolean anyExposureOpen) {
    String vuln = event.getVulnerability();
    Bytes key = Bytes.wrap(HostDay.key(dayStart, vuln, event.getIp()));
    byte[] stored = days.get(key);
    HostDay day = stored == null ? new HostDay(dayStart) : HostDay.decode(stored, dayStart);
    boolean changed = false;
    if (dailyOpen || anyExposureOpen) {
      changed |=
          apply(day.day, event, t, vuln, dailyOpen ? window(Granularity.DAILY, dayStart) : null);
    }
    if (hourlyOpen) {
      int hour = (int) ((hourStart - dayStart) / Windowing.HOUR_MS);
      changed |= apply(day.hour(hour), event, t, vuln, window(Granularity.HOURLY, hourStart));
    }
    if (changed) {
      day.pruneHours(
          hour ->
              !windowing.isClosed(
                  Granularity.HOURLY, dayStart + hour * Windowing.HOUR_MS, progress));
      days.put(key, day.encode());
      if (stored == null) {
        exposure.stored(dayStart);
      }
    }
  }

  /** Applies the event to a slot; {@code counts}, if any, follow the host's change. */
  private static boolean apply(
      HostDay.Slot slot, ScanEvent event, long t, String vuln, WindowCounts counts) {
    if (!slot.changedBy(event, t)) {
      return false;
    }
    if (counts != null && !slot.isEmpty()) {
      counts.add(vuln, slot, -1);
    }
    slot.apply(event, t);
    if (counts != null) {
      counts.add(vuln, slot, 1);
    }
    return true;
  }

  private WindowCounts window(Granularity g, long start) {
    return counts.get(g).computeIfAbsent(start, s -> new WindowCounts(g, s, ids));
  }

  /** Counts every stored host-day into the HOURLY and DAILY windows that are still open. */
  private void rebuildCounts() {
    try (KeyValueIterator<Bytes, byte[]> all = days.all()) {
      while (all.hasNext()) {
        var entry = all.next();
        byte[] key = entry.key.get();
        long dayStart = HostDay.dayOf(key);
        exposure.stored(dayStart);
        String vuln = HostDay.vulnerabilityOf(key);
        HostDay day = HostDay.decode(entry.value, dayStart);
        if (!day.day.isEmpty() && !windowing.isClosed(Granularity.DAILY, dayStart, progress)) {
          window(Granularity.DAILY, dayStart).add(vuln, day.day, 1);
        }
        for (HostDay.Slot hour : day.hours) {
          long hourStart = dayStart + hour.hour * Windowing.HOUR_MS;
          if (!hour.isEmpty() && !windowing.isClosed(Granularity.HOURLY, hourStart, progress)) {
            window(Granularity.HOURLY, hourStart).add(vuln, hour, 1);
          }
        }
      }
    }
  }

  private void advance(long to) {
    if (to <= progress) {
      return;
    }
    progress = to;
    boolean closedAny = false;
    for (Granularity g : List.of(Granularity.HOURLY, Granularity.DAILY)) {
      long bound = windowing.lastClosedStart(g, progress);
      long after = closedUpTo[g.ordinal()];
      if (bound > after) {
        closedUpTo[g.ordinal()] = bound;
        closedAny = true;
        NavigableMap<Long, WindowCounts> closing = counts.get(g).headMap(bound, true);
        for (WindowCounts window : closing.values()) {
          window.drainChanged(toOutbox(window));
        }
        closing.clear();
        if (g == Granularity.DAILY) {
          closedDays.closeThrough(
              after,
              bound,
              exposure,
              (key, a, b, c, d, e, f) -> outbox.add(key, new PartialCounts(a, b, c, d, e, f)));
        }
      }
    }
    long exposureBound = windowing.lastClosedStart(Granularity.EXPOSURE, progress);
    int e = Granularity.EXPOSURE.ordinal();
    if (exposureBound > closedUpTo[e]) {
      long after = closedUpTo[e];
      closedUpTo[e] = exposureBound;
      closedAny = true;
      closeExposure(after, exposureBound);
    }
    if (closedAny) {
      // Stored only when it closes a window: every decision that depends on progress (lateness,
      // what to keep, what to send) changes only there, so a restart from this value decides
      // exactly as the progress it replaces would have, and events cost one write less.
      ownProgress.put(partition, new PartitionProgress(progress, idle));
      outbox.flush();
      // After the partials of every window it closed, so the aggregating stage has them all when
      // it sees this progress.
      forward(new byte[4], new StageMessage(partition, progress, false, List.of()), TO_PARTIALS);
      announce();
      expireDays();
    }
  }

  /** Counts the EXPOSURE windows starting in {@code (after, upTo]} from the days they hold. */
  private void closeExposure(long after, long upTo) {
    long started = System.nanoTime();
    NavigableSet<Long> windows = exposureWindows(after, upTo);
    Map<Long, WindowCounts> finals = exposure.count(windows);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    if (tookMs > SLOW_PASS_MS) {
      LOG.warn(
          "counting {} closing EXPOSURE window(s) of partition {} took {} ms",
          windows.size(),
          partition,
          tookMs);
    }
    for (long start : windows) {
      WindowCounts last = exposureSent.remove(start);
      finals.get(start).sendDifferences(last, toOutbox(finals.get(start)));
    }
  }

  /**
   * The EXPOSURE windows starting in {@code (after, upTo]} that hold a stored day, or that were
   * sent live: one seek per stored day, however far progress jumped.
   */
  private NavigableSet<Long> exposureWindows(long after, long upTo) {
    NavigableSet<Long> windows =
        new TreeSet<>(exposureSent.subMap(after, false, upTo, true).keySet());
    long from = after == Long.MIN_VALUE ? Long.MIN_VALUE : after + Windowing.DAY_MS;
    long lastDay =
        upTo > Long.MAX_VALUE - exposureSize
            ? Long.MAX_VALUE
            : upTo + exposureSize - Windowing.DAY_MS;
    for (long day = exposure.nextDay(from);
        day != ExposureCounter.NONE && day <= lastDay;
        day = exposure.nextDay(day + Windowing.DAY_MS)) {
      long first = Math.max(day - exposureSize + Windowing.DAY_MS, from);
      for (long start = first; start <= Math.min(day, upTo); start += Windowing.DAY_MS) {
        windows.add(start);
      }
    }
    return windows;
  }

  /**
   * Deletes the host-days that no open window reads any more: the EXPOSURE window starting on the
   * day has closed (it closes after every other EXPOSURE window holding the day), and so have its
   * DAILY window and its last HOURLY window. A range of whole days, proportional to what leaves.
   */
  private void expireDays() {
    long lastHour = windowing.lastClosedStart(Granularity.HOURLY, progress);
    long bound =
        Math.min(
            Math.min(
                windowing.lastClosedStart(Granularity.EXPOSURE, progress),
                windowing.lastClosedStart(Granularity.DAILY, progress)),
            lastHour == Long.MIN_VALUE
                ? Long.MIN_VALUE
                : Math.floorDiv(lastHour - 23 * Windowing.HOUR_MS, Windowing.DAY_MS)
                    * Windowing.DAY_MS);
    if (bound == Long.MIN_VALUE || bound <= expiredUpTo) {
      return;
    }
    expiredUpTo = bound;
    exposure.deleteThrough(bound);
  }

  private void punctuate(long nowMs) {
    sendResetIfPending();
    if (settings.liveOutput()) {
      sendChangedCounts();
    }
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

  /** Sends what changed in the open HOURLY and DAILY windows since it was last sent. */
  private void sendChangedCounts() {
    for (NavigableMap<Long, WindowCounts> windows : counts.values()) {
      for (WindowCounts window : windows.values()) {
        window.drainChanged(toOutbox(window));
      }
    }
    outbox.flush();
  }

  /**
   * Live values of the open EXPOSURE windows: each is recounted from the stored days and what
   * changed since it was last sent goes out. A pass over the open days, hence its own, longer
   * interval.
   */
  private void punctuateExposure(long nowMs) {
    sendResetIfPending();
    long started = System.nanoTime();
    NavigableSet<Long> windows =
        exposureWindows(closedUpTo[Granularity.EXPOSURE.ordinal()], Long.MAX_VALUE);
    Map<Long, WindowCounts> fresh = exposure.count(windows);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    if (tookMs > SLOW_PASS_MS) {
      LOG.warn(
          "recounting the {} open EXPOSURE windows of partition {} took {} ms; a longer"
              + " exposure.live.interval (now {}) leaves more time to the events",
          windows.size(),
          partition,
          tookMs,
          settings.exposureLiveInterval());
    }
    for (long start : windows) {
      WindowCounts now = fresh.get(start);
      now.sendDifferences(exposureSent.get(start), toOutbox(now));
      exposureSent.put(start, now);
    }
    outbox.flush();
  }

  /**
   * After a restart or a move to another instance the aggregating stage still holds what this
   * partition sent for its open windows before, some of which its restored state may no longer
   * hold: it is told to forget those first, and everything is sent again from the restored state.
   */
  private void sendResetIfPending() {
    if (resetPending) {
      resetPending = false;
      forward(new byte[4], new StageMessage(partition, null, true, List.of()), TO_PARTIALS);
      if (settings.liveOutput()) {
        // Right behind the reset, so live sums do not go without this partition for long; live
        // EXPOSURE values follow at the next recount.
        sendChangedCounts();
      }
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

  /** Where a window's rows go: snapshots on their way to the aggregating stage. */
  private WindowCounts.RowSink toOutbox(WindowCounts window) {
    return (vuln, dimension, value, row, at) ->
        outbox.add(
            AggregateKey.encode(window.granularity, window.windowStart, vuln, dimension, value),
            new PartialCounts(
                row[at], row[at + 1], row[at + 2], row[at + 3], row[at + 4], row[at + 5]));
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
          new StageMessage(partition, null, false, new ArrayList<>(batch)),
          TO_PARTIALS);
      batch.clear();
    }
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
}
