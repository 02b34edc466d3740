package dev.patchwatch.scanner.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Decodes UTF-8 strictly and delivers every character before the first bad byte, then fails with a
 * {@link NotUtf8Exception} naming the byte's offset. Hand-written because {@link
 * java.io.InputStreamReader} drops the characters it decoded in the same call as a bad byte, and
 * the JDK's XML parser, decoding by itself, also prints the error to stderr; a reader of a damaged
 * file should still get every record before the damage. Does not close the stream: its caller owns
 * it.
 */
final class StrictUtf8Reader extends Reader {

  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(1 << 14).flip();
  private final CharBuffer chars = CharBuffer.allocate(1 << 14).flip();

  /** Bytes decoded so far: the offset of {@code bytes.position()} in the stream. */
  private long offset;

  private boolean end;
  private NotUtf8Exception failure;

  StrictUtf8Reader(InputStream in) {
    this.in = Objects.requireNonNull(in, "in");
  }

  @Override
  public int read(char[] buffer, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, buffer.length);
    if (len == 0) {
      return 0;
    }
    while (!chars.hasRemaining()) {
      if (failure != null) {
        throw failure;
      }
      if (!decodeMore()) {
        return -1;
      }
    }
    int n = Math.min(len, chars.remaining());
    chars.get(buffer, off, n);
    return n;
  }

  /** Refills the empty {@code chars}; false at the end of the stream. */
  private boolean decodeMore() throws IOException {
    chars.clear();
    try {
      while (true) {
        int before = bytes.position();
        CoderResult result = decoder.decode(bytes, chars, end);
        offset += bytes.position() - before;
        if (result.isError()) {
          failure = new NotUtf8Exception("bytes that are not UTF-8 at byte offset " + offset);
          return true;
        }
        if (chars.position() > 0 || result.isOverflow()) {
          return true;
        }
        if (end) {
          return false;
        }
        fill();
      }
    } finally {
      chars.flip();
    }
  }

  private void fill() throws IOException {
    bytes.compact();
    int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
    if (n < 0) {
      end = true;
    } else {
      bytes.position(bytes.position() + n);
    }
    bytes.flip();
  }

  @Override
  public void close() {
    // the stream belongs to whoever passed it to InputFormat.read
  }

  /**
   * The input is not UTF-8: a problem of the content, not of the stream. Not a {@link
   * java.io.CharConversionException}, which the JDK's parser would print to stderr.
   */
  static final class NotUtf8Exception extends IOException {
    private static final long serialVersionUID = 1L;

    NotUtf8Exception(String message) {
      super(message);
    }
  }
}
