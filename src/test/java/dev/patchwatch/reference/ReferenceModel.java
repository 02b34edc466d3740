package dev.patchwatch.reference;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;

/**
 * The expected finals of DESIGN sections 3, 7.2 and 7.3, computed the slow, obvious way.
 *
 * <p>It shares no code with the topology on purpose: property tests run the same random stream
 * through both and demand equal results, which only means something if the two were written
 * independently. Everything here favours being checkable by reading over being fast.
 */
public final class ReferenceModel {

  static final long HOUR_MS = Duration.ofHours(1).toMillis();
  static final long DAY_MS = Duration.ofDays(1).toMillis();

  /** Graces and look-back; {@link #defaults()} are those of DESIGN section 3. */
  public record Settings(
      Duration hourlyGrace, Duration dailyGrace, Duration exposureGrace, int lookBackDays) {

    public Settings {
      Objects.requireNonNull(hourlyGrace, "hourlyGrace");
      Objects.requireNonNull(dailyGrace, "dailyGrace");
      Objects.requireNonNull(exposureGrace, "exposureGrace");
      if (hourlyGrace.isNegative() || dailyGrace.isNegative() || exposureGrace.isNegative()) {
        throw new IllegalArgumentException("a grace cannot be negative");
      }
      if (lookBackDays < 1) {
        throw new IllegalArgumentException("lookBackDays must be at least 1, got " + lookBackDays);
      }
    }

    public static Settings defaults() {
      return new Settings(Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(2), 7);
    }

    public Settings withHourlyGrace(Duration grace) {
      return new Settings(grace, dailyGrace, exposureGrace, lookBackDays);
    }

    public Settings withDailyGrace(Duration grace) {
      return new Settings(hourlyGrace, grace, exposureGrace, lookBackDays);
    }

    public Settings withExposureGrace(Duration grace) {
      return new Settings(hourlyGrace, dailyGrace, grace, lookBackDays);
    }

    public Settings withLookBackDays(int days) {
      return new Settings(hourlyGrace, dailyGrace, exposureGrace, days);
    }

    public long graceMillis(Granularity granularity) {
      return switch (granularity) {
        case HOURLY -> hourlyGrace.toMillis();
        case DAILY -> dailyGrace.toMillis();
        case EXPOSURE -> exposureGrace.toMillis();
      };
    }
  }

  /** A window {@code [start, end)} in epoch milliseconds. */
  public record Window(Granularity granularity, long start, long end) {}

  /**
   * An input event that arrived after some of its windows had closed on its partition.
   *
   * @param index position of the event in the input list
   * @param partition the partition it went to
   * @param granularities the granularities it missed, in {@link Granularity} declaration order
   */
  public record LateEvent(int index, int partition, List<Granularity> granularities) {}

  /**
   * What the topology must end with.
   *
   * @param finals every final aggregate, sorted by {@link #OUTPUT_ORDER}
   * @param late every LATE rejection, by ascending input index
   */
  public record Result(List<RemediationCount> finals, List<LateEvent> late) {}

  /**
   * (granularity, windowStart, vulnerability, dimension, value): the order of {@link
   * Result#finals()}.
   */
  public static final Comparator<RemediationCount> OUTPUT_ORDER =
      Comparator.comparing(RemediationCount::getGranularity)
          .thenComparing(RemediationCount::getWindowStart)
          .thenComparing(RemediationCount::getVulnerability, ReferenceModel::compareCodePoints)
          .thenComparing(RemediationCount::getDimension)
          .thenComparing(RemediationCount::getValue, ReferenceModel::compareCodePoints);

  /**
   * The "latest" order of DESIGN section 3: (observedAt, rank(status), scanner, eventId), absent
   * eventId as "", strings by code point.
   */
  public static final Comparator<ScanEvent> LATEST_ORDER =
      Comparator.comparing(ScanEvent::getObservedAt)
          .thenComparingInt((ScanEvent e) -> rank(e.getStatus()))
          .thenComparing(ScanEvent::getScanner, ReferenceModel::compareCodePoints)
          .thenComparing(
              (ScanEvent e) -> e.getEventId() == null ? "" : e.getEventId(),
              ReferenceModel::compareCodePoints);

