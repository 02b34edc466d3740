package dev.patchwatch.event;

import static dev.patchwatch.event.EventContract.MAX_AHEAD;
import static dev.patchwatch.event.EventContract.MAX_ASN;
import static dev.patchwatch.event.EventContract.MAX_CARRIED;
import static dev.patchwatch.event.EventContract.MAX_PORT;
import static dev.patchwatch.event.EventContract.SCANNER_PATTERN;
import static dev.patchwatch.event.EventContract.VULNERABILITY_PATTERN;
import static dev.patchwatch.event.FieldProblems.invalid;
import static dev.patchwatch.event.FieldProblems.missing;
import static dev.patchwatch.event.FieldProblems.wrongType;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One rule per field of DESIGN sections 2 and 7.1, applied in the order of {@link Field} to the raw
 * values {@link JsonFields} reads from JSON and {@link AvroFields} from a record, so both inputs
 * get the same answer and the same words.
 *
 * <p>A raw value is null (absent), {@link JsonFields#NULL}, a {@link String}, a {@link Long} or
 * {@link BigInteger}, a {@link Boolean}, a map or {@link JsonFields.BadAttributes}, an {@link
 * JsonFields.Other}, and from a record also an {@link Instant} or a {@link ScanStatus}. Each rule
 * returns the field's normalised value or a {@link Parsed.Invalid}: no exception on the per-event
 * hot path. A raw value already in normalised form comes back equal (the attributes map: the very
 * map), which is how {@link AvroFields#holds} sees that a record needs no copy.
 */
final class FieldRules {

  private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  private static final int MAX_NAME = 64;
  private static final int MAX_EVENT_ID = 128;

  private static final String UNKNOWN_COUNTRY = "ZZ";
  private static final Set<String> COUNTRIES = countries();

  // slot indexes
  private static final int SCANNER = Field.SCANNER.ordinal();
  private static final int OBSERVED_AT = Field.OBSERVED_AT.ordinal();
  private static final int IP = Field.IP.ordinal();
  private static final int VULNERABILITY = Field.VULNERABILITY.ordinal();
  private static final int STATUS = Field.STATUS.ordinal();
  private static final int COUNTRY = Field.COUNTRY.ordinal();
  private static final int ASN = Field.ASN.ordinal();
  private static final int COMPROMISED = Field.COMPROMISED.ordinal();
  private static final int EVENT_ID = Field.EVENT_ID.ordinal();
  private static final int PORT = Field.PORT.ordinal();
  private static final int HOSTNAME = Field.HOSTNAME.ordinal();
  private static final int PRODUCT = Field.PRODUCT.ordinal();
  private static final int PRODUCT_VERSION = Field.PRODUCT_VERSION.ordinal();
  private static final int ATTRIBUTES = Field.ATTRIBUTES.ordinal();

  private final Clock clock;

  FieldRules(Clock clock) {
    this.clock = clock;
  }

  /** {@link #normalise} then, if no field is at fault, a new event of the normalised values. */
  Parsed check(Object[] v) {
    Parsed.Invalid problem = normalise(v);
    return problem != null ? problem : new Parsed.Valid(event(v));
  }

  /**
   * Checks every field in the order of {@link Field}, replacing each raw value in {@code v} by its
   * normalised one; the first problem found is the answer, null if there is none. Written out
   * rather than looped over the fields: this runs per event, and the loop measured twice as slow.
   */
  Parsed.Invalid normalise(Object[] v) {
    if ((v[SCANNER] = scanner(v[SCANNER])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[OBSERVED_AT] = observedAt(v[OBSERVED_AT])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[IP] = ip(v[IP])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[VULNERABILITY] = vulnerability(v[VULNERABILITY])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[STATUS] = status(v[STATUS])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[COUNTRY] = country(v[COUNTRY])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[ASN] = asn(v[ASN])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[COMPROMISED] = compromised(v[COMPROMISED])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[EVENT_ID] = eventId(v[EVENT_ID])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[PORT] = port(v[PORT])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[HOSTNAME] = hostname(v[HOSTNAME])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[PRODUCT] = product(v[PRODUCT])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[PRODUCT_VERSION] = productVersion(v[PRODUCT_VERSION]))
        instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    if ((v[ATTRIBUTES] = attributes(v[ATTRIBUTES])) instanceof Parsed.Invalid invalid) {
      return invalid;
    }
    return null;
  }

  /**
   * A new event of the values {@link #normalise} left in {@code v}, with a map of its own: the
   * event can be changed without changing the input the values came from.
   */
  static ScanEvent event(Object[] v) {
    @SuppressWarnings("unchecked")
    Map<String, String> attributes = new LinkedHashMap<>((Map<String, String>) v[ATTRIBUTES]);
    // not ScanEvent.newBuilder(event) for Avro input: its deep copy loads the generated enum class
    // through Avro's ClassSecurityValidator, which throws unless dev.patchwatch.avro is trusted
    // process-wide
    return new ScanEvent(
        (String) v[SCANNER],
        (Instant) v[OBSERVED_AT],
        (String) v[IP],
        (String) v[VULNERABILITY],
        (ScanStatus) v[STATUS],
        (String) v[COUNTRY],
        (Long) v[ASN],
        (Boolean) v[COMPROMISED],
        (String) v[EVENT_ID],
        (Integer) v[PORT],
        (String) v[HOSTNAME],
        (String) v[PRODUCT],
        (String) v[PRODUCT_VERSION],
        attributes);
  }

  private static Object scanner(Object raw) {
    return name(Field.SCANNER, raw, false, SCANNER_PATTERN);
  }

  /** Upper-cased once it passes its pattern, which keeps it ASCII. */
  private static Object vulnerability(Object raw) {
    Object name = name(Field.VULNERABILITY, raw, true, VULNERABILITY_PATTERN);
    return name instanceof String s ? upperCase(s) : name;
  }

  private static Object eventId(Object raw) {
    return optionalText(Field.EVENT_ID, raw, MAX_EVENT_ID);
  }

  private static Object hostname(Object raw) {
    return optionalText(Field.HOSTNAME, raw, MAX_CARRIED);
  }

  private static Object product(Object raw) {
    return optionalText(Field.PRODUCT, raw, MAX_CARRIED);
  }

  private static Object productVersion(Object raw) {
    return optionalText(Field.PRODUCT_VERSION, raw, MAX_CARRIED);
  }

  /** Null on an optional field means absent (DESIGN 7.1); on a required one, missing. */
  private static boolean isAbsent(Object raw) {
    return raw == null || raw == JsonFields.NULL;
  }

  /** A string that is valid Unicode, or why not. */
  private static Object text(Field field, Object raw) {
    if (!(raw instanceof String text)) {
      return wrongType(field, "a string", raw);
    }
    return hasUnpairedSurrogate(text) ? FieldProblems.notUnicode(field, text) : text;
  }

  private static Object requiredText(Field field, Object raw) {
    return isAbsent(raw) ? missing(field, raw) : text(field, raw);
  }

  private static Object optionalText(Field field, Object raw, int max) {
    if (isAbsent(raw)) {
      return null;
    }
    Object text = text(field, raw);
    return text instanceof String s && s.length() > max
        ? FieldProblems.tooLong(field, s, max)
        : text;
  }

  /** {@code scanner} and {@code vulnerability}: required, {@code pattern}, kept as given. */
  private static Object name(Field field, Object raw, boolean colon, String pattern) {
    Object text = requiredText(field, raw);
    return text instanceof String s && !matches(s, colon)
        ? FieldProblems.pattern(field, s, pattern)
        : text;
  }

  /** Only ever given ASCII, so the result has the same length and stays ASCII. */
  private static String upperCase(String ascii) {
    return ascii.toUpperCase(Locale.ROOT);
  }

  /**
   * {@code [A-Za-z0-9._-]{1,64}}, plus {@code :} if {@code colon}; a loop: this is the hot path.
   */
  static boolean matches(String s, boolean colon) {
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

  private Object observedAt(Object raw) {
    if (isAbsent(raw)) {
      return missing(Field.OBSERVED_AT, raw);
    }
    Object instant = instant(raw);
    return instant instanceof Instant observedAt ? window(observedAt) : instant;
  }

  /** JSON's ISO-8601 text or epoch milliseconds, or a record's instant; to the millisecond. */
  private static Object instant(Object raw) {
    if (raw instanceof Instant instant) {
      return instant.truncatedTo(ChronoUnit.MILLIS);
    }
    if (raw instanceof Long millis) {
      return Instant.ofEpochMilli(millis);
    }
    if (raw instanceof BigInteger big) {
      String where = big.signum() < 0 ? "before " + Instants.format(EARLIEST) : "too far ahead";
      return invalid("observedAt: " + Messages.number(big) + " epoch milliseconds is " + where);
    }
    if (!(raw instanceof String)) {
      return wrongType(
          Field.OBSERVED_AT, "an ISO-8601 string or epoch milliseconds as a JSON integer", raw);
    }
    Object text = text(Field.OBSERVED_AT, raw);
    if (!(text instanceof String s)) {
      return text;
    }
    Instant parsed = Instants.parse(s);
    return parsed == null ? FieldProblems.timeFormat(s) : parsed.truncatedTo(ChronoUnit.MILLIS);
  }

  /** At or after 2000, at most a day after the validating clock: skewed scanners. */
  private Object window(Instant observedAt) {
    if (observedAt.isBefore(EARLIEST)) {
      return invalid(
          "observedAt: " + Instants.format(observedAt) + " is before " + Instants.format(EARLIEST));
    }
    Instant now = clock.instant();
    if (observedAt.isAfter(now.plus(MAX_AHEAD))) {
      return invalid(
          "observedAt: "
              + Instants.format(observedAt)
              + " is more than 1 day after now ("
              + Instants.format(now)
              + ")");
    }
    return observedAt;
  }

  private static Object ip(Object raw) {
    Object text = requiredText(Field.IP, raw);
    if (!(text instanceof String s)) {
      return text;
    }
    Optional<String> ip = IpAddresses.canonical(s);
    return ip.isPresent() ? ip.get() : FieldProblems.ip(s);
  }

  private static Object status(Object raw) {
    if (raw instanceof ScanStatus status) {
      return status;
    }
    Object text = requiredText(Field.STATUS, raw);
    if (!(text instanceof String s)) {
      return text;
    }
    switch (s) {
      case "VULNERABLE":
        return ScanStatus.VULNERABLE;
      case "MITIGATED":
        return ScanStatus.MITIGATED;
      case "PATCHED":
        return ScanStatus.PATCHED;
      case "UNREACHABLE":
        return ScanStatus.UNREACHABLE;
      default:
        return FieldProblems.status(s);
    }
  }

  private static Object asn(Object raw) {
    return isAbsent(raw) ? (Object) 0L : integer(Field.ASN, raw, MAX_ASN);
  }

  private static Object country(Object raw) {
    if (isAbsent(raw)) {
      return UNKNOWN_COUNTRY;
    }
    Object text = text(Field.COUNTRY, raw);
    if (!(text instanceof String s)) {
      return text;
    }
    // ASCII letters are checked first: "ß".toUpperCase() is "SS", which is South Sudan
    if (s.length() == 2 && isAsciiLetter(s.charAt(0)) && isAsciiLetter(s.charAt(1))) {
      String upper = upperCase(s);
      if (COUNTRIES.contains(upper)) {
        return upper;
      }
    }
    return FieldProblems.country(s);
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** Whether {@code code} is a country code in its canonical, upper-case form. */
  static boolean isCountry(String code) {
    return COUNTRIES.contains(code);
  }

  /** A JSON integer (a record's long or int) within 0..max, as a {@link Long}. */
  private static Object integer(Field field, Object raw, long max) {
    if (raw instanceof BigInteger big) {
      return FieldProblems.outOfRange(field, big, max);
    }
    if (!(raw instanceof Long number)) {
      return wrongType(field, "a JSON integer", raw);
    }
    return number < 0 || number > max ? FieldProblems.outOfRange(field, number, max) : number;
  }

  private static Object port(Object raw) {
    if (isAbsent(raw)) {
      return null;
    }
    if (raw instanceof Integer number) {
      return number < 0 || number > MAX_PORT
          ? FieldProblems.outOfRange(Field.PORT, number, MAX_PORT)
          : number;
    }
    Object port = integer(Field.PORT, raw, MAX_PORT);
    return port instanceof Long number ? (Object) number.intValue() : port;
  }

  private static Object compromised(Object raw) {
    if (isAbsent(raw)) {
      return Boolean.FALSE;
    }
    return raw instanceof Boolean ? raw : wrongType(Field.COMPROMISED, "a JSON boolean", raw);
  }

  /**
   * The map itself when its keys and values are all strings, else a copy of it as strings: a reader
   * without {@code avro.java.string} in its schema leaves {@code Utf8} in a String-typed map.
   * {@link #event} copies it in any case.
   */
  private static Object attributes(Object raw) {
    if (isAbsent(raw)) {
      return Map.of();
    }
    if (raw instanceof JsonFields.BadAttributes bad) {
      return invalid(bad.message());
    }
    if (!(raw instanceof Map<?, ?> map)) {
      return wrongType(Field.ATTRIBUTES, "a JSON object of strings", raw);
    }
    boolean strings = true;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (entry.getKey() == null) {
        return invalid("attributes: a key is null");
      }
      String key = entry.getKey().toString();
      if (entry.getValue() == null) {
        return FieldProblems.attributeValue(key, " is null");
      }
      String value = entry.getValue().toString();
      if (hasUnpairedSurrogate(key)) {
        return FieldProblems.attributeKey(key, FieldProblems.NOT_UNICODE);
      }
      if (hasUnpairedSurrogate(value)) {
        return FieldProblems.attributeValue(key, FieldProblems.NOT_UNICODE);
      }
      strings &= entry.getKey() instanceof String && entry.getValue() instanceof String;
    }
    if (strings) {
      return map;
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      attributes.put(entry.getKey().toString(), entry.getValue().toString());
    }
    return attributes;
  }

  /**
   * An unpaired surrogate (JSON can write one as {@code "\udc00"}, Java strings hold one) has no
   * UTF-8 form: Avro would publish a {@code ?} in its place, so the event on the topic would
   * silently differ from its input, and a strict encoder (a JSON-lines writer) fails on it.
   */
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

  private static Set<String> countries() {
    Set<String> codes = new HashSet<>(Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA2));
    // ZZ: unknown; XK: Kosovo, user-assigned by ISO but used by every geolocation feed
    codes.add(UNKNOWN_COUNTRY);
    codes.add("XK");
    return Collections.unmodifiableSet(codes);
  }
}
