package dev.patchwatch.scanner.simulator;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Who the hosts are and the day each one stops being vulnerable, decided once from (scenario,
 * scale, seed). One primitive array per attribute, indexed by host, rather than an object per host:
 * at scale 1 that is about 20 bytes a host instead of a few hundred.
 *
 * <p>The exit days are dealt out, not drawn: per curve group (each country with a curve of its own,
 * then the rest of the world) the hosts are shuffled and the first {@code T(d) - T(d + 1)} of them
 * that are still vulnerable leave on day d, where T(d) is the group's target as of midnight d,
 * scaled and rounded. So the number of hosts whose exit day is at least d is exactly T(d) at every
 * scale, with no sampling noise to blur the published curve at small scales.
 */
final class Population {

  /** Exit or compromise day of a host that never has one. */
  static final short NEVER = Short.MAX_VALUE;

  static final int PATCHED = 0;
  static final int MITIGATED = 1;
  static final int OFFLINE = 2;

  /** Hosts kept in int-indexed arrays and 32 bits of an event's sort key. */
  static final long MAX_HOSTS = 1L << 28;

  private static final int IPV6 = 1;
  private static final int KIND_SHIFT = 1;

  final int size;

  /** IPv4: the address; IPv6: groups 3, 4, 7 and 8 of 2001:db8:g3:g4::g7:g8, none of them 0. */
  final long[] address;

  /** Bit 0: IPv6; bits 1-2: how the host leaves (PATCHED, MITIGATED, OFFLINE). */
  final byte[] flags;

  /** Index into the scenario's countries. */
  final byte[] country;

  /** The ASN, unsigned. */
  final int[] asn;

  /** Index into the product's builds. */
  final byte[] build;

  /** Day index (0 = firstDay) of the host's first non-vulnerable scan, or NEVER. */
  final short[] exitDay;

  /** Day index from which scanners that look can see a web shell, or NEVER. */
  final short[] compromiseDay;

  /**
   * Day index from which a fixed host is VULNERABLE again (a restored backup, a rolled-back
   * update), or NEVER; it is fixed again from {@link #refixDay}. Both changes happen at midnight.
   */
  final short[] regressDay;

  /** Day index from which a regressed host is fixed again. */
  final short[] refixDay;

  /** Day index from which a compromised host's web shell is gone, or NEVER: most stay. */
  final short[] cleanDay;

  /** Share of the hosts that leave patched or mitigated and later regress for a few days. */
  static final double REGRESSED_SHARE = 0.03;

  /** Share of the compromised hosts whose web shell is removed a few days after they are fixed. */
  static final double CLEANED_SHARE = 0.1;

  /** Bit s: the host is on scanner s's target list. */
  final short[] scope;

  /** Hosts vulnerable as of midnight at the start of day index i, for i = 0 .. days. */
  final long[] vulnerableAt;

  /** Of {@link #vulnerableAt}, the hosts that are VULNERABLE again after a regression. */
  final long[] regressedAt;

  /** The same per country with a curve of its own. */
  final Map<String, long[]> countryVulnerableAt;

