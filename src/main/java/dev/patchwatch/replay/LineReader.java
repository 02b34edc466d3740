package dev.patchwatch.replay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into lines of raw bytes, so a line that is not valid UTF-8 can be rejected
 * with its bytes intact instead of being silently repaired by a decoder. A final {@code \r} is
 * dropped; the last line needs no terminator.
 */
final class LineReader {

  private final InputStream in;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;

  LineReader(InputStream in) {
    this.in = in;
  }

  /** The next line without its terminator, or null at the end of the stream. */
  byte[] next() throws IOException {
    line.reset();
    boolean any = false;
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          return any ? finish() : null;
        }
      }
      any = true;
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      line.write(buffer, start, position - start);
      if (position < limit) {
        position++;
        return finish();
      }
    }
  }

  private byte[] finish() {
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      byte[] trimmed = new byte[length - 1];
      System.arraycopy(bytes, 0, trimmed, 0, length - 1);
      return trimmed;
    }
    return bytes;
  }
}
