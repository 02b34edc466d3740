package dev.patchwatch.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The scan-event contract (DESIGN sections 2 and 7.1): turns JSON, or an Avro record read from
 * Kafka, into a validated and normalised {@link ScanEvent} or a rejection naming the first problem.
 *
 * <p>Fields are checked in a fixed order ({@link Field}) so the same input always gets the same
 * rejection. Before any field rule, JSON input is checked for being JSON, an object, and for
 * unknown or repeated top-level fields (the first of those in document order). Instances are
 * immutable and thread-safe.
 */
public final class EventContract {

  /**
   * The default largest event, in bytes (the setting {@code max.event.bytes}): half the broker's
   * default 1 MiB record limit, so an event always fits and so does its rejection, which wraps the
   * original bytes in an envelope (DESIGN 7.1).
   */
  public static final int DEFAULT_MAX_EVENT_BYTES = 512 * 1024;

  /** How much of an oversize input a TOO_LARGE rejection keeps: enough to recognise it. */
  public static final int KEPT_BYTES = 1024;

  static final JsonFactory JSON = JsonLine.FACTORY;

  private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  /** How far past the validating clock an observedAt (and a watermark) may be: skewed scanners. */
  public static final Duration MAX_AHEAD = Duration.ofDays(1);

  private static final long MAX_ASN = 0xFFFF_FFFFL;
  private static final int MAX_PORT = 0xFFFF;
  private static final int MAX_NAME = 64;
  private static final int MAX_EVENT_ID = 128;
  private static final int MAX_CARRIED = 255;
  private static final String UNKNOWN_COUNTRY = "ZZ";
  private static final String NOT_UNICODE = " is not valid Unicode (unpaired surrogate)";
  private static final Set<String> COUNTRIES = countries();
  private static final Field[] CARRIED = {Field.HOSTNAME, Field.PRODUCT, Field.PRODUCT_VERSION};

  private final Clock clock;
  private final int maxEventBytes;

  /**
   * @param clock the wall clock behind the rule that {@code observedAt} is at most one day ahead
   */
  public EventContract(Clock clock) {
    this(clock, DEFAULT_MAX_EVENT_BYTES);
  }

