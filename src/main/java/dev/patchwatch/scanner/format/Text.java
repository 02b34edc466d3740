package dev.patchwatch.scanner.format;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decoding input and writing the one-line messages of rejections. */
final class Text {

  private static final int MAX_SHOWN = 80;

  private Text() {}

  /**
   * {@code bytes} as UTF-8, or null if they are not valid UTF-8: a decoder that replaced bad
   * bytes would silently change what the scanner wrote.
   */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** {@code s} in double quotes, control characters escaped, cut to about 80 characters. */
  static String quote(String s) {
    int end = Math.min(s.length(), MAX_SHOWN);
    if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    StringBuilder b = new StringBuilder(end + 24).append('"');
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
    if (end < s.length()) {
      b.append("... (").append(s.length()).append(" chars)");
    }
    return b.toString();
  }

  /** Text that is not user-quoted (parser messages), on one line and cut to about 80 characters. */
  static String clip(String s) {
    String flat = s.replaceAll("[\\s\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    return flat.length() <= MAX_SHOWN ? flat : flat.substring(0, MAX_SHOWN) + "...";
  }
}
