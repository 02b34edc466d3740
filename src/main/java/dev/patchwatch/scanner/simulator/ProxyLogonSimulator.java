package dev.patchwatch.scanner.simulator;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A scanner fleet watching a remediation wave, day by day: the scan events a scenario's scanners
 * would have published, such that the EXPOSURE counts PatchWatch computes from them follow the
 * scenario's curve. Deterministic for (scenario, scale, seed); immutable and thread-safe, so days
 * can be generated in any order or in parallel.
 *
 * <p><b>The model.</b> Each host is vulnerable until an exit instant x, then patched, mitigated or
 * offline for good; a scan at time t reports VULNERABLE if t &lt; x, else the exit state (an
 * offline host is reported UNREACHABLE for {@code exits.unreachableDays} days, then dropped from
 * every target list). The primary scanner sweeps every host every day (missing a few) and the
 * others cover subsets at their own times of day. A few fixed hosts regress (VULNERABLE again from
 * one midnight to another, a restored backup), and most compromised hosts keep their web shell
 * after they are fixed (see {@link Population}): what transitions and cohorts are for.
 *
 * <p><b>Why the curve comes out exact.</b> The EXPOSURE window ending at midnight D holds each host
 * seen in [D - look-back, D) in the state of its last scan L(D) before D. Each host gets an exit
 * day e (see {@link Population}) and its exit instant is placed in (L(e), L(e + 1)]: after its last
 * scan before day e, and no later than its last scan on day e (the primary scanner never misses a
 * host on its exit day, so that scan exists). Then the host's last scan before D is VULNERABLE
 * exactly when e &ge; D, so the window ending at D counts exactly the hosts whose exit day is D or
 * later, which {@link Population} deals out to match the scaled curve. A regression starts and ends
 * at midnight, and the primary scanner scans the host on both days, so the same argument counts it
 * exactly in the windows ending inside it; {@link Population} adds it to the counts. This needs
 * every vulnerable host to be scanned once per look-back, which a primary scanner with reliability
 * &ge; 0.9 makes certain in practice (a 7-day miss at 0.985 has probability about 10^-13 per host).
 *
 * <p><b>Timeline of the bundled month.</b> Scans run from 2021-02-22 to 2021-03-31. The first
 * EXPOSURE window with a full week of scans ends at midnight 2021-03-01 (the first published
 * figure) and the last one at midnight 2021-04-01; those 32 windows are the curve to print. Windows
 * ending earlier hold fewer days of scans (though the daily primary sweep already puts nearly every
 * host in them), and windows ending after 2021-04-01 only repeat the last days' states while they
 * age out.
 */
public final class ProxyLogonSimulator {

  private static final long DAY_MS = Duration.ofDays(1).toMillis();
  private static final Map<String, String> NO_ATTRIBUTES = Map.of();
  private static final String FRANCE = "FR";

  // sort key of a scan within a day: time of day (27 bits) | host (32 bits) | scanner (4 bits)
  private static final int HOST_SHIFT = 4;
  private static final int TIME_SHIFT = 36;

  // what a hash is drawn for, so that draws for one (host, scanner, day) are independent
  private static final int PHASE = 1;
  private static final int RELIABILITY = 2;
  private static final int TIME = 3;
  private static final int EXIT = 4;

  private final Scenario scenario;
  private final double scale;
  private final long seedHash;
  private final Population population;
  private final long firstEpochDay;
  private final int dayCount;

  // the fleet, unpacked into arrays for the per-host loop
  private final String[] scannerIds;
  private final boolean[] primary;
  private final double[] reliability;
  private final int[] everyDays;
  private final int[] since;
  private final long[] from;
  private final long[] slot;
  private final boolean[] reportsCompromise;

  private final String[] countryCodes;
  private final String vulnerability;
  private final String product;
  private final Integer port;
  private final String[] vulnerableVersion;
  private final String[] fixedVersion;
  private final ScanStatus[] exitStatus;
  private final int unreachableDays;

  /**
   * @param scale share of the scenario's population to simulate, e.g. 0.05 for 20,000 of 400,000
   * @param seed fixes every random choice
   * @throws IllegalArgumentException if the scale is not positive or leaves no host
   */
  public ProxyLogonSimulator(Scenario scenario, double scale, long seed) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.scale = scale;
    this.seedHash = mix(seed ^ 0x5DEECE66DL);
    this.population = new Population(scenario, scale, seed);
    this.firstEpochDay = scenario.firstDay().toEpochDay();
    this.dayCount = (int) (scenario.lastDay().toEpochDay() - firstEpochDay + 1);

