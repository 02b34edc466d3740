package dev.patchwatch.topology;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.ScanStatus;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides each day of one partition once its DAILY window closes, in day order (DESIGN section
 * 7.9): for every host with a DAILY state that day, its transition from its previous state, its
 * compromise, and where its cohorts stand; then sends the day's transitions and every living
 * cohort's point at that day, as partials.
 *
 * <p>The host-day records hold each host's DAILY state; {@link HostHistory} records what the closed
 * days before said. The cohort sizes of the last {@value HostHistory#AGES} days are kept in memory,
 * rebuilt from the histories when the task starts.
 */
final class ClosedDays {

  /** Previous state: the latest decided day at most this many days before (DESIGN 7.9). */
  static final int LOOK_BACK_DAYS = 7;

  static final int MAX_AGE = HostHistory.AGES - 1;

  /** Counters of a transitions row, in the order of {@code TransitionCount}. */
  static final int HOSTS = 0;

  static final int REMEDIATED = 1;
  static final int REGRESSED = 2;
  static final int NEWLY_COMPROMISED = 3;
  static final int COMPROMISED_BUT_REMEDIATED = 4;
  private static final int TRANSITION_WIDTH = 5;

  /** Counters of a cohort row at one age: observed, then by status in ScanStatus order. */
  static final int OBSERVED = 0;

  private static final int COHORT_WIDTH = 5;

  private static final long NONE = ExposureCounter.NONE;

  /** Receives one partial: its key and its six counters. */
  interface PartialSink {
    void accept(byte[] key, long a, long b, long c, long d, long e, long f);
  }

  private final KeyValueStore<Bytes, byte[]> days;
  private final KeyValueStore<Bytes, byte[]> histories;
  private final DimensionIds ids;

  /** The DAILY slot of the record being decided. */
  private final HostDay.DayView slot = new HostDay.DayView();

  /** Per cohort day (days since the epoch) still followed: its members per dimension value. */
  private final NavigableMap<Integer, Tally> cohortSizes = new TreeMap<>();

  ClosedDays(
      KeyValueStore<Bytes, byte[]> days, KeyValueStore<Bytes, byte[]> histories, DimensionIds ids) {
    this.days = days;
    this.histories = histories;
    this.ids = ids;
  }

  /** Restores the sizes of the cohorts still followed after {@code lastClosedDay} was decided. */
  void rebuild(long lastClosedDay) {
    cohortSizes.clear();
    if (lastClosedDay == Long.MIN_VALUE) {
      return;
    }
    int closed = dayNumber(lastClosedDay);
    try (KeyValueIterator<Bytes, byte[]> all = histories.all()) {
      while (all.hasNext()) {
        var entry = all.next();
        String vulnerability = HostDay.vulnerabilityOfHost(entry.key.get());
        HostHistory history = HostHistory.decode(entry.value);
        countMembers(vulnerability, history.all, closed);
        for (HostHistory.View view : history.scanners) {
          countMembers(vulnerability, view, closed);
        }
      }
    }
  }

  private void countMembers(String vulnerability, HostHistory.View view, int closed) {
    for (HostHistory.Run run : view.runs) {
      for (int i = 0; i < HostHistory.AGES; i++) {
        int cohort = view.lastDay - i;
        // followed until the day cohort + MAX_AGE is decided
        if ((run.mask & (1 << i)) != 0 && cohort + MAX_AGE > closed) {
          joined(vulnerability, view, countryId(run), asnId(run), cohort);
        }
      }
    }
  }

  /**
   * Decides every day in {@code (after, upTo]} that has a host-day or a cohort to follow, in order.
   *
   * @param stored the days with host-day records
   */
  void closeThrough(long after, long upTo, ExposureCounter stored, PartialSink sink) {
    long day = after == Long.MIN_VALUE ? Long.MIN_VALUE : after + Windowing.DAY_MS;
    while (true) {
      day = nextToDecide(day, stored);
      if (day == NONE || day > upTo) {
        return;
      }
      close(day, sink);
      day += Windowing.DAY_MS;
    }
  }

  /**
   * {@code from} itself while a cohort is followed then, else the next day with host-days. Cohorts
   * exist only once a day has been decided, so {@code from} is then a real day.
   */
  private long nextToDecide(long from, ExposureCounter stored) {
    if (!cohortSizes.isEmpty()
        && from <= (long) (cohortSizes.lastKey() + MAX_AGE) * Windowing.DAY_MS) {
      return from;
    }
    return stored.nextDay(from);
  }

  private void close(long dayStart, PartialSink sink) {
    int day = dayNumber(dayStart);
    Tally transitions = new Tally(TRANSITION_WIDTH, ids);
    // age → members seen this day, per day-C dimension value
    Tally[] ages = new Tally[HostHistory.AGES];
    String vulnerability = null;
    try (KeyValueIterator<Bytes, byte[]> it =
        days.range(
            Bytes.wrap(HostDay.firstKeyOf(dayStart)), Bytes.wrap(HostDay.lastKeyOf(dayStart)))) {
      while (it.hasNext()) {
        var entry = it.next();
        if (!slot.read(entry.value, ids)) {
          continue; // only HOURLY windows were open for its events: no DAILY state
        }
        byte[] dayKey = entry.key.get();
        Bytes hostKey = Bytes.wrap(Arrays.copyOfRange(dayKey, 4, dayKey.length));
        byte[] stored = histories.get(hostKey);
        HostHistory history = stored == null ? new HostHistory() : HostHistory.decode(stored);
        vulnerability = HostDay.vulnerabilityOf(dayKey, vulnerability);
        decide(
            vulnerability,
            history.all,
            day,
            slot.status(),
            slot.compromised(),
            slot.country,
            slot.asn,
            slot.asnId,
            transitions,
            ages);
        for (int i = 0; i < slot.size; i++) {
          decide(
              vulnerability,
              history.scanner(ids.name(Dimension.SCANNER, slot.scanner[i])),
              day,
              slot.status[i],
              slot.compromised[i],
              -1,
              0,
              -1,
              transitions,
              ages);
        }
        histories.put(hostKey, history.encode());
      }
    }
    transitions.forEachRow(
        (vuln, dimension, value, row, at) ->
            sink.accept(
                AggregateKey.transitions(dayStart, vuln, dimension, value),
                row[at + HOSTS],
                row[at + REMEDIATED],
                row[at + REGRESSED],
                row[at + NEWLY_COMPROMISED],
                row[at + COMPROMISED_BUT_REMEDIATED],
                0));
    sendCohorts(dayStart, day, ages, sink);
  }

  /** Every cohort followed on {@code day}, members observed or not, so curves have no holes. */
  private void sendCohorts(long dayStart, int day, Tally[] ages, PartialSink sink) {
    for (Map.Entry<Integer, Tally> cohort :
        cohortSizes.subMap(day - MAX_AGE, true, day, true).entrySet()) {
      int age = day - cohort.getKey();
      Tally seen = ages[age];
      cohort
          .getValue()
          .forEachId(
              (vulnerability, dimension, id, row, at) -> {
                long observed = 0;
                long[] status = new long[4];
                if (seen != null) {
                  observed = seen.get(vulnerability, dimension, id, OBSERVED);
                  for (int s = 0; s < 4; s++) {
                    status[s] = seen.get(vulnerability, dimension, id, 1 + s);
                  }
                }
                sink.accept(
                    AggregateKey.cohort(
                        dayStart, age, vulnerability, dimension, ids.name(dimension, id)),
                    row[at],
                    observed,
                    status[0],
                    status[1],
                    status[2],
                    status[3]);
              });
    }
    cohortSizes.headMap(day - MAX_AGE, true).clear();
  }

  /**
   * One view's day: its transition, compromise and cohort points, then the view remembers the day.
   * The host's country and ASN (ids, and the ASN itself) slice the all-scanner view; a scanner's
   * view is sliced by its scanner.
   */
  private void decide(
      String vulnerability,
      HostHistory.View view,
      int day,
      ScanStatus status,
      boolean compromisedToday,
      int country,
      long asn,
      int asnId,
      Tally transitions,
      Tally[] ages) {
    ScanStatus previous =
        view.lastDay != HostHistory.NONE && (long) day - view.lastDay <= LOOK_BACK_DAYS
            ? view.lastStatus
            : null;
    boolean remediatedNow = status == ScanStatus.MITIGATED || status == ScanStatus.PATCHED;
    boolean wasRemediated = previous == ScanStatus.MITIGATED || previous == ScanStatus.PATCHED;
    boolean[] fields = new boolean[TRANSITION_WIDTH];
    fields[HOSTS] = true;
    fields[REMEDIATED] = previous == ScanStatus.VULNERABLE && remediatedNow;
    fields[REGRESSED] = wasRemediated && status == ScanStatus.VULNERABLE;
    fields[NEWLY_COMPROMISED] = compromisedToday && !view.everCompromised;
    fields[COMPROMISED_BUT_REMEDIATED] =
        remediatedNow && (compromisedToday || view.everCompromised);
    for (int f = 0; f < TRANSITION_WIDTH; f++) {
      int field = f;
      if (fields[f]) {
        forEachSlice(
            view,
            country,
            asnId,
            (dimension, id) -> transitions.increment(vulnerability, dimension, id, field));
      }
    }

    view.shiftTo(day);
    view.lastDay = day;
    view.lastStatus = status;
    view.everCompromised |= compromisedToday;
    if (status == ScanStatus.VULNERABLE) {
      view.joinCohort(country < 0 ? null : ids.name(Dimension.COUNTRY, country), asn);
      joined(vulnerability, view, country, asnId, day);
    }
    for (HostHistory.Run run : view.runs) {
      int runCountry = countryId(run);
      int runAsn = asnId(run);
      for (int age = 0; age < HostHistory.AGES; age++) {
        if ((run.mask & (1 << age)) == 0) {
          continue;
        }
        Tally seen = ages[age];
        if (seen == null) {
          seen = new Tally(COHORT_WIDTH, ids);
          ages[age] = seen;
        }
        Tally into = seen;
        int statusField = 1 + status.ordinal();
        forEachSlice(
            view,
            runCountry,
            runAsn,
            (dimension, id) -> {
              into.increment(vulnerability, dimension, id, OBSERVED);
              into.increment(vulnerability, dimension, id, statusField);
            });
      }
    }
  }

  /** A member joined the cohort of {@code day} under these day-C slices (ids). */
  private void joined(String vulnerability, HostHistory.View view, int country, int asn, int day) {
    Tally sizes = cohortSizes.computeIfAbsent(day, d -> new Tally(1, ids));
    forEachSlice(
        view, country, asn, (dimension, id) -> sizes.increment(vulnerability, dimension, id, 0));
  }

  /** The slices a host counts in: GLOBAL, its country and ASN (ids), or its scanner's. */
  private void forEachSlice(HostHistory.View view, int country, int asn, SliceSink sink) {
    if (view.scanner != null) {
      sink.accept(Dimension.SCANNER, ids.scanner(view.scanner));
    } else {
      sink.accept(Dimension.GLOBAL, 0);
      sink.accept(Dimension.COUNTRY, country);
      sink.accept(Dimension.ASN, asn);
    }
  }

  /** The id of a cohort run's country; -1 in a scanner's view, which has none. */
  private int countryId(HostHistory.Run run) {
    return run.country == null ? -1 : ids.country(run.country);
  }

  private int asnId(HostHistory.Run run) {
    return run.country == null ? -1 : ids.asn(run.asn);
  }

  private interface SliceSink {
    void accept(Dimension dimension, int id);
  }

  private static int dayNumber(long dayStart) {
    return (int) Math.floorDiv(dayStart, Windowing.DAY_MS);
  }
}
