package dev.patchwatch.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The scan-event contract (DESIGN sections 2 and 7.1): turns JSON, or an Avro record read from
 * Kafka, into a validated and normalised {@link ScanEvent} or a rejection naming the first problem.
 *
 * <p>JSON text, JSON trees and Avro records are first reduced to the same raw value per field
 * ({@link JsonFields}, {@link AvroFields}); one rule per field ({@link FieldRules}) then checks
 * them in a fixed order ({@link Field}), so the same input always gets the same rejection whatever
 * form it came in. Before any field rule, JSON input is checked for being JSON, an object, and for
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

  /** How far past the validating clock an observedAt (and a watermark) may be: skewed scanners. */
  public static final Duration MAX_AHEAD = Duration.ofDays(1);

  /** The rule for {@code scanner}, as rejections spell it. */
  public static final String SCANNER_PATTERN = "[A-Za-z0-9._-]{1,64}";

  /** The rule for {@code vulnerability} (upper-cased once it passes), as rejections spell it. */
  public static final String VULNERABILITY_PATTERN = "[A-Za-z0-9._:-]{1,64}";

  /** The largest {@code asn}; the smallest is 0. */
  public static final long MAX_ASN = 0xFFFF_FFFFL;

  /** The largest {@code port}; the smallest is 0. */
  public static final int MAX_PORT = 0xFFFF;

  /** The longest {@code hostname}, {@code product} and {@code productVersion}, in UTF-16 units. */
  public static final int MAX_CARRIED = 255;

  private final FieldRules rules;
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
    this.rules = new FieldRules(Objects.requireNonNull(clock, "clock"));
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
    return problem != null ? problem : rules.check(slots);
  }

  /** Checks a JSON tree, for format adapters that build one. Never throws. */
  public Parsed fromJson(JsonNode node) {
    Object[] slots = new Object[Field.COUNT];
    Parsed.Invalid problem = JsonFields.read(node, slots);
    return problem != null ? problem : rules.check(slots);
  }

  /**
   * Re-checks an event decoded from Avro with the same rules as JSON. When every field already
   * holds its normalised value, as in every event our SDK publishes, the answer is {@code event}
   * itself: this runs for every record of the scans topic, where a copy would only feed the GC.
   * Otherwise it is a new normalised event with an attribute map of its own. {@code event} itself
   * is never changed here (a caller that changes the answer may change it). Never throws.
   */
  public Parsed normalize(ScanEvent event) {
    if (event == null) {
      return new Parsed.Invalid(RejectReason.NOT_OBJECT, "not a scan event: null");
    }
    Object[] values = AvroFields.read(event);
    Parsed.Invalid problem = rules.normalise(values);
    if (problem != null) {
      return problem;
    }
    return new Parsed.Valid(AvroFields.holds(event, values) ? event : FieldRules.event(values));
  }

  /** Whether {@code id} is a valid {@code scanner}: {@value #SCANNER_PATTERN}. */
  public static boolean isScannerId(String id) {
    return FieldRules.matches(id, false);
  }

  /** Whether {@code id} is a valid {@code vulnerability}: {@value #VULNERABILITY_PATTERN}. */
  public static boolean isVulnerabilityId(String id) {
    return FieldRules.matches(id, true);
  }

  /**
   * Whether {@code code} is a {@code country} in its canonical form: an upper-case ISO 3166-1
   * alpha-2 code, {@code ZZ} (unknown) or {@code XK} (Kosovo).
   */
  public static boolean isCountryCode(String code) {
    return FieldRules.isCountry(code);
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
}
