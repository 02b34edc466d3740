package dev.patchwatch.scanner.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into lines of raw bytes, so a line that is not valid UTF-8 can be rejected with
 * its bytes intact instead of being repaired by a decoder. Lines end at {@code \n}; a {@code \r}
 * before it is dropped; the last line needs no terminator, so a file ending in {@code \n} has no
 * empty last line, but every other empty line is a line. A UTF-8 byte order mark at the start of
 * the stream is dropped too (editors on Windows write one; RFC 8259 lets a parser ignore it).
 * Hand-written because readers that split lines also decode them.
 */
public final class Lines {

  private final InputStream in;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  private long number;

  public Lines(InputStream in) {
    this.in = in;
  }

  /** The next line without its terminator, or null at the end of the stream. */
  public byte[] next() throws IOException {
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

  /** The 1-based number of the line {@link #next()} returned last. */
  public long number() {
    return number;
  }

  private byte[] finish() {
    number++;
    byte[] bytes = line.toByteArray();
    int from = number == 1 && startsWithByteOrderMark(bytes) ? 3 : 0;
    int to =
        bytes.length > from && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return from == 0 && to == bytes.length ? bytes : Arrays.copyOfRange(bytes, from, to);
  }

  private static boolean startsWithByteOrderMark(byte[] bytes) {
    return bytes.length >= 3
        && bytes[0] == (byte) 0xEF
        && bytes[1] == (byte) 0xBB
        && bytes[2] == (byte) 0xBF;
  }
}
