package dev.patchwatch.scanner.format;

import dev.patchwatch.event.Messages;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decoding input and writing the one-line messages of rejections. */
final class Text {

  private Text() {}

  /**
   * {@code bytes} as UTF-8, or null if they are not valid UTF-8: a decoder that replaced bad bytes
   * would silently change what the scanner wrote.
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
    return Messages.quote(s);
  }

  /** Text that is not user-quoted (parser messages), on one line and cut to about 80 characters. */
  static String clip(String s) {
    return Messages.clip(s).strip();
  }
}
