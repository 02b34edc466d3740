package dev.patchwatch.reference;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.avro.TransitionCount;
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
import java.util.TreeMap;
import org.apache.kafka.common.utils.Utils;

/**
 * The expected finals of DESIGN sections 3, 7.2, 7.3 and 7.9, computed the slow, obvious way.
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
   * @param transitions every transition record of DESIGN 7.9, sorted by {@link #TRANSITION_ORDER}
   * @param cohorts every cohort record of DESIGN 7.9, sorted by {@link #COHORT_ORDER}
   */
  public record Result(
      List<RemediationCount> finals,
      List<LateEvent> late,
      List<TransitionCount> transitions,
      List<CohortCount> cohorts) {}

  /** The previous-state look-back of DESIGN 7.9, fixed whatever the EXPOSURE look-back. */
  static final int TRANSITION_LOOK_BACK_DAYS = 7;

  /** Cohorts are followed for ages 0 to this (DESIGN 7.9). */
  static final int MAX_COHORT_AGE_DAYS = 28;

  /** (day, vulnerability, dimension, value): the order of {@link Result#transitions()}. */
  public static final Comparator<TransitionCount> TRANSITION_ORDER =
      Comparator.comparing(TransitionCount::getWindowStart)
          .thenComparing(TransitionCount::getVulnerability, ReferenceModel::compareCodePoints)
          .thenComparing(TransitionCount::getDimension)
          .thenComparing(TransitionCount::getValue, ReferenceModel::compareCodePoints);

  /**
   * (vulnerability, cohortDay, ageDays, dimension, value): the order of {@link Result#cohorts()}.
   */
  public static final Comparator<CohortCount> COHORT_ORDER =
      Comparator.comparing(CohortCount::getVulnerability, ReferenceModel::compareCodePoints)
          .thenComparing(CohortCount::getCohortDay)
          .thenComparingInt(CohortCount::getAgeDays)
          .thenComparing(CohortCount::getDimension)
          .thenComparing(CohortCount::getValue, ReferenceModel::compareCodePoints);

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
   * of {@code partitions} partitions, followed by the closing watermark of {@code replay} (DESIGN
   * 7.4: the greatest observedAt + look-back + largest grace + 1 day).
   */
  public static Result compute(List<ScanEvent> events, int partitions, Settings settings) {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(settings, "settings");
    if (events.isEmpty()) {
      return new Result(List.of(), List.of(), List.of(), List.of());
    }
    return compute(events, partitions, settings, closingWatermark(events, settings));
  }

  /** The watermark {@code replay} ends {@code events} with (DESIGN 7.4). */
  public static Instant closingWatermark(List<ScanEvent> events, Settings settings) {
    long maxObservedAt =
        events.stream().mapToLong(e -> e.getObservedAt().toEpochMilli()).max().orElseThrow();
    long maxGrace =
        Arrays.stream(Granularity.values()).mapToLong(settings::graceMillis).max().orElseThrow();
    return Instant.ofEpochMilli(
        maxObservedAt + settings.lookBackDays() * DAY_MS + maxGrace + DAY_MS);
  }

  /**
   * As {@link #compute(List, int, Settings)}, the input followed by a watermark at {@code
   * watermark} on every partition. The count finals assume that it closes every window that holds
   * an event; transitions and cohorts exist only for the days whose DAILY window it closes, which
   * decides how far each cohort's curve reaches.
   */
  public static Result compute(
      List<ScanEvent> events, int partitions, Settings settings, Instant watermark) {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(watermark, "watermark");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }

    List<Counted> counted = new ArrayList<>();
    List<LateEvent> late = new ArrayList<>();
    long[] progress = decideWhatCounts(events, partitions, settings, counted, late);

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

    // A DAILY window closes once every partition's progress, the watermark included, has reached
    // its end + grace (DESIGN 7.3).
    long slowest = Long.MAX_VALUE;
    for (long p : progress) {
      slowest = Math.min(slowest, Math.max(p, watermark.toEpochMilli()));
    }
    long lastClosedDayEnd = slowest - settings.dailyGrace().toMillis();
    DayDecisions decisions = decideDays(counted, lastClosedDayEnd);
    List<TransitionCount> transitions = transitions(decisions);
    List<CohortCount> cohorts = cohorts(decisions);
    return new Result(
        List.copyOf(finals), List.copyOf(late), List.copyOf(transitions), List.copyOf(cohorts));
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

  /**
   * Replays the events partition by partition, as the topology's per-partition tasks see them.
   *
   * @return each partition's progress after the last event, Long.MIN_VALUE for one that had none
   */
  private static long[] decideWhatCounts(
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
    return progress;
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

  // ---- DESIGN 7.9: transitions and cohorts ----

  /** One host (ip) for one vulnerability. */
  private record HostVulnerability(String vulnerability, String ip) {}

  /**
   * The view a D(h, d) belongs to: null scanner for the all-scanner view (GLOBAL, COUNTRY, ASN),
   * otherwise that scanner's own view (SCANNER).
   */
  private record View(String scanner) {
    static final View ALL_SCANNERS = new View(null);
  }

  /**
   * D(h, d) in one view: the DAILY state, the slices it sits in (from the event that decides it)
   * and whether any of the view's events counted on that day says compromised.
   */
  private record Decision(ScanStatus status, List<Slice> slices, boolean compromised) {}

  private record Slice(Dimension dimension, String value) {}

  /**
   * Every D(h, d) of a closed day, per host, per view, by day start (epoch millis, UTC midnight).
   */
  private record DayDecisions(
      Map<HostVulnerability, Map<View, TreeMap<Long, Decision>>> byHost, long lastClosedDayEnd) {

    boolean closed(long dayStart) {
      return dayStart + DAY_MS <= lastClosedDayEnd;
    }
  }

  /**
   * D(h, d) from exactly the events the DAILY counts take (LATE ones left out), for the days whose
   * DAILY window has closed.
   */
  private static DayDecisions decideDays(List<Counted> counted, long lastClosedDayEnd) {
    // (host, day) -> that day's counted events, in arrival order
    Map<HostVulnerability, TreeMap<Long, List<ScanEvent>>> daily = new LinkedHashMap<>();
    for (Counted c : counted) {
      if (c.window().granularity() != Granularity.DAILY) {
        continue;
      }
      if (c.window().end() > lastClosedDayEnd) {
        continue;
      }
      HostVulnerability host =
          new HostVulnerability(c.event().getVulnerability(), c.event().getIp());
      daily
          .computeIfAbsent(host, k -> new TreeMap<>())
          .computeIfAbsent(c.window().start(), k -> new ArrayList<>())
          .add(c.event());
    }

    Map<HostVulnerability, Map<View, TreeMap<Long, Decision>>> byHost = new LinkedHashMap<>();
    for (Map.Entry<HostVulnerability, TreeMap<Long, List<ScanEvent>>> host : daily.entrySet()) {
      Map<View, TreeMap<Long, Decision>> views = new LinkedHashMap<>();
      for (Map.Entry<Long, List<ScanEvent>> day : host.getValue().entrySet()) {
        List<ScanEvent> events = day.getValue();
        ScanEvent latest = latest(events);
        views
            .computeIfAbsent(View.ALL_SCANNERS, v -> new TreeMap<>())
            .put(
                day.getKey(),
                new Decision(
                    latest.getStatus(),
                    List.of(
                        new Slice(Dimension.GLOBAL, "ALL"),
                        new Slice(Dimension.COUNTRY, latest.getCountry()),
                        new Slice(Dimension.ASN, Long.toString(latest.getAsn()))),
                    events.stream().anyMatch(ScanEvent::getCompromised)));

        Map<String, List<ScanEvent>> byScanner = new LinkedHashMap<>();
        for (ScanEvent event : events) {
          byScanner.computeIfAbsent(event.getScanner(), s -> new ArrayList<>()).add(event);
        }
        for (Map.Entry<String, List<ScanEvent>> scanner : byScanner.entrySet()) {
          List<ScanEvent> own = scanner.getValue();
          views
              .computeIfAbsent(new View(scanner.getKey()), v -> new TreeMap<>())
              .put(
                  day.getKey(),
                  new Decision(
                      latest(own).getStatus(),
                      List.of(new Slice(Dimension.SCANNER, scanner.getKey())),
                      own.stream().anyMatch(ScanEvent::getCompromised)));
        }
      }
      byHost.put(host.getKey(), views);
    }
    return new DayDecisions(byHost, lastClosedDayEnd);
  }

  private record TransitionKey(long day, String vulnerability, Dimension dimension, String value) {}

  private static List<TransitionCount> transitions(DayDecisions decisions) {
    Map<TransitionKey, long[]> tallies = new LinkedHashMap<>();
    for (Map.Entry<HostVulnerability, Map<View, TreeMap<Long, Decision>>> host :
        decisions.byHost().entrySet()) {
      for (TreeMap<Long, Decision> days : host.getValue().values()) {
        for (Map.Entry<Long, Decision> entry : days.entrySet()) {
          long day = entry.getKey();
          Decision today = entry.getValue();

          // the latest day in [d - 7, d - 1] with a decision, if any
          Map.Entry<Long, Decision> previousEntry = days.lowerEntry(day);
          ScanStatus previous =
              previousEntry != null
                      && previousEntry.getKey() >= day - TRANSITION_LOOK_BACK_DAYS * DAY_MS
                  ? previousEntry.getValue().status()
                  : null;
          boolean compromisedBefore =
              days.headMap(day, false).values().stream().anyMatch(Decision::compromised);

          boolean remediatedNow = isRemediated(today.status());
          boolean remediated = previous == ScanStatus.VULNERABLE && remediatedNow;
          boolean regressed =
              previous != null && isRemediated(previous) && today.status() == ScanStatus.VULNERABLE;
          boolean newlyCompromised = today.compromised() && !compromisedBefore;
          boolean compromisedButRemediated =
              remediatedNow && (today.compromised() || compromisedBefore);

          for (Slice slice : today.slices()) {
            long[] t =
                tallies.computeIfAbsent(
                    new TransitionKey(
                        day, host.getKey().vulnerability(), slice.dimension(), slice.value()),
                    k -> new long[5]);
            t[0]++;
            t[1] += remediated ? 1 : 0;
            t[2] += regressed ? 1 : 0;
            t[3] += newlyCompromised ? 1 : 0;
            t[4] += compromisedButRemediated ? 1 : 0;
          }
        }
      }
    }
    List<TransitionCount> out = new ArrayList<>();
    tallies.forEach(
        (key, t) ->
            out.add(
                TransitionCount.newBuilder()
                    .setWindowStart(Instant.ofEpochMilli(key.day()))
                    .setWindowEnd(Instant.ofEpochMilli(key.day() + DAY_MS))
                    .setVulnerability(key.vulnerability())
                    .setDimension(key.dimension())
                    .setValue(key.value())
                    .setHosts(t[0])
                    .setRemediated(t[1])
                    .setRegressed(t[2])
                    .setNewlyCompromised(t[3])
                    .setCompromisedButRemediated(t[4])
                    .build()));
    out.sort(TRANSITION_ORDER);
    return out;
  }

  private static boolean isRemediated(ScanStatus status) {
    return status == ScanStatus.MITIGATED || status == ScanStatus.PATCHED;
  }

  private record CohortPoint(
      String vulnerability, long cohortDay, int ageDays, Dimension dimension, String value) {}

  private static List<CohortCount> cohorts(DayDecisions decisions) {
    Map<CohortPoint, long[]> tallies = new LinkedHashMap<>();
    for (Map.Entry<HostVulnerability, Map<View, TreeMap<Long, Decision>>> host :
        decisions.byHost().entrySet()) {
      for (TreeMap<Long, Decision> days : host.getValue().values()) {
        for (Map.Entry<Long, Decision> entry : days.entrySet()) {
          long cohortDay = entry.getKey();
          Decision atC = entry.getValue();
          if (atC.status() != ScanStatus.VULNERABLE) {
            continue;
          }
          for (int age = 0; age <= MAX_COHORT_AGE_DAYS; age++) {
            long day = cohortDay + age * DAY_MS;
            // a point exists once its day has closed, whether or not anyone was seen on it
            if (!decisions.closed(day)) {
              break;
            }
            Decision then = days.get(day);
            for (Slice slice : atC.slices()) {
              long[] t =
                  tallies.computeIfAbsent(
                      new CohortPoint(
                          host.getKey().vulnerability(),
                          cohortDay,
                          age,
                          slice.dimension(),
                          slice.value()),
                      k -> new long[6]);
              t[0]++;
              if (then != null) {
                t[1]++;
                switch (then.status()) {
                  case VULNERABLE -> t[2]++;
                  case MITIGATED -> t[3]++;
                  case PATCHED -> t[4]++;
                  case UNREACHABLE -> t[5]++;
                }
              }
            }
          }
        }
      }
    }
    List<CohortCount> out = new ArrayList<>();
    tallies.forEach(
        (key, t) ->
            out.add(
                CohortCount.newBuilder()
                    .setVulnerability(key.vulnerability())
                    .setCohortDay(Instant.ofEpochMilli(key.cohortDay()))
                    .setAgeDays(key.ageDays())
                    .setDay(Instant.ofEpochMilli(key.cohortDay() + key.ageDays() * DAY_MS))
                    .setDimension(key.dimension())
                    .setValue(key.value())
                    .setCohortSize(t[0])
                    .setObserved(t[1])
                    .setVulnerable(t[2])
                    .setMitigated(t[3])
                    .setPatched(t[4])
                    .setUnreachable(t[5])
                    .build()));
    out.sort(COHORT_ORDER);
    return out;
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