  Population(Scenario scenario, double scale, long seed) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be a positive number, got " + scale);
    }
    long hosts = Math.round(scenario.population() * scale);
    if (hosts < 1) {
      throw new IllegalArgumentException(
          "scale " + scale + " leaves no host of the " + scenario.population());
    }
    if (hosts > MAX_HOSTS) {
      throw new IllegalArgumentException(
          "scale " + scale + " gives " + hosts + " hosts, at most " + MAX_HOSTS + " supported");
    }
    size = (int) hosts;
    address = new long[size];
    flags = new byte[size];
    country = new byte[size];
    asn = new int[size];
    build = new byte[size];
    exitDay = new short[size];
    compromiseDay = new short[size];
    scope = new short[size];
    regressDay = new short[size];
    refixDay = new short[size];
    cleanDay = new short[size];

    SplittableRandom random = new SplittableRandom(seed);
    List<Scenario.Country> countries = scenario.countries();
    assignCountries(countries, random);

    List<Scenario.Scanner> scanners = scenario.scanners();
    List<Scenario.Build> builds = scenario.product().builds();
    double[] buildWeights = builds.stream().mapToDouble(Scenario.Build::weight).toArray();
    Scenario.Exits exits = scenario.exits();
    double[][] asnWeights = new double[countries.size()][];
    for (int c = 0; c < asnWeights.length; c++) {
      asnWeights[c] = countries.get(c).asns().stream().mapToDouble(Scenario.Asn::weight).toArray();
    }
    double[] compromiseDraw = new double[size];
    LongSet addresses = new LongSet(size);
    for (int h = 0; h < size; h++) {
      int ci = country[h] & 0xFF;
      Scenario.Country c = countries.get(ci);
      boolean ipv6 = random.nextDouble() < scenario.ipv6Share();
      long a;
      do {
        a = ipv6 ? randomIpv6(random.nextLong()) : randomIpv4(random.nextInt());
      } while (a == 0 || !addresses.add(a));
      address[h] = a;
      asn[h] = (int) c.asns().get(pick(asnWeights[ci], random)).number();
      build[h] = (byte) pick(buildWeights, random);
      int kind;
      if (random.nextDouble() < exits.offlineShare()) {
        kind = OFFLINE;
      } else {
        kind = random.nextDouble() < exits.mitigatedShare() ? MITIGATED : PATCHED;
      }
      flags[h] = (byte) ((ipv6 ? IPV6 : 0) | kind << KIND_SHIFT);
      // in (0, 1], so that a share of 0 reaches nobody
      compromiseDraw[h] = 1 - random.nextDouble();
      int bits = 0;
      for (int s = 0; s < scanners.size(); s++) {
        Scenario.Scanner scanner = scanners.get(s);
        double draw = random.nextDouble();
        boolean targeted = scanner.countries().isEmpty() || scanner.countries().contains(c.code());
        if (targeted && draw < scanner.coverage()) {
          bits |= 1 << s;
        }
      }
      scope[h] = (short) bits;
    }

    int days = (int) (scenario.lastDay().toEpochDay() - scenario.firstDay().toEpochDay() + 1);
    Arrays.fill(exitDay, NEVER);
    countryVulnerableAt = new LinkedHashMap<>();
    vulnerableAt = assignExitDays(scenario, scale, days, random);
    regressedAt = new long[days + 1];
    assignCompromise(scenario, days, compromiseDraw);
    // drawn from a stream of their own, so every draw above stays what it was before regressions
    assignRegressions(scenario, days, new SplittableRandom(seed ^ 0x5DEECE66DL));
  }

  /**
   * A few fixed hosts go back to VULNERABLE for 1 to 4 days, starting 1 to 10 days after they left;
   * a tenth of the compromised hosts are cleaned 1 to 7 days after they were fixed. The counts as
   * of each midnight take the regressed hosts in: VULNERABLE at midnight i when i is in {@code
   * (regressDay, refixDay]}, as scanners see them on both change days (the class comment of the
   * simulator).
   */
  private void assignRegressions(Scenario scenario, int days, SplittableRandom random) {
    Arrays.fill(regressDay, NEVER);
    Arrays.fill(refixDay, NEVER);
    Arrays.fill(cleanDay, NEVER);
    long[][] curveOf = new long[scenario.countries().size()][];
    countryVulnerableAt.forEach(
        (code, curve) -> curveOf[indexOf(scenario.countries(), code)] = curve);
    for (int h = 0; h < size; h++) {
      int exit = exitDay[h];
      boolean regresses = random.nextDouble() < REGRESSED_SHARE;
      int from = exit + 1 + random.nextInt(10);
      int until = from + 1 + random.nextInt(4);
      boolean cleaned = random.nextDouble() < CLEANED_SHARE;
      int clean = exit + 1 + random.nextInt(7);
      if (exit == NEVER || kind(h) == OFFLINE) {
        continue;
      }
      if (regresses && until < days) {
        regressDay[h] = (short) from;
        refixDay[h] = (short) until;
        long[] countryCurve = curveOf[country[h] & 0xFF];
        for (int i = from + 1; i <= until; i++) {
          vulnerableAt[i]++;
          regressedAt[i]++;
          if (countryCurve != null) {
            countryCurve[i]++;
          }
        }
      }
      if (compromiseDay[h] != NEVER && cleaned && clean < days) {
        cleanDay[h] = (short) clean;
      }
    }
  }

  boolean ipv6(int host) {
    return (flags[host] & IPV6) != 0;
  }

  int kind(int host) {
    return flags[host] >>> KIND_SHIFT & 3;
  }

  /** Exact per-country counts (largest remainder), dealt to hosts in random order. */
  private void assignCountries(List<Scenario.Country> countries, SplittableRandom random) {
    int[] counts = apportion(countries.stream().mapToDouble(Scenario.Country::share).toArray());
    int h = 0;
    for (int c = 0; c < counts.length; c++) {
      for (int i = 0; i < counts[c]; i++) {
        country[h++] = (byte) c;
      }
    }
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      byte t = country[i];
      country[i] = country[j];
      country[j] = t;
    }
  }

  private int[] apportion(double[] shares) {
    int[] counts = new int[shares.length];
    double[] remainders = new double[shares.length];
    double sum = 0;
    for (double share : shares) {
      sum += share;
    }
    int given = 0;
    for (int i = 0; i < shares.length; i++) {
      double exact = size * shares[i] / sum;
      counts[i] = (int) Math.floor(exact);
      remainders[i] = exact - counts[i];
      given += counts[i];
    }
    while (given < size) {
      int best = 0;
      for (int i = 1; i < shares.length; i++) {
        if (remainders[i] > remainders[best]) {
          best = i;
        }
      }
      counts[best]++;
      remainders[best] = -1;
      given++;
    }
    return counts;
  }

  /**
   * Deals exit days group by group (see the class comment) and returns the global count of
   * vulnerable hosts as of each midnight.
   */
  private long[] assignExitDays(
      Scenario scenario, double scale, int days, SplittableRandom random) {
    List<Scenario.Country> countries = scenario.countries();
    LocalDate firstDay = scenario.firstDay();
    long[] global = new long[days + 1];
    for (int i = 0; i <= days; i++) {
      global[i] = Math.min(size, Math.round(scale * scenario.globalTarget(firstDay.plusDays(i))));
    }
    long[] rest = global.clone();
    boolean[] curved = new boolean[countries.size()];
    for (String code : scenario.countryExposed().keySet()) {
      int c = indexOf(countries, code);
      curved[c] = true;
      int[] members = members(i -> i == c, random);
      // the country's curve starts from the hosts it actually got, not its exact share
      double start = members.length / scale;
      long[] target = new long[days + 1];
      for (int i = 0; i <= days; i++) {
        // a country left without hosts at a tiny scale has a flat curve at 0
        long t =
            members.length == 0
                ? 0
                : Math.round(
                    scale
                        * scenario.target(
                            start, scenario.countryExposed().get(code), firstDay.plusDays(i)));
        target[i] = Math.max(0, Math.min(t, i == 0 ? members.length : target[i - 1]));
        rest[i] -= target[i];
      }
      deal(members, target);
      countryVulnerableAt.put(code, target);
    }
    int[] others = members(i -> !curved[i], random);
    for (int i = 0; i <= days; i++) {
      // rounding can make the remainder tick up by a host; the curve may only fall
      rest[i] = Math.max(0, Math.min(rest[i], i == 0 ? others.length : rest[i - 1]));
    }
    deal(others, rest);
    long[] total = rest.clone();
    for (long[] target : countryVulnerableAt.values()) {
      for (int i = 0; i <= days; i++) {
        total[i] += target[i];
      }
    }
    return total;
  }

  /** members, shuffled; target[i] of them still vulnerable as of midnight i. */
  private void deal(int[] members, long[] target) {
    int next = 0;
    for (int day = 0; day + 1 < target.length; day++) {
      long leaving = target[day] - target[day + 1];
      for (long k = 0; k < leaving; k++) {
        exitDay[members[next++]] = (short) day;
      }
    }
  }

  /** The hosts whose country index passes {@code test}, shuffled. */
  private int[] members(IntPredicate test, SplittableRandom random) {
    int[] hosts = new int[size];
    int n = 0;
    for (int h = 0; h < size; h++) {
      if (test.test(country[h] & 0xFF)) {
        hosts[n++] = h;
      }
    }
    hosts = Arrays.copyOf(hosts, n);
    shuffle(hosts, random);
    return hosts;
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * A host is reached on the first day the cumulative share passes its draw; one fixed before that
   * day is spared, as patching closed the door (it does not remove a web shell already there).
   */
  private void assignCompromise(Scenario scenario, int days, double[] draw) {
    List<Scenario.SharePoint> points = scenario.compromised();
    long[] pointDays = points.stream().mapToLong(p -> p.date().toEpochDay()).toArray();
    double[] shares = points.stream().mapToDouble(Scenario.SharePoint::share).toArray();
    double[] shareOnDay = new double[days];
    for (int i = 0; i < days; i++) {
      shareOnDay[i] = Curves.linear(pointDays, shares, scenario.firstDay().toEpochDay() + i);
    }
    for (int h = 0; h < size; h++) {
      short day = NEVER;
      for (int i = 0; i < days; i++) {
        if (shareOnDay[i] >= draw[h]) {
          day = (short) i;
          break;
        }
      }
      compromiseDay[h] = day <= exitDay[h] ? day : NEVER;
    }
  }

  private static int indexOf(List<Scenario.Country> countries, String code) {
    for (int i = 0; i < countries.size(); i++) {
      if (countries.get(i).code().equals(code)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no country " + code);
  }

  private static int pick(double[] weights, SplittableRandom random) {
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double x = random.nextDouble() * sum;
    for (int i = 0; i < weights.length - 1; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /**
   * A public-looking IPv4 address, or 0 for one in a private, loopback, link-local, shared,
   * benchmarking or multicast/reserved range (the caller draws again). Only roughly "public": the
   * addresses are invented and never contacted.
   */
  private static long randomIpv4(int bits) {
    long a = bits & 0xFFFF_FFFFL;
    int o1 = (int) (a >>> 24);
    int o2 = (int) (a >>> 16) & 0xFF;
    boolean reserved =
        o1 == 0
            || o1 == 10
            || o1 == 127
            || o1 >= 224
            || (o1 == 100 && (o2 & 0xC0) == 64)
            || (o1 == 169 && o2 == 254)
            || (o1 == 172 && (o2 & 0xF0) == 16)
            || (o1 == 192 && o2 == 168)
            || (o1 == 198 && (o2 & 0xFE) == 18);
    return reserved ? 0 : a;
  }

  /**
   * 64 random bits for an address in the documentation prefix 2001:db8::/32, or 0 when a group
   * would be 0 (the caller draws again): with four non-zero groups around two zero ones, the text
   * form {@code 2001:db8:g3:g4::g7:g8} is canonical (RFC 5952) by construction.
   */
  private static long randomIpv6(long bits) {
    for (int shift = 0; shift < 64; shift += 16) {
      if ((bits >>> shift & 0xFFFF) == 0) {
        return 0;
      }
    }
    // non-zero top group: never below 2^32, so never equal to an IPv4 value in the uniqueness set
    return bits;
  }

  /** Canonical text of host h's address. */
  String ip(int host) {
    long a = address[host];
    if (ipv6(host)) {
      return "2001:db8:"
          + Integer.toHexString((int) (a >>> 48))
          + ':'
          + Integer.toHexString((int) (a >>> 32) & 0xFFFF)
          + "::"
          + Integer.toHexString((int) (a >>> 16) & 0xFFFF)
          + ':'
          + Integer.toHexString((int) a & 0xFFFF);
    }
    // by hand into Latin-1 bytes: this runs for every event, and StringBuilder.append(long) was
    // the simulator's largest cost at full scale
    byte[] text = new byte[15];
    int n = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
      int octet = (int) (a >>> shift) & 0xFF;
      if (octet >= 100) {
        text[n++] = (byte) ('0' + octet / 100);
      }
      if (octet >= 10) {
        text[n++] = (byte) ('0' + octet / 10 % 10);
      }
      text[n++] = (byte) ('0' + octet % 10);
      if (shift > 0) {
        text[n++] = '.';
      }
    }
    return new String(text, 0, n, StandardCharsets.ISO_8859_1);
  }

  /**
   * Open-addressing set of non-zero longs, for address uniqueness: a boxed HashSet would cost some
   * 60 bytes a host at construction, for a check no library offers on primitives here.
   */
  private static final class LongSet {
    private final long[] slots;
    private final int mask;

    LongSet(int expected) {
      int capacity = Integer.highestOneBit(Math.max(4, expected) * 2) * 2;
      slots = new long[capacity];
      mask = capacity - 1;
    }

    /** False if already present. */
    boolean add(long value) {
      int i = (int) mix(value) & mask;
      while (slots[i] != 0) {
        if (slots[i] == value) {
          return false;
        }
        i = (i + 1) & mask;
      }
      slots[i] = value;
      return true;
    }

    private static long mix(long z) {
      z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
      return z ^ (z >>> 33);
    }
  }
}