  private ReferenceModel() {}

  public static Result compute(List<ScanEvent> events, int partitions) {
    return compute(events, partitions, Settings.defaults());
  }

  /**
   * Expected finals and LATE rejections for {@code events} produced in list order to a scans topic
   * of {@code partitions} partitions, followed by a watermark that closes every window.
   */
  public static Result compute(List<ScanEvent> events, int partitions, Settings settings) {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(settings, "settings");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }

    List<Counted> counted = new ArrayList<>();
    List<LateEvent> late = new ArrayList<>();
    decideWhatCounts(events, partitions, settings, counted, late);

    Map<HostKey, List<ScanEvent>> eventsPerHost = groupByHost(counted);

    Map<AggregateKey, Tally> tallies = new LinkedHashMap<>();
    for (Map.Entry<HostKey, List<ScanEvent>> entry : eventsPerHost.entrySet()) {
      tallyHost(entry.getKey(), entry.getValue(), tallies);
    }

    List<RemediationCount> finals = new ArrayList<>();
    for (Map.Entry<AggregateKey, Tally> entry : tallies.entrySet()) {
      finals.add(entry.getValue().toRecord(entry.getKey()));
    }
    finals.sort(OUTPUT_ORDER);
    return new Result(List.copyOf(finals), List.copyOf(late));
  }

  /** Kafka's default partitioner on the canonical-IP string key (DESIGN 7.4). */
  public static int partitionOf(String ip, int partitions) {
    return Utils.toPositive(Utils.murmur2(ip.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * Every window of {@code granularity} that holds the instant {@code observedAt}, oldest first.
   */
  public static List<Window> windowsOf(
      Granularity granularity, long observedAt, Settings settings) {
    return switch (granularity) {
      case HOURLY -> {
        long start = Math.floorDiv(observedAt, HOUR_MS) * HOUR_MS;
        yield List.of(new Window(Granularity.HOURLY, start, start + HOUR_MS));
      }
      case DAILY -> {
        long start = Math.floorDiv(observedAt, DAY_MS) * DAY_MS;
        yield List.of(new Window(Granularity.DAILY, start, start + DAY_MS));
      }
      case EXPOSURE -> {
        // The windows holding t end at the midnights E with E - lookBack <= t < E: the first
        // midnight after t and the lookBack - 1 midnights that follow it.
        long lookBack = settings.lookBackDays() * DAY_MS;
        long firstEnd = Math.floorDiv(observedAt, DAY_MS) * DAY_MS + DAY_MS;
        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < settings.lookBackDays(); i++) {
          long end = firstEnd + i * DAY_MS;
          windows.add(new Window(Granularity.EXPOSURE, end - lookBack, end));
        }
        yield List.copyOf(windows);
      }
    };
  }

  public static int rank(ScanStatus status) {
    return switch (status) {
      case VULNERABLE -> 3;
      case MITIGATED -> 2;
      case PATCHED -> 1;
      case UNREACHABLE -> 0;
    };
  }

  /**
   * Unicode code point order; String.compareTo compares UTF-16 units, which differs above U+FFFF.
   */
  public static int compareCodePoints(String a, String b) {
    return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  private record Counted(ScanEvent event, Window window) {}

  private record HostKey(Window window, String vulnerability, String ip) {}

  private record AggregateKey(
      Window window, String vulnerability, Dimension dimension, String value) {}

  /** Replays the events partition by partition, as the topology's per-partition tasks see them. */
  private static void decideWhatCounts(
      List<ScanEvent> events,
      int partitions,
      Settings settings,
      List<Counted> counted,
      List<LateEvent> late) {
    long[] progress = new long[partitions];
    Arrays.fill(progress, Long.MIN_VALUE);
    for (int index = 0; index < events.size(); index++) {
      ScanEvent event = events.get(index);
      int partition = partitionOf(event.getIp(), partitions);
      long observedAt = event.getObservedAt().toEpochMilli();
      EnumSet<Granularity> missed = EnumSet.noneOf(Granularity.class);
      for (Granularity granularity : Granularity.values()) {
        for (Window window : windowsOf(granularity, observedAt, settings)) {
          boolean closed = progress[partition] >= window.end() + settings.graceMillis(granularity);
          if (closed) {
            missed.add(granularity);
          } else {
            counted.add(new Counted(event, window));
          }
        }
      }
      if (!missed.isEmpty()) {
        late.add(new LateEvent(index, partition, List.copyOf(missed)));
      }
      progress[partition] = Math.max(progress[partition], observedAt);
    }
  }

  /** Each list keeps input order, which is the arrival order on the host's partition. */
  private static Map<HostKey, List<ScanEvent>> groupByHost(List<Counted> counted) {
    Map<HostKey, List<ScanEvent>> groups = new LinkedHashMap<>();
    for (Counted c : counted) {
      HostKey key = new HostKey(c.window(), c.event().getVulnerability(), c.event().getIp());
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(c.event());
    }
    return groups;
  }

  private static void tallyHost(
      HostKey host, List<ScanEvent> events, Map<AggregateKey, Tally> tallies) {
    ScanEvent latest = latest(events);
    boolean compromised = events.stream().anyMatch(ScanEvent::getCompromised);
    add(tallies, host, Dimension.GLOBAL, "ALL", latest.getStatus(), compromised);
    add(tallies, host, Dimension.COUNTRY, latest.getCountry(), latest.getStatus(), compromised);
    add(
        tallies,
        host,
        Dimension.ASN,
        Long.toString(latest.getAsn()),
        latest.getStatus(),
        compromised);

    Map<String, List<ScanEvent>> byScanner = new LinkedHashMap<>();
    for (ScanEvent event : events) {
      byScanner.computeIfAbsent(event.getScanner(), s -> new ArrayList<>()).add(event);
    }
    for (Map.Entry<String, List<ScanEvent>> entry : byScanner.entrySet()) {
      List<ScanEvent> own = entry.getValue();
      boolean ownCompromised = own.stream().anyMatch(ScanEvent::getCompromised);
      add(
          tallies,
          host,
          Dimension.SCANNER,
          entry.getKey(),
          latest(own).getStatus(),
          ownCompromised);
    }
  }

  /**
   * Strictly greater replaces, so among equal keys the first in arrival order stays (DESIGN 7.2).
   */
  private static ScanEvent latest(List<ScanEvent> inArrivalOrder) {
    ScanEvent latest = inArrivalOrder.get(0);
    for (ScanEvent candidate : inArrivalOrder) {
      if (LATEST_ORDER.compare(candidate, latest) > 0) {
        latest = candidate;
      }
    }
    return latest;
  }

  private static void add(
      Map<AggregateKey, Tally> tallies,
      HostKey host,
      Dimension dimension,
      String value,
      ScanStatus status,
      boolean compromised) {
    AggregateKey key = new AggregateKey(host.window(), host.vulnerability(), dimension, value);
    tallies.computeIfAbsent(key, k -> new Tally()).add(status, compromised);
  }

  private static final class Tally {
    private long hosts;
    private long vulnerable;
    private long mitigated;
    private long patched;
    private long unreachable;
    private long compromised;

    void add(ScanStatus status, boolean hostCompromised) {
      hosts++;
      switch (status) {
        case VULNERABLE -> vulnerable++;
        case MITIGATED -> mitigated++;
        case PATCHED -> patched++;
        case UNREACHABLE -> unreachable++;
      }
      if (hostCompromised) {
        compromised++;
      }
    }

    RemediationCount toRecord(AggregateKey key) {
      long denominator = vulnerable + mitigated + patched;
      Double ratio = denominator == 0 ? null : (double) (mitigated + patched) / denominator;
      return RemediationCount.newBuilder()
          .setGranularity(key.window().granularity())
          .setWindowStart(Instant.ofEpochMilli(key.window().start()))
          .setWindowEnd(Instant.ofEpochMilli(key.window().end()))
          .setVulnerability(key.vulnerability())
          .setDimension(key.dimension())
          .setValue(key.value())
          .setHosts(hosts)
          .setVulnerable(vulnerable)
          .setMitigated(mitigated)
          .setPatched(patched)
          .setUnreachable(unreachable)
          .setCompromised(compromised)
          .setRemediatedRatio(ratio)
          .build();
    }
  }
}
