package dev.patchwatch.scanner.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a stream into CSV records as RFC 4180 defines them: comma-separated cells, a cell in
 * double quotes may hold commas, line breaks and doubled quotes. Records end at {@code \n} or
 * {@code \r\n} outside quotes.
 *
 * <p>Hand-written rather than Jackson's CSV parser because a rejection must carry the record's raw
 * bytes and first line number, and a record that is not UTF-8 or badly quoted must be reported on
 * its own while the rest is read; Jackson exposes neither raw bytes nor such recovery. It works on
 * bytes: the delimiters are ASCII, which never occurs inside a UTF-8 multi-byte sequence.
 *
 * <p>Leniencies, as in most CSV readers: a quote inside an unquoted cell is kept as a character. A
 * quoted cell left open runs to the end of the file, as the RFC says, and that whole rest is then
 * reported as one bad record starting where the quote opened.
 */
final class CsvRecords {

  /**
   * One record.
   *
   * @param line 1-based line number where the record starts
   * @param original the record's bytes without its terminator
   * @param cells the cells' text, unquoted; empty if {@code problem} is set
   * @param problem why the record cannot be read, or null
   */
  record Row(long line, byte[] original, List<String> cells, String problem) {}

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private static final int FIELD_START = 0;
  private static final int UNQUOTED = 1;
  private static final int QUOTED = 2;

  /** In a quoted cell, just after a quote: the cell ends or the quote was the first of a pair. */
  private static final int QUOTE_SEEN = 3;

  private final PushbackInputStream in;
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  private long line = 1;
  private boolean first = true;

  private final ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
  private final ByteArrayOutputStream cell = new ByteArrayOutputStream(128);

  CsvRecords(InputStream in) {
    this.in = new PushbackInputStream(in, BOM.length);
  }

  /** The next record, or null at the end of the stream. */
  Row next() throws IOException {
    if (first) {
      first = false;
      skipBom();
    }
    if (peek() < 0) {
      return null;
    }
    long start = line;
    raw.reset();
    cell.reset();
    List<byte[]> cells = new ArrayList<>();
    String problem = null;
    int state = FIELD_START;
    long quoteLine = 0;
    int terminator = 0;
    // over 60 lines on purpose: every transition of the state machine stays in this one loop
    while (true) {
      int c = read();
      if (c < 0) {
        if (state == QUOTED && problem == null) {
          problem =
              "quoted cell "
                  + (cells.size() + 1)
                  + " opened on line "
                  + quoteLine
                  + " is never closed";
        }
        break;
      }
      raw.write(c);
      if (c == '\n') {
        line++;
      }
      if (state == QUOTED) {
        if (c == '"') {
          state = QUOTE_SEEN;
        } else {
          cell.write(c);
        }
        continue;
      }
      terminator = terminator(c);
      if (terminator > 0) {
        break;
      }
      if (c == ',') {
        cells.add(cell.toByteArray());
        cell.reset();
        state = FIELD_START;
      } else if (state == FIELD_START && c == '"') {
        state = QUOTED;
        quoteLine = line;
      } else if (state == QUOTE_SEEN && c == '"') {
        cell.write('"');
        state = QUOTED;
      } else {
        if (state == QUOTE_SEEN && problem == null) {
          problem = "cell " + (cells.size() + 1) + " has text after its closing quote";
        }
        cell.write(c);
        state = UNQUOTED;
      }
    }
    cells.add(cell.toByteArray());
    return row(start, cells, problem, terminator);
  }

  /**
   * After {@code c}, outside quotes: the length of the record terminator it starts, its {@code \n}
   * read too, or 0 if it starts none.
   */
  private int terminator(int c) throws IOException {
    if (c == '\n') {
      return 1;
    }
    if (c == '\r' && peek() == '\n') {
      raw.write(read());
      line++;
      return 2;
    }
    return 0;
  }

  /** The record just read, its cells decoded from UTF-8; without cells if it has a problem. */
  private Row row(long start, List<byte[]> cells, String problem, int terminator) {
    byte[] bytes = raw.toByteArray();
    byte[] original = Arrays.copyOf(bytes, bytes.length - terminator);
    if (problem != null) {
      return new Row(start, original, List.of(), problem);
    }
    List<String> text = new ArrayList<>(cells.size());
    for (byte[] c : cells) {
      String decoded = Text.utf8(c);
      if (decoded == null) {
        boolean severalLines = line - start > (terminator > 0 ? 1 : 0);
        return new Row(
            start, original, List.of(), (severalLines ? "record" : "line") + " is not valid UTF-8");
      }
      text.add(decoded);
    }
    return new Row(start, original, text, null);
  }

  /** Spreadsheets start UTF-8 CSV files with a byte order mark; it belongs to no cell. */
  private void skipBom() throws IOException {
    byte[] head = in.readNBytes(BOM.length);
    if (!Arrays.equals(head, BOM)) {
      in.unread(head);
    }
  }

  private int peek() throws IOException {
    if (position == limit) {
      limit = in.read(buffer);
      position = 0;
      if (limit <= 0) {
        limit = 0;
        return -1;
      }
    }
    return buffer[position] & 0xff;
  }

  private int read() throws IOException {
    int c = peek();
    if (c >= 0) {
      position++;
    }
    return c;
  }

  /**
   * A cell holding a decimal integer (ASCII digits, optional leading minus), as a {@link Long} or,
   * beyond its range, a {@link BigInteger} so the contract can say it is out of range; otherwise
   * null.
   */
  static Number integer(String text) {
    int from = text.startsWith("-") ? 1 : 0;
    if (text.length() == from) {
      return null;
    }
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    BigInteger value = new BigInteger(text);
    return value.bitLength() < 64 ? (Number) value.longValue() : value;
  }

  /** Puts a number {@link #integer} returned as a JSON integer. */
  static void putInteger(ObjectNode event, String field, Number number) {
    if (number instanceof BigInteger big) {
      event.put(field, big);
    } else {
      event.put(field, number.longValue());
    }
  }

  /** "row has 3 cells, the header has 1 cell". */
  static String widthProblem(int cells, int headerCells) {
    return "row has " + count(cells) + ", the header has " + count(headerCells);
  }

  private static String count(int cells) {
    return cells == 1 ? "1 cell" : cells + " cells";
  }

  /** True if {@code text} is only ASCII digits, at least one. */
  static boolean isDigits(String text) {
    return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
