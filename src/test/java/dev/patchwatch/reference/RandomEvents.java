package dev.patchwatch.reference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Seeded, realistic scan-event streams for the property tests that hold the topology to {@link
 * ReferenceModel}.
 *
 * <p>A fleet of 3 to 5 scanners rescans a few hundred hosts for 1 to 3 vulnerabilities over a few
 * days while the hosts get mitigated, patched, compromised or go offline. On top of that it plants
 * what the contract has to resolve exactly: ties on observedAt broken by status rank, by scanner
 * and by eventId (including ids that only code-point order ranks right), resent duplicates (some
 * with a different country, so only "first stays" gives the right answer), scanners whose
 * geolocation disagrees, hosts that move, events exactly on window edges, and out-of-order
 * delivery. The same seed and options always give the same list.
 */
public final class RandomEvents {

  /**
   * What to generate.
   *
   * @param start earliest observedAt
   * @param days how long the fleet scans, from {@code start}
   * @param hosts number of distinct hosts
   * @param maxDisorder how far behind its observedAt an event may be delivered; below the smallest
   *     grace nothing can be LATE
   * @param lateFraction share of events delivered between {@code maxDisorder} and {@code
   *     maxLateDelay} behind, to produce LATE events; 0 for none
   * @param maxLateDelay the largest such delay
   * @param minScanPeriod the shortest time a scanner takes to come back to a host, whole hours
   * @param maxScanPeriod the longest, whole hours; periods of days leave hosts unseen for days, so
   *     transitions look back over gaps and cohort points have members nobody observed
   * @param regressionFraction share of remediated host vulnerabilities that go back to VULNERABLE
   *     some days later (a restored backup), some of them remediated again; 0 for none
   * @param compromiseFraction share of hosts compromised at some point
   */
  public record Options(
      Instant start,
      int days,
      int hosts,
      Duration maxDisorder,
      double lateFraction,
      Duration maxLateDelay,
      Duration minScanPeriod,
      Duration maxScanPeriod,
      double regressionFraction,
      double compromiseFraction) {

    public Options {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(maxDisorder, "maxDisorder");
      Objects.requireNonNull(maxLateDelay, "maxLateDelay");
      Objects.requireNonNull(minScanPeriod, "minScanPeriod");
      Objects.requireNonNull(maxScanPeriod, "maxScanPeriod");
      if (days < 1 || hosts < 1) {
        throw new IllegalArgumentException("days and hosts must be at least 1");
      }
      if (maxDisorder.isNegative()) {
        throw new IllegalArgumentException("maxDisorder cannot be negative");
      }
      if (lateFraction < 0 || lateFraction > 1) {
        throw new IllegalArgumentException(
            "lateFraction must be within [0, 1], got " + lateFraction);
      }
      if (lateFraction > 0 && maxLateDelay.compareTo(maxDisorder) <= 0) {
        throw new IllegalArgumentException("maxLateDelay must exceed maxDisorder");
      }
      if (minScanPeriod.toMinutesPart() != 0
          || minScanPeriod.toSecondsPart() != 0
          || minScanPeriod.toMillisPart() != 0
          || maxScanPeriod.toMinutesPart() != 0
          || maxScanPeriod.toSecondsPart() != 0
          || maxScanPeriod.toMillisPart() != 0
          || minScanPeriod.toHours() < 1
          || maxScanPeriod.compareTo(minScanPeriod) < 0) {
        throw new IllegalArgumentException(
            "scan periods must be whole hours, at least 1, min <= max; got "
                + minScanPeriod
                + " and "
                + maxScanPeriod);
      }
      if (regressionFraction < 0 || regressionFraction > 1) {
        throw new IllegalArgumentException(
            "regressionFraction must be within [0, 1], got " + regressionFraction);
      }
      if (compromiseFraction < 0 || compromiseFraction > 1) {
        throw new IllegalArgumentException(
            "compromiseFraction must be within [0, 1], got " + compromiseFraction);
      }
    }

    /**
     * 250 hosts over 4 days from 2021-03-08T09:30Z, delivered up to 1 h - 1 ms late: the worst
     * disorder the default hourly grace (the smallest grace) absorbs, so nothing is LATE. Scanners
     * come back every 3 to 12 hours, 8% of the hosts get compromised, nothing regresses.
     */
    public static Options defaults() {
      return new Options(
          Instant.parse("2021-03-08T09:30:00Z"),
          4,
          250,
          Duration.ofHours(1).minusMillis(1),
          0.0,
          Duration.ZERO,
          Duration.ofHours(3),
          Duration.ofHours(12),
          0.0,
          0.08);
    }

    /**
     * The defaults, with 3% of the events delivered up to 30 h behind: LATE for every granularity.
     */
    public static Options withLateEvents() {
      return defaults().withLate(0.03, Duration.ofHours(30));
    }

    /**
     * For transitions and cohorts (DESIGN 7.9): the defaults over {@code days} days from {@code
     * start}, scanners back every 12 hours to 5 days, a quarter of the remediated hosts regressing
     * and a fifth of the hosts compromised.
     */
    public static Options forTransitions(Instant start, int days) {
      return defaults()
          .withStart(start)
          .withDays(days)
          .withScanPeriods(Duration.ofHours(12), Duration.ofDays(5))
          .withRegressions(0.25)
          .withCompromise(0.2);
    }

    public Options withStart(Instant newStart) {
      return new Options(
          newStart,
          days,
          hosts,
          maxDisorder,
          lateFraction,
          maxLateDelay,
          minScanPeriod,
          maxScanPeriod,
          regressionFraction,
          compromiseFraction);
    }

    public Options withDays(int newDays) {
      return new Options(
          start,
          newDays,
          hosts,
          maxDisorder,
          lateFraction,
          maxLateDelay,
          minScanPeriod,
          maxScanPeriod,
          regressionFraction,
          compromiseFraction);
    }

    public Options withHosts(int newHosts) {
      return new Options(
          start,
          days,
          newHosts,
          maxDisorder,
          lateFraction,
          maxLateDelay,
          minScanPeriod,
          maxScanPeriod,
          regressionFraction,
          compromiseFraction);
    }

    public Options withMaxDisorder(Duration newMaxDisorder) {
      return new Options(
          start,
          days,
          hosts,
          newMaxDisorder,
          lateFraction,
          maxLateDelay,
          minScanPeriod,
          maxScanPeriod,
          regressionFraction,
          compromiseFraction);
    }

    public Options withLate(double newLateFraction, Duration newMaxLateDelay) {
      return new Options(
          start,
          days,
          hosts,
          maxDisorder,
          newLateFraction,
          newMaxLateDelay,
          minScanPeriod,
          maxScanPeriod,
          regressionFraction,
          compromiseFraction);
    }

    public Options withScanPeriods(Duration newMin, Duration newMax) {
      return new Options(
          start,
          days,
          hosts,
          maxDisorder,
          lateFraction,
          maxLateDelay,
          newMin,
          newMax,
          regressionFraction,
          compromiseFraction);
    }

    public Options withRegressions(double newRegressionFraction) {
      return new Options(
          start,
          days,
          hosts,
          maxDisorder,
          lateFraction,
          maxLateDelay,
          minScanPeriod,
          maxScanPeriod,
          newRegressionFraction,
          compromiseFraction);
    }

    public Options withCompromise(double newCompromiseFraction) {
      return new Options(
          start,
          days,
          hosts,
          maxDisorder,
          lateFraction,
          maxLateDelay,
          minScanPeriod,
          maxScanPeriod,
          regressionFraction,
          newCompromiseFraction);
    }
  }

