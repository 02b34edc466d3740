package dev.patchwatch.event;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.avro.util.Utf8;

/**
 * Avro events as producers other than our SDK might hand them over: each field canonical,
 * normalisable, invalid or missing, drawn from the edge cases of the JSON tests, so that the Avro
 * path can be checked against itself over many combinations.
 */
final class RawEvents {

  private static final Instant NOW = Events.NOW;

  private static final Object[] SCANNERS = {
    "shadowserver",
    "Shadow_Server-1.0",
    Events.repeat('s', 64),
    Events.repeat('s', 65),
    "shadow server",
    "sc\u00e9nner",
    "a:b",
    "",
    "\udc00x",
    "x\ud83d\ude00",
    null
  };

  private static final Object[] OBSERVED_AT = {
    Instant.parse("2021-03-09T10:00:00Z"),
    Instant.parse("2021-03-09T10:00:00.123Z"),
    Instant.parse("2021-03-09T10:00:00.123456789Z"),
    Instant.parse("2021-03-09T10:00:00.000001Z"),
    Instant.parse("2000-01-01T00:00:00Z"),
    Instant.parse("1999-12-31T23:59:59.999Z"),
    Instant.parse("1999-12-31T23:59:59.9999999Z"),
    NOW.plusSeconds(86_400),
    NOW.plusSeconds(86_400).plusNanos(500_000),
    NOW.plusSeconds(86_400).plusMillis(1),
    Instant.EPOCH,
    Instant.ofEpochMilli(-1),
    Instant.MAX,
    Instant.MIN,
    null
  };

  private static final Object[] IPS = {
    "203.0.113.7",
    "0.0.0.0",
    "255.255.255.255",
    "::FFFF:203.0.113.7",
    "::ffff:203.0.113.7",
    "::ffff:cb00:7107",
    "2001:db8::1",
    "2001:DB8::1",
    "2001:0db8:0:0:0:0:0:1",
    "2001:db8:0:0:1:0:0:1",
    "2001:db8::1:0:0:1",
    "::",
    "::1",
    "1::",
    "::1.2.3.4",
    "fe80::1%eth0",
    "[2001:db8::1]",
    "010.1.1.1",
    "1.2.3.4:80",
    "127.1",
    "exchange.example.com",
    "1.2.3.4\n",
    "\u0661.2.3.4",
    "",
    null
  };

  private static final Object[] VULNERABILITIES = {
    "CVE-2021-26855",
    "cve-2021-26855",
    "Cve-2021-26855",
    "MSRC:EXCHANGE-IIS",
    "msrc:exchange-iis",
    Events.repeat('v', 64),
    Events.repeat('V', 65),
    "CVE 2021 26855",
    "CVE/1",
    "\u0130",
    "\ud800",
    "",
    null
  };

  private static final Object[] STATUSES = {
    ScanStatus.VULNERABLE, ScanStatus.MITIGATED, ScanStatus.PATCHED, ScanStatus.UNREACHABLE, null
  };

  private static final Object[] COUNTRIES = {
    "FR", "fr", "Fr", "fR", "ZZ", "zz", "XK", "xk", "UK", "QQ", "EU", "FRA", "F", "", "\u017fs",
    "\u00df", "\udc00", null
  };

  private static final Object[] ASNS = {0L, 16276L, 4294967295L, 4294967296L, -1L, Long.MIN_VALUE};

  private static final Object[] EVENT_IDS = {
    "scan-42", "", Events.repeat('e', 128), Events.repeat('e', 129), "x\ud800", "\ud83d\ude00", null
  };

  private static final Object[] PORTS = {443, 0, 65535, 65536, -1, Integer.MIN_VALUE, null};

  private static final Object[] CARRIED = {
    "mail.example.fr",
    "",
    Events.repeat('x', 255),
    Events.repeat('x', 256),
    "\udc00x",
    "mail.\ud83d\ude00.example",
    null
  };

  private static final Object[] ATTRIBUTES = attributes();

  private RawEvents() {}

