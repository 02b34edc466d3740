package dev.patchwatch.topology;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;

/**
 * One host's state for one vulnerability on one UTC day: its slot in the DAILY window (from which
 * EXPOSURE windows are merged when they are counted) and its slots in that day's open HOURLY
 * windows. Stored as one small record per host-day under {@link #key}, so an event rewrites tens of
 * bytes, and a day's records leave together once no window reads them.
 *
 * <p>Value layout (version {@value #FORMAT}): format byte, the day slot, hour-slot count, then per
 * hour slot its hour of the day and the slot. A slot: scanner count (0: empty, nothing follows),
 * country (2 ASCII bytes), ASN (4 bytes, unsigned), the index of the scanner holding the latest
 * event, then per scanner in code-point order: name length and ASCII name, observedAt as
 * milliseconds after the day's start (4 bytes), status ordinal with bit 7 set when compromised, and
 * the eventId's UTF-8 length (2 bytes, -1 when absent) and bytes. The contract keeps scanner,
 * country and vulnerability ASCII, the canonical IP too, and observedAt inside its day.
 */
final class HostDay {

  /**
   * Bumped whenever the layout changes: a record of a later format is refused, not misread. Format
   * 2 writes a slot's scanner count and latest index as varints (7 bits a byte, low first) where 1
   * wrote one signed byte, which stopped the task at the 128th scanner of a host-day; below 128 the
   * bytes are the same, so format 1 records are read as they are.
   */
  static final byte FORMAT = 2;

  private static final byte FIRST_FORMAT = 1;

  private static final ScanStatus[] STATUSES = ScanStatus.values();
  private static final int NO_EVENT_ID = -1;

  /** The DAILY slot; empty when only hours were open for this host's events. */
  final Slot day;

  /** Slots of HOURLY windows, each with its hour of the day (0 to 23). */
  final List<Slot> hours;

  private final long dayStart;

  HostDay(long dayStart) {
    this(dayStart, new Slot(-1), new ArrayList<>(1));
  }

  private HostDay(long dayStart, Slot day, List<Slot> hours) {
    this.dayStart = dayStart;
    this.day = day;
    this.hours = hours;
  }

  long dayStart() {
    return dayStart;
  }

  /** The slot of {@code hour}, created empty when missing. */
  Slot hour(int hour) {
    for (Slot slot : hours) {
      if (slot.hour == hour) {
        return slot;
      }
    }
    Slot slot = new Slot(hour);
    hours.add(slot);
    return slot;
  }

  /**
   * Store key: day number (4 bytes, sign bit flipped, so keys sort by day), vulnerability length (1
   * byte) and ASCII vulnerability, canonical IP in ASCII. Within a day, keys sort by host.
   */
  static byte[] key(long dayStart, String vulnerability, String ip) {
    int v = vulnerability.length();
    byte[] key = new byte[4 + 1 + v + ip.length()];
    putDay(key, dayStart);
    key[4] = (byte) v;
    ascii(vulnerability, key, 5);
    ascii(ip, key, 5 + v);
    return key;
  }

  /** The smallest key of any day at or after {@code dayStart}. */
  static byte[] firstKeyOf(long dayStart) {
    byte[] key = new byte[4];
    putDay(key, dayStart);
    return key;
  }

  /** A key greater than every key of a day at or before {@code dayStart}. */
  static byte[] lastKeyOf(long dayStart) {
    byte[] key = new byte[5];
    putDay(key, dayStart);
    key[4] = (byte) 0xFF;
    return key;
  }

  static long dayOf(byte[] key) {
    int day =
        ((key[0] & 0xFF) << 24 | (key[1] & 0xFF) << 16 | (key[2] & 0xFF) << 8 | key[3] & 0xFF);
    return (long) (day ^ Integer.MIN_VALUE) * Windowing.DAY_MS;
  }

  static String vulnerabilityOf(byte[] key) {
    return new String(key, 5, key[4], StandardCharsets.US_ASCII);
  }

  /**
   * The vulnerability of a key: {@code known} itself when the key names it, so a pass over many
   * hosts of one vulnerability makes no string per host.
   */
  static String vulnerabilityOf(byte[] key, String known) {
    int length = key[4];
    if (known == null || known.length() != length) {
      return vulnerabilityOf(key);
    }
    for (int i = 0; i < length; i++) {
      if (key[5 + i] != known.charAt(i)) {
        return vulnerabilityOf(key);
      }
    }
    return known;
  }

  /** The vulnerability of a key's host part (the key without its day, as host histories use). */
  static String vulnerabilityOfHost(byte[] hostKey) {
    return new String(hostKey, 1, hostKey[0], StandardCharsets.US_ASCII);
  }

