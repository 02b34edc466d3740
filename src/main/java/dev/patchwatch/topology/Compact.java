package dev.patchwatch.topology;

import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A growable byte array with the varints of the compact internal layouts ({@link SourceCounts},
 * {@link StageMessageSerde}): 7 bits a byte, low first; longs zig-zag encoded so a negative value
 * (which none of ours should be) is still written and read back as itself.
 */
final class Compact {

  /**
   * The format byte of the compact layouts; {@link InternalSerde}'s Avro records, which they
   * replace, start with 2, so a reader tells the two apart by the first byte.
   */
  static final byte FORMAT = 3;

  private byte[] bytes;
  private int size;

  Compact(int capacity) {
    this.bytes = new byte[Math.max(16, capacity)];
    this.bytes[0] = FORMAT;
    this.size = 1;
  }

  Compact putByte(int value) {
    ensure(1);
    bytes[size++] = (byte) value;
    return this;
  }

  Compact putBytes(byte[] value, int offset, int length) {
    ensure(length);
    System.arraycopy(value, offset, bytes, size, length);
    size += length;
    return this;
  }

  /** A non-negative int. */
  Compact putVarint(int value) {
    ensure(5);
    int v = value;
    while ((v & ~0x7F) != 0) {
      bytes[size++] = (byte) (v & 0x7F | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
    return this;
  }

  Compact putVarlong(long value) {
    ensure(10);
    long v = (value << 1) ^ (value >> 63);
    while ((v & ~0x7FL) != 0) {
      bytes[size++] = (byte) (v & 0x7F | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
    return this;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }

  /** Reads a compact record after its format byte; every read past the end is refused. */
  static final class Reader {
    private final byte[] bytes;
    private final String what;
    private int at;

    Reader(byte[] bytes, String what) {
      if (bytes.length == 0 || bytes[0] != FORMAT) {
        throw new SerializationException(
            what + " not in the compact format " + FORMAT + ": " + describe(bytes));
      }
      this.bytes = bytes;
      this.what = what;
      this.at = 1;
    }

    int getByte() {
      need(1);
      return bytes[at++];
    }

    byte[] getBytes(int length) {
      need(length);
      byte[] out = Arrays.copyOfRange(bytes, at, at + length);
      at += length;
      return out;
    }

    int getVarint() {
      int value = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = getByte();
        value |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (value < 0) {
            break;
          }
          return value;
        }
      }
      throw new SerializationException(what + ": bad length or count at byte " + at);
    }

    long getVarlong() {
      long v = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        long b = getByte();
        v |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return (v >>> 1) ^ -(v & 1);
        }
      }
      throw new SerializationException(what + ": varlong longer than 10 bytes at byte " + at);
    }

    /** Refuses bytes left over: a record that does not end where its layout does is damaged. */
    void end() {
      if (at != bytes.length) {
        throw new SerializationException(
            what + ": " + (bytes.length - at) + " bytes after the end of the record");
      }
    }

    private void need(int length) {
      if (length < 0 || length > bytes.length - at) {
        throw new SerializationException(
            what + " truncated: " + length + " more bytes needed at byte " + at);
      }
    }
  }

  private static String describe(byte[] bytes) {
    return bytes.length == 0 ? "(empty)" : "format byte " + bytes[0];
  }
}
