package dev.patchwatch.event;

import java.math.BigInteger;
import java.util.Map;

/**
 * Pieces of rejection messages, which users see as-is and which must stay on one line; shared with
 * the format adapters so every rejection quotes input the same way.
 */
public final class Messages {

  private static final int MAX_SHOWN = 80;

  private Messages() {}

  /** {@code s} in double quotes, control characters escaped, cut to about 80 characters. */
  public static String quote(String s) {
    int end = Math.min(s.length(), MAX_SHOWN);
    if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    StringBuilder b = new StringBuilder(end + 24).append('"');
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          // an unpaired surrogate is escaped too: a message must stay encodable as UTF-8
          if (c < 0x20
              || c == 0x7f
              || c == '\u2028'
              || c == '\u2029'
              || Character.isSurrogate(c) && !pairedAt(s, i)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
    if (end < s.length()) {
      b.append("... (").append(s.length()).append(" chars)");
    }
    return b.toString();
  }

  /** Whether the surrogate at {@code i} is half of a pair. */
  private static boolean pairedAt(String s, int i) {
    char c = s.charAt(i);
    return Character.isHighSurrogate(c)
        ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** What a JSON value read by {@link JsonFields} is, for "expected X, got Y". */
  static String describe(Object value) {
    if (value instanceof String s) {
      return "string " + quote(s);
    }
    if (value instanceof Long || value instanceof BigInteger) {
      return "number " + number(value);
    }
    if (value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof JsonFields.Other other) {
      return other.text() == null ? other.kind() : other.kind() + " " + clip(other.text());
    }
    if (value instanceof Map || value instanceof JsonFields.BadAttributes) {
      return "object";
    }
    return "value";
  }

  /** A JSON integer as written, cut if absurdly long. */
  static String number(Object value) {
    return clip(value.toString());
  }

  /** Text that is not user-quoted (numbers, parser messages), cut to about 80 characters. */
  public static String clip(String s) {
    String flat = s.replaceAll("[\\s\\p{Cntrl}\\u2028\\u2029]+", " ");
    return flat.length() <= MAX_SHOWN ? flat : flat.substring(0, MAX_SHOWN) + "...";
  }
}