  /**
   * Compares the host parts (vulnerability and IP) of two keys, whatever their days: records of one
   * host on several days compare equal.
   */
  static int compareHosts(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, 4, a.length, b, 4, b.length);
  }

  private static void putDay(byte[] key, long dayStart) {
    // Bounds far outside any event's day are clamped: only keys of real days are ever written.
    long number = Math.floorDiv(dayStart, Windowing.DAY_MS);
    int day =
        (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number)) ^ Integer.MIN_VALUE;
    key[0] = (byte) (day >>> 24);
    key[1] = (byte) (day >>> 16);
    key[2] = (byte) (day >>> 8);
    key[3] = (byte) day;
  }

  private static void ascii(String text, byte[] into, int at) {
    for (int i = 0; i < text.length(); i++) {
      into[at + i] = (byte) text.charAt(i);
    }
  }

  /** Writes a non-negative int in 7-bit groups, low first; one byte below 128. */
  static void putVarint(ByteBuffer out, int value) {
    int v = value;
    while ((v & ~0x7F) != 0) {
      out.put((byte) (v & 0x7F | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  static int getVarint(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.get();
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new SerializationException("varint longer than 5 bytes");
  }

  static int varintSize(int value) {
    int size = 1;
    for (int v = value >>> 7; v != 0; v >>>= 7) {
      size++;
    }
    return size;
  }

  /** Drops the hour slots that {@code keep} no longer wants (their windows have closed). */
  void pruneHours(java.util.function.IntPredicate keep) {
    hours.removeIf(slot -> slot.isEmpty() || !keep.test(slot.hour));
  }

  boolean isEmpty() {
    return day.isEmpty() && hours.isEmpty();
  }

  byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(size());
    out.put(FORMAT);
    day.encode(out, dayStart);
    out.put((byte) hours.size());
    for (Slot slot : hours) {
      out.put((byte) slot.hour);
      slot.encode(out, dayStart);
    }
    return out.array();
  }

  private int size() {
    int size = 2 + day.size();
    for (Slot slot : hours) {
      size += 1 + slot.size();
    }
    return size;
  }

  static HostDay decode(byte[] value, long dayStart) {
    try {
      ByteBuffer in = ByteBuffer.wrap(value);
      byte format = in.get();
      if (format != FORMAT && format != FIRST_FORMAT) {
        throw new SerializationException(
            "host-day record in unknown format "
                + value[0]
                + " (this version reads "
                + FORMAT
                + ")");
      }
      Slot day = Slot.decode(in, -1, dayStart);
      int n = in.get();
      List<Slot> hours = new ArrayList<>(Math.max(n, 1));
      for (int i = 0; i < n; i++) {
        int hour = in.get();
        hours.add(Slot.decode(in, hour, dayStart));
      }
      return new HostDay(dayStart, day, hours);
    } catch (RuntimeException e) {
      if (e instanceof SerializationException) {
        throw e;
      }
      throw new SerializationException("cannot decode a host-day record", e);
    }
  }

  /**
   * The DAILY slot of stored records as the passes over closed days read it (EXPOSURE windows, the
   * decisions of each day): its values as ids in arrays reused from record to record, no object per
   * record. Also what an EXPOSURE window merges those slots into.
   */
  static final class DayView {
    /** Scanners in the slot; 0 when it is empty. */
    int size;

    /** The scanner holding the latest event of all, which gives the status, country and ASN. */
    int latest;

    int country;
    long asn;
    int asnId;
    int[] scanner = new int[4];
    ScanStatus[] status = new ScanStatus[4];
    boolean[] compromised = new boolean[4];

    // While merging: the position + 1 of each scanner id in this view, valid where stamped.
    private int[] position = new int[0];
    private int[] stampOf = new int[0];
    private int stamp;

    boolean isEmpty() {
      return size == 0;
    }

    ScanStatus status() {
      return status[latest];
    }

    /** Whether any event in the slot said compromised. */
    boolean compromised() {
      for (int i = 0; i < size; i++) {
        if (compromised[i]) {
          return true;
        }
      }
      return false;
    }

    /**
     * Reads the DAILY slot of a stored host-day record (the layout of {@link Slot#encode}); false
     * when it is empty.
     */
    boolean read(byte[] value, DimensionIds ids) {
      if (value[0] != FORMAT && value[0] != FIRST_FORMAT) {
        throw new SerializationException("host-day record in unknown format " + value[0]);
      }
      try {
        ByteBuffer in = ByteBuffer.wrap(value, 1, value.length - 1);
        int n = getVarint(in);
        size = 0;
        if (n == 0) {
          return false;
        }
        country = ids.country(in.get(), in.get());
        asn = Integer.toUnsignedLong(in.getInt());
        asnId = ids.asn(asn);
        latest = getVarint(in);
        if (latest >= n) {
          throw new SerializationException(
              "host-day record names scanner " + latest + " of " + n + " as its latest");
        }
        ensure(n);
        for (int i = 0; i < n; i++) {
          int length = in.get();
          scanner[i] = ids.scanner(value, in.position(), length);
          int flags = in.get(in.position() + length + 4);
          status[i] = STATUSES[flags & 0x7F];
          compromised[i] = (flags & 0x80) != 0;
          in.position(in.position() + length + 5);
          int idLength = in.getShort();
          if (idLength != NO_EVENT_ID) {
            in.position(in.position() + idLength);
          }
        }
        size = n;
        return true;
      } catch (RuntimeException e) {
        if (e instanceof SerializationException) {
          throw e;
        }
        throw new SerializationException("cannot decode a host-day record", e);
      }
    }

    /** Empties the view, to merge the days of a window into it, the latest first. */
    void clear() {
      size = 0;
      stamp++;
    }

    /**
     * Merges in a day earlier than every day merged since {@link #clear} (DESIGN section 3: a
     * host's view in an EXPOSURE window is its latest event there, each scanner's latest, and
     * compromised if any event was). Events of different days never tie, so the latest day gives
     * the status, country and ASN, each scanner's latest day its status, and compromise sticks from
     * any day.
     */
    void mergeEarlier(DayView day) {
      if (day.size == 0) {
        return;
      }
      if (size == 0) {
        country = day.country;
        asn = day.asn;
        asnId = day.asnId;
        latest = day.latest;
      }
      for (int i = 0; i < day.size; i++) {
        int id = day.scanner[i];
        if (id >= stampOf.length) {
          int length = Math.max(id + 1, 2 * stampOf.length);
          position = Arrays.copyOf(position, length);
          stampOf = Arrays.copyOf(stampOf, length);
        }
        if (stampOf[id] == stamp) {
          compromised[position[id] - 1] |= day.compromised[i];
        } else {
          ensure(size + 1);
          scanner[size] = id;
          status[size] = day.status[i];
          compromised[size] = day.compromised[i];
          stampOf[id] = stamp;
          position[id] = ++size;
        }
      }
    }

    private void ensure(int n) {
      if (scanner.length < n) {
        int length = Math.max(n, 2 * scanner.length);
        scanner = Arrays.copyOf(scanner, length);
        status = Arrays.copyOf(status, length);
        compromised = Arrays.copyOf(compromised, length);
      }
    }
  }

  /**
   * One scanner's latest event for the host in a slot, and whether any of its events there said
   * compromised.
   */
  static final class Seen {
    final String scanner;
    long observedAt;
    ScanStatus status;
    String eventId;
    boolean compromised;

    Seen(String scanner, long observedAt, ScanStatus status, String eventId, boolean compromised) {
      this.scanner = scanner;
      this.observedAt = observedAt;
      this.status = status;
      this.eventId = eventId;
      this.compromised = compromised;
    }

    /** Whether this event is strictly later than {@code other} in the contract's order. */
    boolean laterThan(Seen other) {
      return EventOrder.compare(
              observedAt,
              status,
              scanner,
              eventId,
              other.observedAt,
              other.status,
              other.scanner,
              other.eventId)
          > 0;
    }
  }

  /**
   * A host in one window: each scanner's latest event (sorted by scanner), which of them is the
   * latest of all, and the country and ASN of that latest event.
   */
  static final class Slot {
    final int hour;
    final List<Seen> scanners;
    String country;
    long asn;
    int latest = -1;

    Slot(int hour) {
      this(hour, new ArrayList<>(1));
    }

    private Slot(int hour, List<Seen> scanners) {
      this.hour = hour;
      this.scanners = scanners;
    }

    boolean isEmpty() {
      return scanners.isEmpty();
    }

    Seen latest() {
      return scanners.get(latest);
    }

    ScanStatus status() {
      return latest().status;
    }

    /** Whether any event in the slot said compromised. */
    boolean compromised() {
      for (Seen s : scanners) {
        if (s.compromised) {
          return true;
        }
      }
      return false;
    }

    /** Whether {@link #apply} would change anything: a resent duplicate changes nothing. */
    boolean changedBy(ScanEvent e, long observedAt) {
      int at = indexOf(e.getScanner());
      if (at < 0) {
        return true;
      }
      Seen old = scanners.get(at);
      return (e.getCompromised() && !old.compromised) || laterThan(e, observedAt, old);
    }

    /** The event applied: its scanner's latest if strictly later, compromise sticks. */
    void apply(ScanEvent e, long observedAt) {
      String scanner = e.getScanner();
      int at = indexOf(scanner);
      Seen seen;
      if (at < 0) {
        at = -at - 1;
        seen = new Seen(scanner, observedAt, e.getStatus(), e.getEventId(), e.getCompromised());
        scanners.add(at, seen);
        if (latest >= at) {
          latest++;
        }
      } else {
        seen = scanners.get(at);
        seen.compromised |= e.getCompromised();
        if (!laterThan(e, observedAt, seen)) {
          return;
        }
        seen.observedAt = observedAt;
        seen.status = e.getStatus();
        seen.eventId = e.getEventId();
      }
      if (latest < 0 || seen == scanners.get(latest) || seen.laterThan(scanners.get(latest))) {
        latest = at;
        country = e.getCountry();
        asn = e.getAsn();
      }
    }

    private static boolean laterThan(ScanEvent e, long observedAt, Seen old) {
      return EventOrder.compare(
              observedAt,
              e.getStatus(),
              e.getScanner(),
              e.getEventId(),
              old.observedAt,
              old.status,
              old.scanner,
              old.eventId)
          > 0;
    }

    /** The index of {@code scanner}, or {@code -(insertion point) - 1}. */
    private int indexOf(String scanner) {
      for (int i = 0; i < scanners.size(); i++) {
        int c = EventOrder.compareCodePoints(scanners.get(i).scanner, scanner);
        if (c == 0) {
          return i;
        }
        if (c > 0) {
          return -i - 1;
        }
      }
      return -scanners.size() - 1;
    }

    private int size() {
      if (scanners.isEmpty()) {
        return 1;
      }
      int size = varintSize(scanners.size()) + 2 + 4 + varintSize(latest);
      for (Seen s : scanners) {
        size += 1 + s.scanner.length() + 4 + 1 + 2;
        if (s.eventId != null) {
          size += utf8Length(s.eventId);
        }
      }
      return size;
    }

    private void encode(ByteBuffer out, long base) {
      putVarint(out, scanners.size());
      if (scanners.isEmpty()) {
        return;
      }
      out.put((byte) country.charAt(0)).put((byte) country.charAt(1));
      out.putInt((int) asn);
      putVarint(out, latest);
      for (Seen s : scanners) {
        out.put((byte) s.scanner.length());
        for (int i = 0; i < s.scanner.length(); i++) {
          out.put((byte) s.scanner.charAt(i));
        }
        out.putInt(Math.toIntExact(s.observedAt - base));
        out.put((byte) (s.status.ordinal() | (s.compromised ? 0x80 : 0)));
        if (s.eventId == null) {
          out.putShort((short) NO_EVENT_ID);
        } else {
          byte[] id = s.eventId.getBytes(StandardCharsets.UTF_8);
          out.putShort((short) id.length);
          out.put(id);
        }
      }
    }

    private static Slot decode(ByteBuffer in, int hour, long base) {
      int n = getVarint(in);
      Slot slot = new Slot(hour, new ArrayList<>(Math.max(n, 1)));
      if (n == 0) {
        return slot;
      }
      slot.country = new String(new byte[] {in.get(), in.get()}, StandardCharsets.US_ASCII);
      slot.asn = Integer.toUnsignedLong(in.getInt());
      slot.latest = getVarint(in);
      for (int i = 0; i < n; i++) {
        byte[] name = new byte[in.get()];
        in.get(name);
        long observedAt = base + in.getInt();
        int flags = in.get();
        int idLength = in.getShort();
        String eventId = null;
        if (idLength != NO_EVENT_ID) {
          byte[] id = new byte[idLength];
          in.get(id);
          eventId = new String(id, StandardCharsets.UTF_8);
        }
        slot.scanners.add(
            new Seen(
                new String(name, StandardCharsets.US_ASCII),
                observedAt,
                STATUSES[flags & 0x7F],
                eventId,
                (flags & 0x80) != 0));
      }
      return slot;
    }

    private static int utf8Length(String text) {
      int bytes = 0;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < 0x80) {
          bytes++;
        } else if (c < 0x800) {
          bytes += 2;
        } else if (Character.isHighSurrogate(c)) {
          bytes += 4;
          i++;
        } else {
          bytes += 3;
        }
      }
      return bytes;
    }
  }
}
