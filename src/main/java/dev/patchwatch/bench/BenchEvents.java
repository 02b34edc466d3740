package dev.patchwatch.bench;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The benchmark's input: a seeded, realistic scanner fleet watching a population of Exchange
 * servers remediate, as one stream of events in delivery order. The same options always give the
 * same events in the same order.
 *
 * <p>Each host has a canonical address (about 4% IPv6), a country and an ASN drawn from skewed
 * distributions, 2 to 4 of the fleet's scanners, and a fate: still vulnerable at the end, or
 * patched, mitigated or gone offline at some instant (about 15% are already patched when the period
 * starts). Its {@code events / hosts} scans are spread evenly over the period with jitter, each by
 * one of its scanners, mostly for CVE-2021-26855 and sometimes for CVE-2021-27065; 3% of scans time
 * out (UNREACHABLE) whatever the host's state; hosts compromised before they were fixed are
 * reported so by the scanners that look for web shells.
 *
 * <p>Delivery is in order except that 3% of the events arrive up to 30 minutes after their
 * observedAt, less than the smallest grace (1 hour), so no event is LATE.
 *
 * <p>Why not one object per host or per event: at the default size that would be hundreds of MB of
 * garbage before the first measurement; primitive arrays and one sort of packed longs keep
 * generation to a second or two.
 */
public final class BenchEvents {

  /** The ProxyLogon wave, so every instant is in the past and passes the "≤ now + 1 day" rule. */
  public static final Instant DEFAULT_START = Instant.parse("2021-03-01T00:00:00Z");

  public static final String MAIN_VULNERABILITY = "CVE-2021-26855";
  public static final String SECOND_VULNERABILITY = "CVE-2021-27065";

  /** The longest delivery delay: below the smallest default grace, so nothing is LATE. */
  public static final Duration MAX_DISORDER = Duration.ofMinutes(30);

  /** Hosts are indexed in 24 bits of the packed sort key. */
  public static final int MAX_HOSTS = 1 << 24;

  public static final int MAX_DAYS = 366;

  static final List<String> SCANNERS = List.of("shadowserver", "censys", "shodan", "certfr-nuclei");

  /** Scanners that look for web shells, so report compromise. */
  private static final boolean[] SEES_COMPROMISE = {true, false, true, true};

  /** Scanners that give each event an id. */
  private static final boolean[] SETS_EVENT_ID = {false, true, false, false};

  /** Country and share of the population, roughly the ProxyLogon scans' (ZZ: not geolocated). */
  private static final String[] COUNTRIES = {
    "US", "DE", "GB", "FR", "IT", "NL", "JP", "RU", "CN", "BR", "ES", "CA", "AU", "PL", "AT",
    "CH", "SE", "CZ", "TR", "KR", "IN", "BE", "TW", "ZA", "MX", "VN", "DK", "NO", "FI", "ZZ"
  };

  private static final double[] COUNTRY_WEIGHTS = {
    28, 12, 7, 6, 5, 4, 4, 3.5, 3, 3, 2.5, 2.5, 2, 2, 1.8, 1.7, 1.5, 1.3, 1.2, 1.2, 1.1, 1, 1, 1,
    0.9, 0.8, 0.8, 0.7, 0.6, 2
  };

  /** ASNs per country: enough that the ASN dimension has hundreds of values, as real ones do. */
  private static final int ASNS_PER_COUNTRY = 25;

  private static final String[] BUILDS = {
    "15.0.1497.2", "15.1.2176.2", "15.1.2106.2", "15.2.792.3", "15.2.721.2"
  };

  private static final long DAY_MS = Duration.ofDays(1).toMillis();
  private static final long HOST_MASK = MAX_HOSTS - 1;
  private static final long NEVER = Long.MAX_VALUE;

  /**
   * What to generate.
   *
   * @param events how many events, exactly
   * @param hosts how many distinct hosts share them
   * @param days how long the period is, from {@code start}
   * @param seed the same seed gives the same events
   * @param start the first instant of the period
   */
  public record Options(long events, int hosts, int days, long seed, Instant start) {