  /**
   * @param maxEventBytes the largest event in bytes: a JSON line's length, an Avro record's
   *     encoding; larger ones are rejected as {@code TOO_LARGE}
   */
  public EventContract(Clock clock, int maxEventBytes) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxEventBytes < KEPT_BYTES) {
      throw new IllegalArgumentException(
          "the largest event must be at least " + KEPT_BYTES + " bytes, got " + maxEventBytes);
    }
    this.maxEventBytes = maxEventBytes;
  }

  /** The largest event accepted, in bytes. */
  public int maxEventBytes() {
    return maxEventBytes;
  }

  /**
   * The rejection of an input of {@code bytes} bytes if that is over the limit, else null.
   *
   * @param what what was measured, for the message: "line", "record", "event"
   */
  public Parsed.Invalid sizeProblem(String what, long bytes) {
    return sizeProblem(what, bytes, maxEventBytes);
  }

  /** The same against a given limit, for readers that have no contract at hand. */
  public static Parsed.Invalid sizeProblem(String what, long bytes, int maxEventBytes) {
    if (bytes <= maxEventBytes) {
      return null;
    }
    return new Parsed.Invalid(
        RejectReason.TOO_LARGE,
        what
            + " is "
            + bytes
            + " bytes, more than the limit of "
            + maxEventBytes
            + " (max.event.bytes); only its first "
            + KEPT_BYTES
            + " bytes are kept");
  }

  /**
   * What a rejection carries of an oversize input: its first bytes, so the rejection itself stays
   * far below the broker's limit.
   */
  public static byte[] head(byte[] original) {
    return original.length <= KEPT_BYTES ? original : Arrays.copyOf(original, KEPT_BYTES);
  }

  /** Checks one JSON document (e.g. a JSONL line). Never throws. */
  public Parsed parseJson(String text) {
    Object[] slots = new Object[Field.COUNT];
    Parsed.Invalid problem = JsonFields.read(JSON, text, slots);
    return problem != null ? problem : fromSlots(slots);
  }

  /** Checks a JSON tree, for format adapters that build one. Never throws. */
  public Parsed fromJson(JsonNode node) {
    Object[] slots = new Object[Field.COUNT];
    Parsed.Invalid problem = JsonFields.read(node, slots);
    return problem != null ? problem : fromSlots(slots);
  }

  /**
   * Re-checks an event decoded from Avro with the same rules as JSON, and returns a new normalised
   * copy; {@code event} itself is never changed. Never throws.
   */
  public Parsed normalize(ScanEvent event) {
    if (event == null) {
      return new Parsed.Invalid(RejectReason.NOT_OBJECT, "not a scan event: null");
    }
    String problem;
    String scanner = event.getScanner();
    if (scanner == null) {
      return missing(Field.SCANNER);
    }
    if ((problem = unicodeProblem(Field.SCANNER, scanner)) != null
        || (problem = scannerProblem(scanner)) != null) {
      return invalid(problem);
    }
    if (event.getObservedAt() == null) {
      return missing(Field.OBSERVED_AT);
    }
    Instant observedAt = event.getObservedAt().truncatedTo(ChronoUnit.MILLIS);
    if ((problem = observedAtProblem(observedAt)) != null) {
      return invalid(problem);
    }
    if (event.getIp() == null) {
      return missing(Field.IP);
    }
    if ((problem = unicodeProblem(Field.IP, event.getIp())) != null) {
      return invalid(problem);
    }
    Optional<String> ip = IpAddresses.canonical(event.getIp());
    if (ip.isEmpty()) {
      return invalid(ipProblem(event.getIp()));
    }
    String vulnerability = event.getVulnerability();
    if (vulnerability == null) {
      return missing(Field.VULNERABILITY);
    }
    if ((problem = unicodeProblem(Field.VULNERABILITY, vulnerability)) != null
        || (problem = vulnerabilityProblem(vulnerability)) != null) {
      return invalid(problem);
    }
    if (event.getStatus() == null) {
      return missing(Field.STATUS);
    }
    String country = UNKNOWN_COUNTRY;
    if (event.getCountry() != null) {
      if ((problem = unicodeProblem(Field.COUNTRY, event.getCountry())) != null) {
        return invalid(problem);
      }
      country = country(event.getCountry());
      if (country == null) {
        return invalid(countryProblem(event.getCountry()));
      }
    }
    if (event.getAsn() < 0 || event.getAsn() > MAX_ASN) {
      return invalid(rangeProblem(Field.ASN, event.getAsn(), MAX_ASN));
    }
    if ((problem = unicodeProblem(Field.EVENT_ID, event.getEventId())) != null
        || (problem = lengthProblem(Field.EVENT_ID, event.getEventId(), MAX_EVENT_ID)) != null) {
      return invalid(problem);
    }
    Integer port = event.getPort();
    if (port != null && (port < 0 || port > MAX_PORT)) {
      return invalid(rangeProblem(Field.PORT, port, MAX_PORT));
    }
    if ((problem = carriedProblem(Field.HOSTNAME, event.getHostname())) != null
        || (problem = carriedProblem(Field.PRODUCT, event.getProduct())) != null
        || (problem = carriedProblem(Field.PRODUCT_VERSION, event.getProductVersion())) != null) {
      return invalid(problem);
    }
    // copied rather than shared, so the result can be changed without changing the input; keys and
    // values go through toString() in case a generic writer left Avro Utf8 in a String-typed map
    Map<String, String> attributes = new LinkedHashMap<>();
    if (event.getAttributes() != null) {
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) event.getAttributes()).entrySet()) {
        if (entry.getKey() == null) {
          return invalid("attributes: a key is null");
        }
        if (entry.getValue() == null) {
          return invalid(
              "attributes: value of " + Messages.quote(entry.getKey().toString()) + " is null");
        }
        String key = entry.getKey().toString();
        String value = entry.getValue().toString();
        if ((problem = attributeProblem(key, value)) != null) {
          return invalid(problem);
        }
        attributes.put(key, value);
      }
    }
    // not ScanEvent.newBuilder(event): its deep copy loads the generated enum class through Avro's
    // ClassSecurityValidator, which throws unless dev.patchwatch.avro is trusted process-wide
    return new Parsed.Valid(
        new ScanEvent(
            scanner,
            observedAt,
            ip.get(),
            upperCase(vulnerability),
            event.getStatus(),
            country,
            event.getAsn(),
            event.getCompromised(),
            event.getEventId(),
            port,
            event.getHostname(),
            event.getProduct(),
            event.getProductVersion(),
            attributes));
  }

  /**
   * The canonical JSON form of a valid event: fields in schema order, times as ISO-8601 UTC with
   * milliseconds, null optionals and empty {@code attributes} left out, attribute keys sorted.
   * {@code parseJson(toJson(e))} equals {@code e}.
   */
  public static String toJson(ScanEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField(Field.SCANNER.json, event.getScanner());
      g.writeStringField(
          Field.OBSERVED_AT.json,
          event.getObservedAt() == null ? null : Instants.format(event.getObservedAt()));
      g.writeStringField(Field.IP.json, event.getIp());
      g.writeStringField(Field.VULNERABILITY.json, event.getVulnerability());
      g.writeStringField(
          Field.STATUS.json, event.getStatus() == null ? null : event.getStatus().name());
      g.writeStringField(Field.COUNTRY.json, event.getCountry());
      g.writeNumberField(Field.ASN.json, event.getAsn());
      g.writeBooleanField(Field.COMPROMISED.json, event.getCompromised());
      writeIfPresent(g, Field.EVENT_ID, event.getEventId());
      if (event.getPort() != null) {
        g.writeNumberField(Field.PORT.json, event.getPort());
      }
      writeIfPresent(g, Field.HOSTNAME, event.getHostname());
      writeIfPresent(g, Field.PRODUCT, event.getProduct());
      writeIfPresent(g, Field.PRODUCT_VERSION, event.getProductVersion());
      Map<String, String> attributes = event.getAttributes();
      if (attributes != null && !attributes.isEmpty()) {
        g.writeObjectFieldStart(Field.ATTRIBUTES.json);
        // sorted, so equal events always have the same text whatever map they were built with
        for (Map.Entry<String, String> entry : new TreeMap<>(attributes).entrySet()) {
          g.writeStringField(entry.getKey(), entry.getValue());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
    }
    return out.toString();
  }

  private static void writeIfPresent(JsonGenerator g, Field field, String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(field.json, value);
    }
  }

  private Parsed fromSlots(Object[] slots) {
    Object value;
    String problem;

    value = slots[Field.SCANNER.ordinal()];
    if (isAbsent(value)) {
      return missing(Field.SCANNER, value);
    }
    if (!(value instanceof String scanner)) {
      return wrongType(Field.SCANNER, "a string", value);
    }
    if ((problem = unicodeProblem(Field.SCANNER, scanner)) != null
        || (problem = scannerProblem(scanner)) != null) {
      return invalid(problem);
    }

    value = slots[Field.OBSERVED_AT.ordinal()];
    Instant observedAt;
    if (isAbsent(value)) {
      return missing(Field.OBSERVED_AT, value);
    }
    if (value instanceof String text) {
      if ((problem = unicodeProblem(Field.OBSERVED_AT, text)) != null) {
        return invalid(problem);
      }
      observedAt = Instants.parse(text);
      if (observedAt == null) {
        return invalid(timeFormatProblem(text));
      }
      observedAt = observedAt.truncatedTo(ChronoUnit.MILLIS);
    } else if (value instanceof Long millis) {
      observedAt = Instant.ofEpochMilli(millis);
    } else if (value instanceof BigInteger big) {
      String where = big.signum() < 0 ? "before " + Instants.format(EARLIEST) : "too far ahead";
      return invalid("observedAt: " + Messages.number(big) + " epoch milliseconds is " + where);
    } else {
      return wrongType(
          Field.OBSERVED_AT, "an ISO-8601 string or epoch milliseconds as a JSON integer", value);
    }
    if ((problem = observedAtProblem(observedAt)) != null) {
      return invalid(problem);
    }

    value = slots[Field.IP.ordinal()];
    if (isAbsent(value)) {
      return missing(Field.IP, value);
    }
    if (!(value instanceof String ipText)) {
      return wrongType(Field.IP, "a string", value);
    }
    if ((problem = unicodeProblem(Field.IP, ipText)) != null) {
      return invalid(problem);
    }
    Optional<String> ip = IpAddresses.canonical(ipText);
    if (ip.isEmpty()) {
      return invalid(ipProblem(ipText));
    }

    value = slots[Field.VULNERABILITY.ordinal()];
    if (isAbsent(value)) {
      return missing(Field.VULNERABILITY, value);
    }
    if (!(value instanceof String vulnerability)) {
      return wrongType(Field.VULNERABILITY, "a string", value);
    }
    if ((problem = unicodeProblem(Field.VULNERABILITY, vulnerability)) != null
        || (problem = vulnerabilityProblem(vulnerability)) != null) {
      return invalid(problem);
    }

    value = slots[Field.STATUS.ordinal()];
    if (isAbsent(value)) {
      return missing(Field.STATUS, value);
    }
    if (!(value instanceof String statusText)) {
      return wrongType(Field.STATUS, "a string", value);
    }
    if ((problem = unicodeProblem(Field.STATUS, statusText)) != null) {
      return invalid(problem);
    }
    ScanStatus status = status(statusText);
    if (status == null) {
      return invalid(
          "status: "
              + Messages.quote(statusText)
              + " is not one of VULNERABLE, MITIGATED, PATCHED, UNREACHABLE (upper case)");
    }

    value = slots[Field.COUNTRY.ordinal()];
    String country = UNKNOWN_COUNTRY;
    if (!isAbsent(value)) {
      if (!(value instanceof String countryText)) {
        return wrongType(Field.COUNTRY, "a string", value);
      }
      if ((problem = unicodeProblem(Field.COUNTRY, countryText)) != null) {
        return invalid(problem);
      }
      country = country(countryText);
      if (country == null) {
        return invalid(countryProblem(countryText));
      }
    }

    value = slots[Field.ASN.ordinal()];
    long asn = 0;
    if (!isAbsent(value)) {
      if (value instanceof BigInteger big) {
        return invalid(rangeProblem(Field.ASN, big, MAX_ASN));
      }
      if (!(value instanceof Long number)) {
        return wrongType(Field.ASN, "a JSON integer", value);
      }
      if (number < 0 || number > MAX_ASN) {
        return invalid(rangeProblem(Field.ASN, number, MAX_ASN));
      }
      asn = number;
    }

    value = slots[Field.COMPROMISED.ordinal()];
    boolean compromised = false;
    if (!isAbsent(value)) {
      if (!(value instanceof Boolean flag)) {
        return wrongType(Field.COMPROMISED, "a JSON boolean", value);
      }
      compromised = flag;
    }

    value = slots[Field.EVENT_ID.ordinal()];
    if (!isAbsent(value) && !(value instanceof String)) {
      return wrongType(Field.EVENT_ID, "a string", value);
    }
    String eventId = isAbsent(value) ? null : (String) value;
    if ((problem = unicodeProblem(Field.EVENT_ID, eventId)) != null
        || (problem = lengthProblem(Field.EVENT_ID, eventId, MAX_EVENT_ID)) != null) {
      return invalid(problem);
    }

    value = slots[Field.PORT.ordinal()];
    Integer port = null;
    if (!isAbsent(value)) {
      if (value instanceof BigInteger big) {
        return invalid(rangeProblem(Field.PORT, big, MAX_PORT));
      }
      if (!(value instanceof Long number)) {
        return wrongType(Field.PORT, "a JSON integer", value);
      }
      if (number < 0 || number > MAX_PORT) {
        return invalid(rangeProblem(Field.PORT, number, MAX_PORT));
      }
      port = number.intValue();
    }

    String[] carried = new String[CARRIED.length];
    for (int i = 0; i < CARRIED.length; i++) {
      Field field = CARRIED[i];
      value = slots[field.ordinal()];
      if (isAbsent(value)) {
        continue;
      }
      if (!(value instanceof String text)) {
        return wrongType(field, "a string", value);
      }
      if ((problem = carriedProblem(field, text)) != null) {
        return invalid(problem);
      }
      carried[i] = text;
    }

    value = slots[Field.ATTRIBUTES.ordinal()];
    Map<String, String> attributes;
    if (isAbsent(value)) {
      attributes = new LinkedHashMap<>();
    } else if (value instanceof JsonFields.BadAttributes bad) {
      return invalid(bad.message());
    } else if (value instanceof Map<?, ?>) {
      @SuppressWarnings("unchecked")
      Map<String, String> map = (Map<String, String>) value;
      for (Map.Entry<String, String> entry : map.entrySet()) {
        if ((problem = attributeProblem(entry.getKey(), entry.getValue())) != null) {
          return invalid(problem);
        }
      }
      attributes = map;
    } else {
      return wrongType(Field.ATTRIBUTES, "a JSON object of strings", value);
    }

    return new Parsed.Valid(
        new ScanEvent(
            scanner,
            observedAt,
            ip.get(),
            upperCase(vulnerability),
            status,
            country,
            asn,
            compromised,
            eventId,
            port,
            carried[0],
            carried[1],
            carried[2],
            attributes));
  }

  /** Null on an optional field means absent (DESIGN 7.1); on a required one, missing. */
  private static boolean isAbsent(Object value) {
    return value == null || value == JsonFields.NULL;
  }

  private static String scannerProblem(String scanner) {
    return matches(scanner, false)
        ? null
        : "scanner: " + Messages.quote(scanner) + " must match [A-Za-z0-9._-]{1,64}";
  }

  private static String vulnerabilityProblem(String vulnerability) {
    return matches(vulnerability, true)
        ? null
        : "vulnerability: " + Messages.quote(vulnerability) + " must match [A-Za-z0-9._:-]{1,64}";
  }

  /**
   * {@code [A-Za-z0-9._-]{1,64}}, plus {@code :} if {@code colon}; a loop: this is the hot path.
   */
  private static boolean matches(String s, boolean colon) {
    int n = s.length();
    if (n < 1 || n > MAX_NAME) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || (colon && c == ':');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private String observedAtProblem(Instant observedAt) {
    if (observedAt.isBefore(EARLIEST)) {
      return "observedAt: "
          + Instants.format(observedAt)
          + " is before "
          + Instants.format(EARLIEST);
    }
    Instant now = clock.instant();
    if (observedAt.isAfter(now.plus(MAX_AHEAD))) {
      return "observedAt: "
          + Instants.format(observedAt)
          + " is more than 1 day after now ("
          + Instants.format(now)
          + ")";
    }
    return null;
  }

  private static String timeFormatProblem(String text) {
    String hint =
        !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')
            ? " (epoch milliseconds must be a JSON integer, not a string)"
            : " (e.g. 2021-03-01T10:00:00Z or 2021-03-01T11:00+01:00)";
    return "observedAt: "
        + Messages.quote(text)
        + " is not an ISO-8601 instant with Z or ±hh:mm"
        + hint;
  }

  private static String ipProblem(String text) {
    return "ip: "
        + Messages.quote(text)
        + " is not an IPv4 or IPv6 literal (host names are never resolved)";
  }

  private static ScanStatus status(String text) {
    switch (text) {
      case "VULNERABLE":
        return ScanStatus.VULNERABLE;
      case "MITIGATED":
        return ScanStatus.MITIGATED;
      case "PATCHED":
        return ScanStatus.PATCHED;
      case "UNREACHABLE":
        return ScanStatus.UNREACHABLE;
      default:
        return null;
    }
  }

  /** The upper-cased code, or null if it is not one we accept. */
  private static String country(String text) {
    // ASCII letters are checked first: "ß".toUpperCase() is "SS", which is South Sudan
    if (text.length() != 2 || !isAsciiLetter(text.charAt(0)) || !isAsciiLetter(text.charAt(1))) {
      return null;
    }
    String upper = upperCase(text);
    return COUNTRIES.contains(upper) ? upper : null;
  }

  /** Only ever given ASCII, so the result has the same length and stays ASCII. */
  private static String upperCase(String ascii) {
    return ascii.toUpperCase(Locale.ROOT);
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static String countryProblem(String text) {
    return "country: "
        + Messages.quote(text)
        + " is not an ISO 3166-1 alpha-2 code (nor ZZ, unknown, or XK, Kosovo)";
  }

  private static String carriedProblem(Field field, String text) {
    String problem = unicodeProblem(field, text);
    return problem != null ? problem : lengthProblem(field, text, MAX_CARRIED);
  }

  private static String attributeProblem(String key, String value) {
    if (hasUnpairedSurrogate(key)) {
      return "attributes: key " + Messages.quote(key) + NOT_UNICODE;
    }
    if (hasUnpairedSurrogate(value)) {
      return "attributes: value of " + Messages.quote(key) + NOT_UNICODE;
    }
    return null;
  }

  /**
   * An unpaired surrogate (JSON can write one as {@code "\udc00"}, Java strings hold one) has no
   * UTF-8 form: Avro would publish a {@code ?} in its place, so the event on the topic would
   * silently differ from its input, and a strict encoder (a JSON-lines writer) fails on it.
   */
  private static String unicodeProblem(Field field, String text) {
    return text != null && hasUnpairedSurrogate(text)
        ? field.json + ": " + Messages.quote(text) + NOT_UNICODE
        : null;
  }

  static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Lengths count UTF-16 units ({@code String.length()}), as every Java reader of the topics would;
   * so an id made of characters outside the BMP holds at most half as many of them.
   */
  private static String lengthProblem(Field field, String text, int max) {
    if (text == null || text.length() <= max) {
      return null;
    }
    return field.json
        + ": "
        + text.length()
        + " characters, at most "
        + max
        + " allowed ("
        + Messages.quote(text)
        + ")";
  }

  private static String rangeProblem(Field field, Object number, long max) {
    return field.json + ": " + Messages.number(number) + " is outside 0.." + max;
  }

  /** A required field of an Avro record that is null. */
  private static Parsed.Invalid missing(Field field) {
    return missing(field, JsonFields.NULL);
  }

  /** A required JSON field that is absent (null slot) or JSON null. */
  private static Parsed.Invalid missing(Field field, Object value) {
    return new Parsed.Invalid(
        RejectReason.MISSING_FIELD,
        field.json + (value == null ? ": required, but missing" : ": required, but null"));
  }

  private static Parsed.Invalid wrongType(Field field, String expected, Object value) {
    return invalid(field.json + ": expected " + expected + ", got " + Messages.describe(value));
  }

  private static Parsed.Invalid invalid(String message) {
    return new Parsed.Invalid(RejectReason.INVALID_FIELD, message);
  }

  private static Set<String> countries() {
    Set<String> codes = new HashSet<>(Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA2));
    // ZZ: unknown; XK: Kosovo, user-assigned by ISO but used by every geolocation feed
    codes.add(UNKNOWN_COUNTRY);
    codes.add("XK");
    return Collections.unmodifiableSet(codes);
  }
}
