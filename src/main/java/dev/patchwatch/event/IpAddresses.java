package dev.patchwatch.event;

import java.util.Optional;

/**
 * Canonical text of IP literals: IPv4 as a dotted quad, IPv6 in RFC 5952 form, and an IPv4-mapped
 * IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 host it stands for.
 *
 * <p>Parsed by hand because {@code InetAddress.getByName} resolves anything that is not a literal
 * through DNS (and accepts spellings such as zone ids and {@code 127.1} that the contract rejects).
 */
public final class IpAddresses {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private IpAddresses() {}

  /** Canonical form of an IP literal, or empty if it is not one. Never uses DNS. */
  public static Optional<String> canonical(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    if (text.indexOf(':') < 0) {
      // a strict dotted quad has no leading zeros, so it is already canonical
      return ipv4(text, 0, text.length()) >= 0 ? Optional.of(text) : Optional.empty();
    }
    int[] groups = new int[8];
    return ipv6(text, groups) ? Optional.of(format(groups)) : Optional.empty();
  }

  /** The value of a dotted quad spanning exactly {@code s[from, to)}, or -1 if it is not one. */
  private static long ipv4(String s, int from, int to) {
    long value = 0;
    int parts = 0;
    int i = from;
    while (true) {
      if (i >= to) {
        return -1;
      }
      char c = s.charAt(i++);
      if (c < '0' || c > '9') {
        return -1;
      }
      int part = c - '0';
      while (i < to && (c = s.charAt(i)) >= '0' && c <= '9') {
        if (part == 0) {
          // a leading zero reads as octal in some parsers: refuse the ambiguity
          return -1;
        }
        part = part * 10 + (c - '0');
        if (part > 255) {
          return -1;
        }
        i++;
      }
      value = (value << 8) | part;
      if (++parts == 4) {
        return i == to ? value : -1;
      }
      if (i >= to || s.charAt(i) != '.') {
        return -1;
      }
      i++;
    }
  }

  /**
   * Parses an IPv6 literal into its eight 16-bit groups; false if it is not one. One method: a
   * single pass whose state (position, group count, where "::" stands) every step shares.
   */
  private static boolean ipv6(String s, int[] groups) {
    int n = s.length();
    int count = 0;
    int gap = -1; // index of the first group that "::" stands for
    int i = 0;
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
    } else if (s.charAt(0) == ':') {
      return false;
    }
    while (i < n) {
      int start = i;
      int value = 0;
      int digit;
      while (i < n && i - start < 4 && (digit = hexValue(s.charAt(i))) >= 0) {
        value = (value << 4) | digit;
        i++;
      }
      if (i < n && s.charAt(i) == '.') {
        // embedded IPv4: the last 32 bits, and nothing may follow it
        if (count > 6) {
          return false;
        }
        long v4 = ipv4(s, start, n);
        if (v4 < 0) {
          return false;
        }
        groups[count++] = (int) (v4 >>> 16);
        groups[count++] = (int) (v4 & 0xffff);
        break;
      }
      if (i == start || count == 8) {
        return false;
      }
      groups[count++] = value;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':') {
        return false;
      }
      i++;
      if (i < n && s.charAt(i) == ':') {
        if (gap >= 0) {
          return false;
        }
        gap = count;
        i++;
      } else if (i == n) {
        return false;
      }
    }
    if (gap < 0) {
      return count == 8;
    }
    if (count == 8) {
      // "::" stands for at least one zero group
      return false;
    }
    int tail = count - gap;
    System.arraycopy(groups, gap, groups, 8 - tail, tail);
    for (int k = gap; k < 8 - tail; k++) {
      groups[k] = 0;
    }
    return true;
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String format(int[] g) {
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
      return new StringBuilder(15)
          .append(g[6] >>> 8)
          .append('.')
          .append(g[6] & 0xff)
          .append('.')
          .append(g[7] >>> 8)
          .append('.')
          .append(g[7] & 0xff)
          .toString();
    }
    // RFC 5952 4.2: compress the longest run of two or more zero groups, the first on a tie
    int runStart = -1;
    int runLength = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > runLength) {
        runStart = i;
        runLength = j - i;
      }
      i = j;
    }
    StringBuilder b = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == runStart) {
        b.append("::");
        i += runLength - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      appendHex(b, g[i]);
    }
    return b.toString();
  }

  private static void appendHex(StringBuilder b, int group) {
    boolean started = false;
    for (int shift = 12; shift > 0; shift -= 4) {
      int nibble = (group >>> shift) & 0xf;
      if (nibble != 0 || started) {
        b.append(HEX[nibble]);
        started = true;
      }
    }
    b.append(HEX[group & 0xf]);
  }
}