    public Options {
      Objects.requireNonNull(start, "start");
      if (events < 1 || events > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "events must be 1 to " + (Integer.MAX_VALUE - 8) + ", got " + events);
      }
      if (hosts < 1 || hosts > MAX_HOSTS) {
        throw new IllegalArgumentException("hosts must be 1 to " + MAX_HOSTS + ", got " + hosts);
      }
      if (days < 1 || days > MAX_DAYS) {
        throw new IllegalArgumentException("days must be 1 to " + MAX_DAYS + ", got " + days);
      }
    }

    /** 2,000,000 events from 200,000 hosts over 10 days from 1 March 2021. */
    public static Options defaults() {
      return new Options(2_000_000, 200_000, 10, 2021, DEFAULT_START);
    }
  }

  private final Options options;
  private final long startMs;
  private final Hosts hosts;

  public BenchEvents(Options options) {
    this.options = options;
    this.startMs = options.start().toEpochMilli();
    this.hosts = new Hosts(options.hosts(), options.days() * DAY_MS, options.seed());
  }

  public Options options() {
    return options;
  }

  /** What a generation produced, for the closing watermark and the report. */
  public record Summary(long events, long minObservedAt, long maxObservedAt, long delayed) {}

  /** Hands every event, in delivery order, to {@code sink}. */
  public Summary generate(Consumer<ScanEvent> sink) {
    long[] keys = scanKeys();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    long delayed = 0;
    for (long key : keys) {
      int host = (int) (key & HOST_MASK);
      long deliverRel = key >>> 24;
      long bits = mix(options.seed() ^ (deliverRel * 0x9E3779B97F4A7C15L) ^ ((long) host << 40));
      long delay =
          (bits & 0x3FF) < 31 ? Long.remainderUnsigned(bits >>> 10, MAX_DISORDER.toMillis()) : 0;
      if (delay > 0) {
        delayed++;
      }
      long observedRel = Math.max(0, deliverRel - delay);
      ScanEvent event = hosts.event(host, startMs, observedRel, bits >>> 30);
      long t = startMs + observedRel;
      min = Math.min(min, t);
      max = Math.max(max, t);
      sink.accept(event);
    }
    return new Summary(keys.length, min, max, delayed);
  }

  /**
   * One packed long per scan, {@code deliveryTime << 24 | host}, sorted: delivery order in 8 bytes
   * an event instead of an object.
   */
  private long[] scanKeys() {
    int total = (int) options.events();
    long period = options.days() * DAY_MS;
    int perHost = (int) (options.events() / options.hosts());
    int extra = (int) (options.events() % options.hosts());
    long[] keys = new long[total];
    int n = 0;
    SplittableRandom random = new SplittableRandom(options.seed() * 31 + 7);
    for (int h = 0; h < options.hosts(); h++) {
      int scans = perHost + (h < extra ? 1 : 0);
      for (int j = 0; j < scans; j++) {
        // evenly spread with jitter: scanners revisit a host on a cadence, not at random
        long deliverRel = (long) ((j + random.nextDouble()) * period / scans);
        keys[n++] = deliverRel << 24 | h;
      }
    }
    Arrays.parallelSort(keys);
    return keys;
  }

  /** SplitMix64's finaliser: cheap, well-mixed bits from a counter. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The population, one primitive array per attribute. */
  static final class Hosts {
    private static final int PATCHED = 0;
    private static final int MITIGATED = 1;
    private static final int OFFLINE = 2;

    final String[] ip;
    final byte[] country;
    final int[] asn;
    final byte[] scanners;
    final byte[] scannerCount;
    final byte[] exitKind;
    final long[] exitAt;
    final long[] compromisedAt;
    final byte[] build;
    final boolean[] named;

    Hosts(int size, long period, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      ip = new String[size];
      country = new byte[size];
      asn = new int[size];
      scanners = new byte[size];
      scannerCount = new byte[size];
      exitKind = new byte[size];
      exitAt = new long[size];
      compromisedAt = new long[size];
      build = new byte[size];
      named = new boolean[size];
      double[] countryCdf = cdf(COUNTRY_WEIGHTS);
      double[] asnCdf = cdf(zipf(ASNS_PER_COUNTRY));
      // an odd multiplier is a bijection on 32 bits: distinct hosts, distinct addresses
      int offset = random.nextInt();
      for (int h = 0; h < size; h++) {
        boolean ipv6 = random.nextDouble() < 0.04;
        ip[h] =
            ipv6
                ? ipv6(h, random.nextInt(1, 0x10000), random.nextInt(1, 0x10000))
                : ipv4(h * 0x9E3779B1 + offset);
        int c = pick(countryCdf, random.nextDouble());
        country[h] = (byte) c;
        asn[h] = 1000 + c * 1000 + pick(asnCdf, random.nextDouble()) * 7;
        int count = 2 + random.nextInt(3);
        scannerCount[h] = (byte) count;
        scanners[h] = (byte) random.nextInt(SCANNERS.size());
        double fate = random.nextDouble();
        if (fate < 0.15) {
          exitKind[h] = PATCHED;
          exitAt[h] = Long.MIN_VALUE;
        } else {
          double kind = random.nextDouble();
          exitKind[h] = (byte) (kind < 0.65 ? PATCHED : kind < 0.85 ? MITIGATED : OFFLINE);
          // fixed at a rate that leaves about a fifth vulnerable at the end, as ProxyLogon did
          long at = (long) (-Math.log(1 - random.nextDouble()) * period / 1.6);
          exitAt[h] = at < period ? at : NEVER;
        }
        compromisedAt[h] =
            random.nextDouble() < 0.05 ? (long) (random.nextDouble() * period) : NEVER;
        build[h] = (byte) random.nextInt(BUILDS.length);
        named[h] = random.nextDouble() < 0.4;
      }
    }

    /**
     * Host {@code h} as scanned at {@code rel} ms into the period; {@code bits} decide the rest.
     */
    ScanEvent event(int h, long startMs, long rel, long bits) {
      int s = (scanners[h] + (int) Long.remainderUnsigned(bits, scannerCount[h])) % SCANNERS.size();
      bits >>>= 4;
      String vulnerability = (bits & 0xF) < 3 ? SECOND_VULNERABILITY : MAIN_VULNERABILITY;
      bits >>>= 4;
      ScanStatus status;
      if ((bits & 0x3FF) < 31) {
        status = ScanStatus.UNREACHABLE;
      } else if (rel >= exitAt[h]) {
        status =
            switch (exitKind[h]) {
              case PATCHED -> ScanStatus.PATCHED;
              case MITIGATED -> ScanStatus.MITIGATED;
              default -> ScanStatus.UNREACHABLE;
            };
      } else {
        status = ScanStatus.VULNERABLE;
      }
      bits >>>= 10;
      boolean compromised =
          SEES_COMPROMISE[s]
              && rel >= compromisedAt[h]
              && compromisedAt[h] < exitAt[h]
              && status != ScanStatus.UNREACHABLE;
      String eventId =
          SETS_EVENT_ID[s] ? Long.toHexString(mix(bits ^ rel ^ ((long) h << 32))) : null;
      return new ScanEvent(
          SCANNERS.get(s),
          Instant.ofEpochMilli(startMs + rel),
          ip[h],
          vulnerability,
          status,
          COUNTRIES[country[h]],
          (long) asn[h],
          compromised,
          eventId,
          443,
          named[h] ? "mail" + h + ".example.net" : null,
          "Microsoft Exchange Server",
          BUILDS[build[h]],
          Map.of());
    }

    String country(int h) {
      return COUNTRIES[country[h]];
    }

    /** The dotted form of a 32-bit IPv4 address. */
    static String ipv4(int address) {
      return (address >>> 24)
          + "."
          + ((address >>> 16) & 0xFF)
          + "."
          + ((address >>> 8) & 0xFF)
          + "."
          + (address & 0xFF);
    }

    /** RFC 5952 form: no group of the four written is 0, so the "::" is the only compression. */
    private static String ipv6(int h, int g7, int g8) {
      return String.format(
          Locale.ROOT, "2001:db8:%x:%x::%x:%x", (h >>> 15) + 1, (h & 0x7FFF) + 1, g7, g8);
    }
  }

  static int pick(double[] cdf, double u) {
    int i = Arrays.binarySearch(cdf, u);
    int at = i >= 0 ? i + 1 : -i - 1;
    return Math.min(at, cdf.length - 1);
  }

  static double[] cdf(double[] weights) {
    double total = Arrays.stream(weights).sum();
    double[] cdf = new double[weights.length];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cdf[i] = sum / total;
    }
    return cdf;
  }

  private static double[] zipf(int n) {
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      weights[i] = 1.0 / (i + 1);
    }
    return weights;
  }
}