    List<Scenario.Scanner> fleet = scenario.scanners();
    int n = fleet.size();
    scannerIds = new String[n];
    primary = new boolean[n];
    reliability = new double[n];
    everyDays = new int[n];
    since = new int[n];
    from = new long[n];
    slot = new long[n];
    reportsCompromise = new boolean[n];
    for (int s = 0; s < n; s++) {
      Scenario.Scanner scanner = fleet.get(s);
      scannerIds[s] = scanner.id();
      primary[s] = scanner.primary();
      reliability[s] = scanner.reliability();
      everyDays[s] = scanner.everyDays();
      since[s] = (int) (scanner.since().toEpochDay() - firstEpochDay);
      from[s] = scanner.from().toMillis();
      slot[s] = scanner.to().toMillis() - from[s];
      reportsCompromise[s] = scanner.reportsCompromise();
    }

    countryCodes = scenario.countries().stream().map(Scenario.Country::code).toArray(String[]::new);
    vulnerability = scenario.vulnerability();
    product = scenario.product().name();
    port = scenario.product().port();
    vulnerableVersion =
        scenario.product().builds().stream().map(Scenario.Build::vulnerable).toArray(String[]::new);
    fixedVersion =
        scenario.product().builds().stream().map(Scenario.Build::fixed).toArray(String[]::new);
    exitStatus = new ScanStatus[3];
    exitStatus[Population.PATCHED] = ScanStatus.PATCHED;
    exitStatus[Population.MITIGATED] = ScanStatus.MITIGATED;
    exitStatus[Population.OFFLINE] = ScanStatus.UNREACHABLE;
    unreachableDays = scenario.exits().unreachableDays();
  }

  public Scenario scenario() {
    return scenario;
  }

  public double scale() {
    return scale;
  }

  /** Population size after scaling. */
  public long hosts() {
    return population.size;
  }

  /** The simulated days, {@code firstDay} to {@code lastDay}. */
  public List<LocalDate> days() {
    List<LocalDate> days = new ArrayList<>(dayCount);
    for (int i = 0; i < dayCount; i++) {
      days.add(scenario.firstDay().plusDays(i));
    }
    return days;
  }

  /**
   * Events of one simulated day (UTC), in observedAt order; deterministic for (scenario, scale,
   * seed). Events at the same millisecond are ordered by host, then scanner.
   *
   * @throws IllegalArgumentException if {@code day} is not one of {@link #days()}
   */
  public List<ScanEvent> day(LocalDate day) {
    int d = dayIndex(day);
    long dayStart = day.toEpochDay() * DAY_MS;
    int scanners = scannerIds.length;
    // room for two scans a host, a little more than the fleets we simulate make; grows if needed
    long[] keys =
        new long[Math.max(16, (int) Math.min(Integer.MAX_VALUE - 8, population.size * 2L))];
    int count = 0;
    for (int h = 0; h < population.size; h++) {
      if (!live(h, d)) {
        continue;
      }
      int exit = population.exitDay[h];
      for (int s = 0; s < scanners; s++) {
        if (scans(h, s, d, exit)) {
          if (count == keys.length) {
            keys = Arrays.copyOf(keys, keys.length + (keys.length >> 1));
          }
          keys[count++] = timeOfDay(h, s, d) << TIME_SHIFT | (long) h << HOST_SHIFT | s;
        }
      }
    }
    Arrays.sort(keys, 0, count);

    List<ScanEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long key = keys[i];
      int s = (int) (key & 0xF);
      int h = (int) (key >>> HOST_SHIFT & 0xFFFF_FFFFL);
      long at = dayStart + (key >>> TIME_SHIFT);
      ScanStatus status;
      int exit = population.exitDay[h];
      if (d < exit || (d >= population.regressDay[h] && d < population.refixDay[h])) {
        status = ScanStatus.VULNERABLE;
      } else if (d > exit) {
        status = exitStatus[population.kind(h)];
      } else {
        // only on the exit day, a host or two in a hundred: cheap enough to recompute per scan
        status = at < exitInstant(h, d) ? ScanStatus.VULNERABLE : exitStatus[population.kind(h)];
      }
      events.add(event(h, s, d, at, status));
    }
    return events;
  }

  /**
   * The figure to show as "published" for the population as of midnight {@code date}, scaled:
   * log-linear between the scenario's published global anchors; empty outside them.
   */
  public OptionalLong publishedExposed(LocalDate date) {
    return scaled(scenario.published(scenario.exposed(), date));
  }

  /** As {@link #publishedExposed}, for France's published anchors; empty if there are none. */
  public OptionalLong publishedFranceExposed(LocalDate date) {
    List<Scenario.Anchor> anchors = scenario.countryExposed().get(FRANCE);
    return anchors == null ? OptionalLong.empty() : scaled(scenario.published(anchors, date));
  }

  /**
   * The EXPOSURE / GLOBAL VULNERABLE count that the events of this simulator produce for the window
   * ending at midnight {@code date}: the scenario's curve (published and assumed anchors), scaled
   * and rounded, as dealt to the hosts. Exact by construction (see the class comment: every
   * vulnerable host must be scanned once per look-back, which the primary scanner all but
   * guarantees) for dates from {@code firstDay + lookBackDays} to {@code lastDay + 1}, the windows
   * that hold a full look-back of scans; empty outside them.
   */
  public OptionalLong expectedExposed(LocalDate date) {
    return expected(population.vulnerableAt, date);
  }

  /**
   * Of {@link #expectedExposed}, the hosts counted because they regressed: fixed, then VULNERABLE
   * again as of that midnight. The rest follows the scenario's curve exactly.
   */
  public OptionalLong expectedRegressed(LocalDate date) {
    return expected(population.regressedAt, date);
  }

  /** As {@link #expectedExposed} for the COUNTRY / FR count; empty if France has no curve. */
  public OptionalLong expectedFranceExposed(LocalDate date) {
    long[] france = population.countryVulnerableAt.get(FRANCE);
    return france == null ? OptionalLong.empty() : expected(france, date);
  }

  private OptionalLong expected(long[] vulnerableAt, LocalDate date) {
    long i = date.toEpochDay() - firstEpochDay;
    if (i < scenario.lookBackDays() || i > dayCount) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(vulnerableAt[(int) i]);
  }

  private OptionalLong scaled(OptionalDouble value) {
    return value.isPresent()
        ? OptionalLong.of(Math.round(value.getAsDouble() * scale))
        : OptionalLong.empty();
  }

  private int dayIndex(LocalDate day) {
    Objects.requireNonNull(day, "day");
    long i = day.toEpochDay() - firstEpochDay;
    if (i < 0 || i >= dayCount) {
      throw new IllegalArgumentException(
          day
              + " is outside the simulated days "
              + scenario.firstDay()
              + ".."
              + scenario.lastDay());
    }
    return (int) i;
  }

  /** An offline host stays on the target lists for a few days, then scanners drop it. */
  private boolean live(int h, int d) {
    return population.kind(h) != Population.OFFLINE || d < population.exitDay[h] + unreachableDays;
  }

  /** Whether scanner s gets a result for host h on day d (h live on d). */
  private boolean scans(int h, int s, int d, int exitDay) {
    if ((population.scope[h] >>> s & 1) == 0 || d < since[s]) {
      return false;
    }
    if (everyDays[s] > 1
        && Math.floorMod(
                d + Long.remainderUnsigned(hash(h, s, 0, PHASE), everyDays[s]), everyDays[s])
            != 0) {
      return false;
    }
    // the host's exit day must have a scan after the exit (see the class comment), and so must
    // the days a host regresses and is fixed again
    if (primary[s]
        && (d == exitDay || d == population.regressDay[h] || d == population.refixDay[h])) {
      return true;
    }
    return unit(hash(h, s, d, RELIABILITY)) < reliability[s];
  }

  /** Milliseconds into the day, within the scanner's slot. */
  private long timeOfDay(int h, int s, int d) {
    return from[s] + Long.remainderUnsigned(hash(h, s, d, TIME), slot[s]);
  }

  /** The latest scan of host h on day d, in epoch milliseconds, or Long.MIN_VALUE if none. */
  private long lastScan(int h, int d) {
    long last = Long.MIN_VALUE;
    int exit = population.exitDay[h];
    for (int s = 0; s < scannerIds.length; s++) {
      if (scans(h, s, d, exit)) {
        last = Math.max(last, (firstEpochDay + d) * DAY_MS + timeOfDay(h, s, d));
      }
    }
    return last;
  }

  /** x in (last scan before day e, last scan on day e], drawn uniformly. */
  private long exitInstant(int h, int e) {
    long before = Long.MIN_VALUE;
    for (int d = e - 1; d >= 0 && before == Long.MIN_VALUE; d--) {
      before = lastScan(h, d);
    }
    if (before == Long.MIN_VALUE) {
      before = firstEpochDay * DAY_MS - 1;
    }
    long on = lastScan(h, e);
    return before + 1 + Long.remainderUnsigned(hash(h, 0, e, EXIT), on - before);
  }

  private ScanEvent event(int h, int s, int d, long at, ScanStatus status) {
    boolean reachable = status != ScanStatus.UNREACHABLE;
    int build = population.build[h] & 0xFF;
    String version =
        !reachable
            ? null
            : status == ScanStatus.PATCHED ? fixedVersion[build] : vulnerableVersion[build];
    return new ScanEvent(
        scannerIds[s],
        Instant.ofEpochMilli(at),
        population.ip(h),
        vulnerability,
        status,
        countryCodes[population.country[h] & 0xFF],
        Integer.toUnsignedLong(population.asn[h]),
        reachable
            && reportsCompromise[s]
            && d >= population.compromiseDay[h]
            && d < population.cleanDay[h],
        null,
        port,
        null,
        reachable ? product : null,
        version,
        NO_ATTRIBUTES);
  }

  private long hash(int host, int scanner, int day, int purpose) {
    return mix(seedHash ^ mix((long) host << 32 | (long) day << 8 | scanner << 4 | purpose));
  }

  /** SplitMix64's finaliser: a cheap, well-mixed, stateless hash, so any day can be made alone. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }
}
