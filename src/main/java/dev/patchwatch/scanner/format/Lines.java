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
 *
 * <p>A line may be given a limit: of a longer line only the first bytes are kept (and returned),
 * the rest is counted and dropped, so one huge line never takes the memory it would need whole.
 */
public final class Lines {

  private final InputStream in;
  private final int limit;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int end;
  private long number;
  private long length;
  private byte last;

  /** Lines of any length. */
  public Lines(InputStream in) {
    this(in, Integer.MAX_VALUE - 16);
  }

  /**
   * @param limit the bytes kept of a line; see {@link #length()} for how long it really was
   */
  public Lines(InputStream in, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a line limit must be positive, got " + limit);
    }
    this.in = in;
    this.limit = limit;
  }

  /**
   * The next line without its terminator, or null at the end of the stream; for a line longer than
   * the limit, its first bytes only.
   */
  public byte[] next() throws IOException {
    line.reset();
    length = 0;
    boolean any = false;
    while (true) {
      if (position == end) {
        end = in.read(buffer);
        position = 0;
        if (end <= 0) {
          end = 0;
          return any ? finish() : null;
        }
      }
      any = true;
      int start = position;
      while (position < end && buffer[position] != '\n') {
        position++;
      }
      take(start, position);
      if (position < end) {
        position++;
        return finish();
      }
    }
  }

  /**
   * The full length in bytes of the line {@link #next()} returned last, without its terminator (nor
   * the dropped {@code \r} and byte order mark): more than the bytes returned if it was cut.
   */
  public long length() {
    return length;
  }

  /** The 1-based number of the line {@link #next()} returned last. */
  public long number() {
    return number;
  }

  private void take(int from, int to) {
    if (to > from) {
      length += to - from;
      last = buffer[to - 1];
      // a byte order mark is dropped, so it does not count against the first line's limit
      int room = limit + (number == 0 ? 3 : 0) - line.size();
      if (room > 0) {
        line.write(buffer, from, Math.min(room, to - from));
      }
    }
  }

  private byte[] finish() {
    number++;
    byte[] bytes = line.toByteArray();
    int from = number == 1 && startsWithByteOrderMark(bytes) ? 3 : 0;
    boolean cut = length > bytes.length;
    boolean carriageReturn = length > from && last == '\r';
    length -= from + (carriageReturn ? 1 : 0);
    int to = carriageReturn && !cut ? bytes.length - 1 : bytes.length;
    return from == 0 && to == bytes.length ? bytes : Arrays.copyOfRange(bytes, from, to);
  }

  private static boolean startsWithByteOrderMark(byte[] bytes) {
    return bytes.length >= 3
        && bytes[0] == (byte) 0xEF
        && bytes[1] == (byte) 0xBB
        && bytes[2] == (byte) 0xBF;
  }
}
