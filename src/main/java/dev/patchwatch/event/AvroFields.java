package dev.patchwatch.event;

import dev.patchwatch.avro.ScanEvent;

/**
 * Reduces an Avro {@link ScanEvent} to the per-field raw values {@link JsonFields} reads from JSON,
 * so that both inputs go through the same rule per field ({@link FieldRules}).
 *
 * <p>A null field becomes {@link JsonFields#NULL}: a record cannot leave a field out, so a required
 * one that is null is "required, but null", as in JSON. The instant, the status and the attribute
 * map are passed as they are, and their rules take them as such: parsing them again from text would
 * cost a round trip on the per-event hot path.
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

  private static Object orNull(Object value) {
    return value == null ? JsonFields.NULL : value;
  }
}
