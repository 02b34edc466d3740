package dev.patchwatch.event;

/**
 * The top-level fields of a scan event, in the order they are checked: the first problem reported
 * for an input is then always the same one.
 */
enum Field {
  SCANNER("scanner"),
  OBSERVED_AT("observedAt"),
  IP("ip"),
  VULNERABILITY("vulnerability"),
  STATUS("status"),
  COUNTRY("country"),
  ASN("asn"),
  COMPROMISED("compromised"),
  EVENT_ID("eventId"),
  PORT("port"),
  HOSTNAME("hostname"),
  PRODUCT("product"),
  PRODUCT_VERSION("productVersion"),
  ATTRIBUTES("attributes");

  static final int COUNT = values().length;

  final String json;

  Field(String json) {
    this.json = json;
  }

  /** The field spelled exactly {@code name}, or null. */
  static Field named(String name) {
    switch (name) {
      case "scanner":
        return SCANNER;
      case "observedAt":
        return OBSERVED_AT;
      case "ip":
        return IP;
      case "vulnerability":
        return VULNERABILITY;
      case "status":
        return STATUS;
      case "country":
        return COUNTRY;
      case "asn":
        return ASN;
      case "compromised":
        return COMPROMISED;
      case "eventId":
        return EVENT_ID;
      case "port":
        return PORT;
      case "hostname":
        return HOSTNAME;
      case "product":
        return PRODUCT;
      case "productVersion":
        return PRODUCT_VERSION;
      case "attributes":
        return ATTRIBUTES;
      default:
        return null;
    }
  }
}
