package dev.patchwatch.event;

import dev.patchwatch.avro.RejectReason;

/**
 * The rejections the field rules give, worded in one place: users see them as-is, and JSON and Avro
 * input must get the same words for the same fault.
 */
final class FieldProblems {

  static final String NOT_UNICODE = " is not valid Unicode (unpaired surrogate)";

  private FieldProblems() {}

  /** A required field that is absent (null slot) or null (JSON null, or null in a record). */
  static Parsed.Invalid missing(Field field, Object value) {
    return new Parsed.Invalid(
        RejectReason.MISSING_FIELD,
        field.json + (value == null ? ": required, but missing" : ": required, but null"));
  }

  static Parsed.Invalid wrongType(Field field, String expected, Object value) {
    return invalid(field.json + ": expected " + expected + ", got " + Messages.describe(value));
  }

  static Parsed.Invalid invalid(String message) {
    return new Parsed.Invalid(RejectReason.INVALID_FIELD, message);
  }

  static Parsed.Invalid pattern(Field field, String text, String pattern) {
    return invalid(field.json + ": " + Messages.quote(text) + " must match " + pattern);
  }

  static Parsed.Invalid notUnicode(Field field, String text) {
    return invalid(field.json + ": " + Messages.quote(text) + NOT_UNICODE);
  }

  /**
   * Lengths count UTF-16 units ({@code String.length()}), as every Java reader of the topics would;
   * so an id made of characters outside the BMP holds at most half as many of them.
   */
  static Parsed.Invalid tooLong(Field field, String text, int max) {
    return invalid(
        field.json
            + ": "
            + text.length()
            + " characters, at most "
            + max
            + " allowed ("
            + Messages.quote(text)
            + ")");
  }

  static Parsed.Invalid outOfRange(Field field, Object number, long max) {
    return invalid(field.json + ": " + Messages.number(number) + " is outside 0.." + max);
  }

  static Parsed.Invalid timeFormat(String text) {
    String hint =
        !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')
            ? " (epoch milliseconds must be a JSON integer, not a string)"
            : " (e.g. 2021-03-01T10:00:00Z or 2021-03-01T11:00+01:00)";
    return invalid(
        "observedAt: "
            + Messages.quote(text)
            + " is not an ISO-8601 instant with Z or ±hh:mm"
            + hint);
  }

  static Parsed.Invalid ip(String text) {
    return invalid(
        "ip: "
            + Messages.quote(text)
            + " is not an IPv4 or IPv6 literal (host names are never resolved)");
  }

  static Parsed.Invalid status(String text) {
    return invalid(
        "status: "
            + Messages.quote(text)
            + " is not one of VULNERABLE, MITIGATED, PATCHED, UNREACHABLE (upper case)");
  }

  static Parsed.Invalid country(String text) {
    return invalid(
        "country: "
            + Messages.quote(text)
            + " is not an ISO 3166-1 alpha-2 code (nor ZZ, unknown, or XK, Kosovo)");
  }

  static Parsed.Invalid attributeKey(String key, String what) {
    return invalid("attributes: key " + Messages.quote(key) + what);
  }

  static Parsed.Invalid attributeValue(String key, String what) {
    return invalid("attributes: value of " + Messages.quote(key) + what);
  }
}