  /** A valid, canonical event with every field, as our SDK publishes one. */
  static ScanEvent canonical() {
    Map<String, String> attributes = new HashMap<>();
    attributes.put("owa", "/owa/auth/x.js");
    attributes.put("tag", "proxylogon");
    return new ScanEvent(
        "shadowserver",
        Instant.parse("2021-03-09T10:00:00.123Z"),
        "2001:db8::1",
        "CVE-2021-26855",
        ScanStatus.VULNERABLE,
        "FR",
        16276L,
        true,
        "scan-42",
        443,
        "mail.example.fr",
        "Microsoft Exchange",
        "15.1.2176.2",
        attributes);
  }

  /**
   * {@code count} events: a third canonical but for one field, a third with each field drawn
   * independently, a third built on random IP spellings; seeded, so failures repeat.
   */
  static List<ScanEvent> corpus(long seed, int count) {
    Random random = new Random(seed);
    List<ScanEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ScanEvent event = canonical();
      switch (i % 3) {
        case 0 -> set(event, random.nextInt(14), random);
        case 1 -> {
          for (int field = 0; field < 14; field++) {
            if (random.nextInt(4) == 0) {
              set(event, field, random);
            }
          }
        }
        default -> event.setIp(ip(random));
      }
      events.add(event);
    }
    return events;
  }

  /** A random spelling of a random address, or its canonical form. */
  private static String ip(Random random) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = random.nextInt(3) == 0 ? random.nextInt(0x10000) : 0;
    }
    if (random.nextInt(4) == 0) {
      groups[5] = 0xffff;
    }
    String spelled = IpAddressesTest.spell(groups, random);
    return random.nextBoolean() ? spelled : IpAddresses.canonical(spelled).orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static void set(ScanEvent event, int field, Random random) {
    switch (field) {
      case 0 -> event.setScanner((String) pick(SCANNERS, random));
      // put: the setter truncates to milliseconds and refuses null, a decoder's put does neither
      case 1 -> event.put(1, pick(OBSERVED_AT, random));
      case 2 -> event.setIp((String) pick(IPS, random));
      case 3 -> event.setVulnerability((String) pick(VULNERABILITIES, random));
      case 4 -> event.setStatus((ScanStatus) pick(STATUSES, random));
      case 5 -> event.setCountry((String) pick(COUNTRIES, random));
      case 6 -> event.setAsn((Long) pick(ASNS, random));
      case 7 -> event.setCompromised(random.nextBoolean());
      case 8 -> event.setEventId((String) pick(EVENT_IDS, random));
      case 9 -> event.setPort((Integer) pick(PORTS, random));
      case 10 -> event.setHostname((String) pick(CARRIED, random));
      case 11 -> event.setProduct((String) pick(CARRIED, random));
      case 12 -> event.setProductVersion((String) pick(CARRIED, random));
      default -> event.setAttributes((Map<String, String>) pick(ATTRIBUTES, random));
    }
  }

  private static Object pick(Object[] values, Random random) {
    return values[random.nextInt(values.length)];
  }

  /**
   * Maps of every kind a decoder or a caller may hand over, {@link Utf8} ones as a generic reader
   * without {@code avro.java.string} leaves them.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object[] attributes() {
    Map<String, String> linked = new LinkedHashMap<>();
    linked.put("tag", "proxylogon");
    linked.put("owa", "/owa/auth/x.js");
    Map<Object, Object> utf8Keys = new HashMap<>();
    utf8Keys.put(new Utf8("tag"), "proxylogon");
    Map<Object, Object> utf8Values = new HashMap<>();
    utf8Values.put("tag", new Utf8("proxylogon"));
    Map<Object, Object> utf8Both = new LinkedHashMap<>();
    utf8Both.put(new Utf8("tag"), new Utf8("proxylogon"));
    utf8Both.put(new Utf8("owa"), new Utf8("/owa/auth/x.js"));
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("empty", null);
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    Map<String, String> pair = new TreeMap<>();
    pair.put("\ud83d\ude00", "\ud83d\ude00");
    pair.put("b", "2");
    return new Object[] {
      new HashMap<>(Map.of("tag", "proxylogon")),
      linked,
      new TreeMap<>(linked),
      Collections.unmodifiableMap(linked),
      Map.of("tag", "proxylogon", "owa", "/owa/auth/x.js"),
      Map.of(),
      new HashMap<>(),
      pair,
      (Map) utf8Keys,
      (Map) utf8Values,
      (Map) utf8Both,
      nullValue,
      nullKey,
      Map.of("\ud800", "v"),
      Map.of("k", "\udfff"),
      null
    };
  }
}
