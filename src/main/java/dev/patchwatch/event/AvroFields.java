package dev.patchwatch.event;

import dev.patchwatch.avro.ScanEvent;
import java.util.Objects;

/**
 * Reduces an Avro {@link ScanEvent} to the per-field raw values {@link JsonFields} reads from JSON,
 * so that both inputs go through the same rule per field ({@link FieldRules}).
 *
 * <p>A null field becomes {@link JsonFields#NULL}: a record cannot leave a field out, so a required
 * one that is null is "required, but null", as in JSON. The instant, the status and the attribute
 * map are passed as they are, and their rules take them as such: parsing them again from text would
 * cost a round trip on the per-event hot path.
 *
 * <p>Once the rules have normalised the values, {@link #holds} tells whether the record already
 * held them all: then it is the answer itself, and no copy is made.
 */
final class AvroFields {

  private AvroFields() {}

  static Object[] read(ScanEvent event) {
    Object[] slots = new Object[Field.COUNT];
    slots[Field.SCANNER.ordinal()] = orNull(event.getScanner());
    slots[Field.OBSERVED_AT.ordinal()] = orNull(event.getObservedAt());
    slots[Field.IP.ordinal()] = orNull(event.getIp());
    slots[Field.VULNERABILITY.ordinal()] = orNull(event.getVulnerability());
    slots[Field.STATUS.ordinal()] = orNull(event.getStatus());
    slots[Field.COUNTRY.ordinal()] = orNull(event.getCountry());
    slots[Field.ASN.ordinal()] = event.getAsn();
    slots[Field.COMPROMISED.ordinal()] = event.getCompromised();
    slots[Field.EVENT_ID.ordinal()] = orNull(event.getEventId());
    slots[Field.PORT.ordinal()] = orNull(event.getPort());
    slots[Field.HOSTNAME.ordinal()] = orNull(event.getHostname());
    slots[Field.PRODUCT.ordinal()] = orNull(event.getProduct());
    slots[Field.PRODUCT_VERSION.ordinal()] = orNull(event.getProductVersion());
    slots[Field.ATTRIBUTES.ordinal()] = orNull(event.getAttributes());
    return slots;
  }

  /**
   * Whether {@code event} already holds the normalised values {@code v} that {@link #read} and the
   * rules made of it; the attribute map must be the very same one, which its rule keeps only when
   * every key and value is a {@link String}.
   */
  static boolean holds(ScanEvent event, Object[] v) {
    return v[Field.SCANNER.ordinal()].equals(event.getScanner())
        && v[Field.OBSERVED_AT.ordinal()].equals(event.getObservedAt())
        && v[Field.IP.ordinal()].equals(event.getIp())
        && v[Field.VULNERABILITY.ordinal()].equals(event.getVulnerability())
        && v[Field.STATUS.ordinal()] == event.getStatus()
        && v[Field.COUNTRY.ordinal()].equals(event.getCountry())
        && (Long) v[Field.ASN.ordinal()] == event.getAsn()
        && (Boolean) v[Field.COMPROMISED.ordinal()] == event.getCompromised()
        && Objects.equals(v[Field.EVENT_ID.ordinal()], event.getEventId())
        && Objects.equals(v[Field.PORT.ordinal()], event.getPort())
        && Objects.equals(v[Field.HOSTNAME.ordinal()], event.getHostname())
        && Objects.equals(v[Field.PRODUCT.ordinal()], event.getProduct())
        && Objects.equals(v[Field.PRODUCT_VERSION.ordinal()], event.getProductVersion())
        && v[Field.ATTRIBUTES.ordinal()] == event.getAttributes();
  }

  private static Object orNull(Object value) {
    return value == null ? JsonFields.NULL : value;
  }
}