  private static final List<String> SCANNER_POOL =
      List.of("shadowserver", "censys-eu", "Zeta.scan", "nuclei_fr-01", "alpha", "ms-msert");
  private static final List<String> VULNERABILITY_POOL =
      List.of("CVE-2021-26855", "CVE-2021-27065", "CVE-2021-26857");
  private static final List<String> COUNTRIES =
      List.of("US", "DE", "FR", "FR", "GB", "NL", "CN", "JP", "BR", "IT", "ZZ", "XK");
  private static final ScanStatus[] STATUSES = ScanStatus.values();
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HOUR_MS = ReferenceModel.HOUR_MS;
  private static final long DAY_MS = ReferenceModel.DAY_MS;
  private static final long NEVER = Long.MAX_VALUE;

  private RandomEvents() {}

  public static List<ScanEvent> generate(long seed) {
    return generate(seed, Options.defaults());
  }

  /**
   * A stream in delivery order: observedAt roughly ascending, each event at most the options' delay
   * behind.
   */
  public static List<ScanEvent> generate(long seed, Options options) {
    return new Generator(new Random(seed), options).run();
  }

  /** The canonical JSON form of DESIGN section 2, one line without its line break. */
  public static String toJsonLine(ScanEvent event) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("scanner", event.getScanner());
    json.put("observedAt", ISO_MILLIS.format(event.getObservedAt()));
    json.put("ip", event.getIp());
    json.put("vulnerability", event.getVulnerability());
    json.put("status", event.getStatus().name());
    json.put("country", event.getCountry());
    json.put("asn", event.getAsn());
    json.put("compromised", event.getCompromised());
    putIfPresent(json, "eventId", event.getEventId());
    putIfPresent(json, "port", event.getPort());
    putIfPresent(json, "hostname", event.getHostname());
    putIfPresent(json, "product", event.getProduct());
    putIfPresent(json, "productVersion", event.getProductVersion());
    if (!event.getAttributes().isEmpty()) {
      json.put("attributes", event.getAttributes());
    }
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code events} as UTF-8 JSON lines, in list order, for file-based replay. */
  public static void writeJsonLines(List<ScanEvent> events, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ScanEvent event : events) {
        out.write(toJsonLine(event));
        out.write('\n');
      }
    }
  }

  private static void putIfPresent(Map<String, Object> json, String field, Object value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  private record Geo(String country, long asn) {}

  private enum EventIds {
    ALWAYS,
    SOMETIMES,
    NEVER
  }

  private record Scanner(
      String id,
      double coverage,
      long periodMs,
      EventIds eventIds,
      boolean altGeo,
      boolean reportsProduct) {}

  /**
   * When a host's true state changes for one vulnerability; NEVER when it does not. From {@code
   * regressedAt} it is VULNERABLE again until {@code repatchedAt}.
   */
  private record Fate(
      long mitigatedAt, long patchedAt, long unreachableFrom, long regressedAt, long repatchedAt) {

    Fate(long mitigatedAt, long patchedAt, long unreachableFrom) {
      this(mitigatedAt, patchedAt, unreachableFrom, NEVER, NEVER);
    }

    ScanStatus statusAt(long t) {
      if (t >= unreachableFrom) {
        return ScanStatus.UNREACHABLE;
      }
      if (t >= repatchedAt) {
        return ScanStatus.PATCHED;
      }
      if (t >= regressedAt) {
        return ScanStatus.VULNERABLE;
      }
      if (t >= patchedAt) {
        return ScanStatus.PATCHED;
      }
      if (t >= mitigatedAt) {
        return ScanStatus.MITIGATED;
      }
      return ScanStatus.VULNERABLE;
    }
  }

  /**
   * @param movesAt when the host changes country and ASN (NEVER for most)
   * @param disputed what scanners with another geolocation database say, or null when they agree
   */
  private record Host(
      String ip,
      Geo geo,
      long movesAt,
      Geo movedTo,
      Geo disputed,
      String hostname,
      long compromisedFrom,
      Map<String, Fate> fates) {}

  private record Pending(long deliverAt, long sequence, ScanEvent event) {}

  private static final class Generator {
    private final Random random;
    private final Options options;
    private final long startMs;
    private final long endMs;
    private final List<String> vulnerabilities = new ArrayList<>();
    private final List<Scanner> scanners = new ArrayList<>();
    private final List<Host> hosts = new ArrayList<>();
    private final Map<String, List<Geo>> asnsByCountry = new HashMap<>();
    private final List<ScanEvent> produced = new ArrayList<>();

    Generator(Random random, Options options) {
      this.random = random;
      this.options = options;
      this.startMs = options.start().toEpochMilli();
      this.endMs = startMs + options.days() * DAY_MS;
    }

    List<ScanEvent> run() {
      pickVulnerabilitiesAndScanners();
      createHosts();
      for (Scanner scanner : scanners) {
        for (Host host : hosts) {
          if (random.nextDouble() < scanner.coverage()) {
            scanRepeatedly(scanner, host);
          }
        }
      }
      return deliver();
    }

    private void pickVulnerabilitiesAndScanners() {
      int vulnerabilityCount = 1 + random.nextInt(3);
      vulnerabilities.addAll(VULNERABILITY_POOL.subList(0, vulnerabilityCount));

      List<String> ids = new ArrayList<>(SCANNER_POOL);
      Collections.shuffle(ids, random);
      int scannerCount = 3 + random.nextInt(3);
      for (String id : ids.subList(0, scannerCount)) {
        EventIds eventIds = EventIds.values()[random.nextInt(EventIds.values().length)];
        scanners.add(
            new Scanner(
                id,
                0.5 + 0.5 * random.nextDouble(),
                Duration.ofHours(
                        options.minScanPeriod().toHours()
                            + random.nextInt(
                                (int)
                                        (options.maxScanPeriod().toHours()
                                            - options.minScanPeriod().toHours())
                                    + 1))
                    .toMillis(),
                eventIds,
                random.nextBoolean(),
                random.nextBoolean()));
      }
    }

    private void createHosts() {
      Set<String> ips = new LinkedHashSet<>();
      while (ips.size() < options.hosts()) {
        ips.add(random.nextDouble() < 0.7 ? randomIpv4() : randomIpv6());
      }
      int n = 0;
      for (String ip : ips) {
        Geo geo = randomGeo();
        boolean moves = random.nextDouble() < 0.03;
        long movesAt = moves ? timeInRange() : NEVER;
        Geo movedTo = moves ? randomGeo() : geo;
        Geo disputed = random.nextDouble() < 0.06 ? randomGeo() : null;
        String hostname = random.nextDouble() < 0.3 ? "mail" + n + ".example.test" : null;
        // up to a day before the scans began, so some hosts are compromised from the first look
        long compromisedFrom =
            random.nextDouble() < options.compromiseFraction() ? timeInRange() - DAY_MS : NEVER;
        Map<String, Fate> fates = new HashMap<>();
        for (String vulnerability : vulnerabilities) {
          fates.put(vulnerability, randomFate());
        }
        hosts.add(new Host(ip, geo, movesAt, movedTo, disputed, hostname, compromisedFrom, fates));
        n++;
      }
    }

    private Fate randomFate() {
      Fate fate = randomFirstFate();
      // drawn only when asked for, so streams generated without regressions stay as they were
      if (options.regressionFraction() > 0) {
        long remediatedAt = Math.min(fate.mitigatedAt(), fate.patchedAt());
        if (remediatedAt != NEVER && random.nextDouble() < options.regressionFraction()) {
          long regressedAt =
              Math.max(remediatedAt, startMs) + (1 + random.nextInt(10 * 24)) * HOUR_MS;
          long repatchedAt =
              random.nextBoolean() ? regressedAt + (1 + random.nextInt(8 * 24)) * HOUR_MS : NEVER;
          return new Fate(
              fate.mitigatedAt(),
              fate.patchedAt(),
              fate.unreachableFrom(),
              regressedAt,
              repatchedAt);
        }
      }
      return fate;
    }

    private Fate randomFirstFate() {
      double p = random.nextDouble();
      if (p < 0.25) {
        return new Fate(NEVER, NEVER, NEVER);
      }
      if (p < 0.40) {
        // patched before the scans began: remediated from the first look
        return new Fate(NEVER, startMs - DAY_MS, NEVER);
      }
      if (p < 0.70) {
        return new Fate(NEVER, timeInRange(), NEVER);
      }
      if (p < 0.90) {
        long mitigatedAt = timeInRange();
        long patchedAt = random.nextBoolean() ? mitigatedAt + random.nextInt(48) * HOUR_MS : NEVER;
        return new Fate(mitigatedAt, patchedAt, NEVER);
      }
      return new Fate(NEVER, NEVER, timeInRange());
    }

    private void scanRepeatedly(Scanner scanner, Host host) {
      long t = startMs + (long) (random.nextDouble() * scanner.periodMs());
      while (t < endMs) {
        scanOnce(scanner, host, onEdgeSometimes(t));
        t += (long) (scanner.periodMs() * (0.8 + 0.4 * random.nextDouble()));
      }
    }

    /** Puts a few observations exactly on, or 1 ms before, an hour or midnight boundary. */
    private long onEdgeSometimes(long t) {
      double p = random.nextDouble();
      long edge;
      if (p < 0.02) {
        edge = Math.floorDiv(t, HOUR_MS) * HOUR_MS;
      } else if (p < 0.03) {
        edge = Math.floorDiv(t, HOUR_MS) * HOUR_MS - 1;
      } else if (p < 0.04) {
        edge = Math.floorDiv(t, DAY_MS) * DAY_MS;
      } else if (p < 0.045) {
        edge = Math.floorDiv(t, DAY_MS) * DAY_MS - 1;
      } else {
        return t;
      }
      return edge >= startMs ? edge : t;
    }

    private void scanOnce(Scanner scanner, Host host, long t) {
      for (String vulnerability : vulnerabilities) {
        ScanEvent event = observe(scanner, host, vulnerability, t);
        produced.add(event);
        plantTies(scanner, host, vulnerability, event);
      }
    }

    private ScanEvent observe(Scanner scanner, Host host, String vulnerability, long t) {
      ScanStatus status = host.fates().get(vulnerability).statusAt(t);
      double noise = random.nextDouble();
      if (noise < 0.03) {
        status = STATUSES[random.nextInt(STATUSES.length)];
      } else if (noise < 0.05) {
        status = ScanStatus.UNREACHABLE;
      }
      Geo geo = t >= host.movesAt() ? host.movedTo() : host.geo();
      if (host.disputed() != null && scanner.altGeo()) {
        geo = host.disputed();
      }
      boolean compromised =
          t >= host.compromisedFrom()
              && status != ScanStatus.UNREACHABLE
              && random.nextDouble() < 0.6;
      ScanEvent.Builder event =
          ScanEvent.newBuilder()
              .setScanner(scanner.id())
              .setObservedAt(Instant.ofEpochMilli(t))
              .setIp(host.ip())
              .setVulnerability(vulnerability)
              .setStatus(status)
              .setCountry(geo.country())
              .setAsn(geo.asn())
              .setCompromised(compromised)
              .setEventId(eventId(scanner))
              .setPort(random.nextDouble() < 0.8 ? 443 : null)
              .setHostname(host.hostname())
              .setProduct(scanner.reportsProduct() ? "Microsoft Exchange Server" : null)
              .setProductVersion(
                  scanner.reportsProduct() && random.nextBoolean() ? "15.1.2176.2" : null)
              .setAttributes(
                  random.nextDouble() < 0.1 ? Map.of("campaign", "proxylogon") : Map.of());
      return event.build();
    }

    private String eventId(Scanner scanner) {
      boolean present =
          switch (scanner.eventIds()) {
            case ALWAYS -> true;
            case SOMETIMES -> random.nextBoolean();
            case NEVER -> false;
          };
      return present ? String.format(Locale.ROOT, "%s-%08x", scanner.id(), random.nextInt()) : null;
    }

    /**
     * The cases the order of DESIGN 3 and 7.2 exists for, each added right after {@code original}.
     */
    private void plantTies(Scanner scanner, Host host, String vulnerability, ScanEvent original) {
      double p = random.nextDouble();
      if (p < 0.03) {
        // another scanner, same instant, same verdict: the scanner id decides
        produced.add(
            sameInstantOtherScanner(scanner, host, vulnerability, original, original.getStatus()));
      } else if (p < 0.05) {
        // another scanner, same instant, another verdict: the status rank decides
        ScanStatus other = STATUSES[random.nextInt(STATUSES.length)];
        produced.add(sameInstantOtherScanner(scanner, host, vulnerability, original, other));
      } else if (p < 0.065) {
        produced.add(sameScannerOtherEventId(original));
      } else if (p < 0.085) {
        produced.add(resent(original));
      }
    }

    private ScanEvent sameInstantOtherScanner(
        Scanner scanner, Host host, String vulnerability, ScanEvent original, ScanStatus status) {
      Scanner other = scanners.get(random.nextInt(scanners.size()));
      if (other.equals(scanner)) {
        other = scanners.get((scanners.indexOf(scanner) + 1) % scanners.size());
      }
      ScanEvent observed =
          observe(other, host, vulnerability, original.getObservedAt().toEpochMilli());
      return copyOf(observed).setStatus(status).build();
    }

    /**
     * The same scanner reporting twice in the same millisecond, e.g. two probes of one sweep, with
     * a country from a refreshed database so the eventId visibly decides.
     */
    private ScanEvent sameScannerOtherEventId(ScanEvent original) {
      String base = original.getEventId() == null ? "" : original.getEventId();
      String eventId =
          switch (random.nextInt(4)) {
            // absent sorts as "", so any present id beats it
            case 0 -> base.isEmpty() ? "r" : null;
            // U+FF21 < U+1F600 by code point, though its UTF-16 unit 0xFF21 > 0xD83D
            case 1 -> base + "\uFF21";
            case 2 -> base + "\uD83D\uDE00";
            default -> base + "-" + random.nextInt(10);
          };
      ScanEvent.Builder twin = copyOf(original).setEventId(eventId);
      if (random.nextBoolean()) {
        Geo geo = randomGeo();
        twin.setCountry(geo.country()).setAsn(geo.asn());
      }
      return twin.build();
    }

    /**
     * A resent duplicate; sometimes re-geolocated, so only "the first stays" gives the right
     * country.
     */
    private ScanEvent resent(ScanEvent original) {
      ScanEvent.Builder copy = copyOf(original);
      if (random.nextDouble() < 0.3) {
        Geo geo = randomGeo();
        copy.setCountry(geo.country()).setAsn(geo.asn());
      }
      return copy.build();
    }

    /**
     * A field-by-field copy. The generated {@code newBuilder(other)} deep-copies through Avro's
     * class security check, which refuses our enums unless the JVM is told to trust them.
     */
    private static ScanEvent.Builder copyOf(ScanEvent event) {
      return ScanEvent.newBuilder()
          .setScanner(event.getScanner())
          .setObservedAt(event.getObservedAt())
          .setIp(event.getIp())
          .setVulnerability(event.getVulnerability())
          .setStatus(event.getStatus())
          .setCountry(event.getCountry())
          .setAsn(event.getAsn())
          .setCompromised(event.getCompromised())
          .setEventId(event.getEventId())
          .setPort(event.getPort())
          .setHostname(event.getHostname())
          .setProduct(event.getProduct())
          .setProductVersion(event.getProductVersion())
          .setAttributes(Map.copyOf(event.getAttributes()));
    }

    private List<ScanEvent> deliver() {
      long maxDisorder = options.maxDisorder().toMillis();
      long maxLate = options.maxLateDelay().toMillis();
      List<Pending> pending = new ArrayList<>();
      long sequence = 0;
      for (ScanEvent event : produced) {
        long delay;
        double p = random.nextDouble();
        if (p < options.lateFraction()) {
          delay = maxDisorder + 1 + (long) (random.nextDouble() * (maxLate - maxDisorder));
        } else if (p < options.lateFraction() + 0.05) {
          // exactly the largest disorder allowed, the edge of what the grace absorbs
          delay = maxDisorder;
        } else if (random.nextBoolean()) {
          delay = (long) (random.nextDouble() * (maxDisorder + 1));
        } else {
          delay = 0;
        }
        pending.add(new Pending(event.getObservedAt().toEpochMilli() + delay, sequence++, event));
      }
      pending.sort(
          Comparator.comparingLong(Pending::deliverAt).thenComparingLong(Pending::sequence));
      List<ScanEvent> delivered = new ArrayList<>(pending.size());
      for (Pending p : pending) {
        delivered.add(p.event());
      }
      return List.copyOf(delivered);
    }

    private long timeInRange() {
      return startMs + (long) (random.nextDouble() * (endMs - startMs));
    }

    private Geo randomGeo() {
      String country = COUNTRIES.get(random.nextInt(COUNTRIES.size()));
      List<Geo> known = asnsByCountry.computeIfAbsent(country, c -> new ArrayList<>());
      // few ASNs per country, so ASN aggregates hold several hosts
      if (known.size() < 3 && (known.isEmpty() || random.nextDouble() < 0.3)) {
        known.add(new Geo(country, randomAsn()));
      }
      return known.get(random.nextInt(known.size()));
    }

    private long randomAsn() {
      double p = random.nextDouble();
      if (p < 0.1) {
        return 0;
      }
      if (p < 0.2) {
        // 32-bit ASNs above Integer.MAX_VALUE catch int truncation
        return 4_200_000_000L + random.nextInt(94_967_295);
      }
      return 1 + random.nextInt(400_000);
    }

    private String randomIpv4() {
      int first;
      do {
        first = 1 + random.nextInt(223);
      } while (first == 10 || first == 127);
      return first
          + "."
          + random.nextInt(256)
          + "."
          + random.nextInt(256)
          + "."
          + random.nextInt(256);
    }

    private String randomIpv6() {
      int[] prefixes = {0x2001, 0x2a01, 0x2604, 0x2a02};
      int[] groups = new int[8];
      groups[0] = prefixes[random.nextInt(prefixes.length)];
      groups[1] = random.nextInt(0x10000);
      groups[2] = random.nextBoolean() ? random.nextInt(0x10000) : 0;
      groups[3] = random.nextInt(4) == 0 ? 0 : random.nextInt(0x10000);
      if (random.nextBoolean()) {
        // ::n interface ids, the common case for servers
        groups[7] = 1 + random.nextInt(0x100);
      } else {
        for (int i = 4; i < 8; i++) {
          groups[i] = random.nextInt(5) == 0 ? 0 : random.nextInt(0x10000);
        }
      }
      return canonicalIpv6(groups);
    }
  }

  /**
   * RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups (the
   * first on a tie) as "::".
   */
  static String canonicalIpv6(int[] groups) {
    int bestStart = -1;
    int bestLength = 1;
    int i = 0;
    while (i < 8) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    if (bestStart < 0) {
      return join(groups, 0, 8);
    }
    return join(groups, 0, bestStart) + "::" + join(groups, bestStart + bestLength, 8);
  }

  private static String join(int[] groups, int from, int to) {
    StringBuilder out = new StringBuilder();
    for (int i = from; i < to; i++) {
      if (i > from) {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
