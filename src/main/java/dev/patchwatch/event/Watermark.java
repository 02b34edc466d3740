package dev.patchwatch.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A scanner's promise that it will send nothing observed before an instant. On the scans topic it
 * is a record with a null key, a null value and this header, so no consumer can take it for a scan
 * event (DESIGN section 7.4).
 */
public final class Watermark {

  /** Header holding the instant as ISO-8601 text in UTF-8. */
  public static final String HEADER = "patchwatch.watermark";

  private Watermark() {}

  public static byte[] encode(Instant time) {
    return time.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The instant in a header value, or empty if it is not an ISO-8601 instant. */
  public static Optional<Instant> decode(byte[] headerValue) {
    if (headerValue == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(new String(headerValue, StandardCharsets.UTF_8)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
