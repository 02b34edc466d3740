package dev.patchwatch.topology;

import dev.patchwatch.avro.ScanStatus;

/**
 * The order that decides which event is a host's latest (DESIGN sections 3 and 7.2): observedAt,
 * then status rank (VULNERABLE 3 > MITIGATED 2 > PATCHED 1 > UNREACHABLE 0), then scanner, then
 * eventId (absent sorts as empty), texts by Unicode code point.
 */
final class EventOrder {

  private EventOrder() {}

  static int rank(ScanStatus status) {
    return switch (status) {
      case VULNERABLE -> 3;
      case MITIGATED -> 2;
      case PATCHED -> 1;
      case UNREACHABLE -> 0;
    };
  }

  static int compare(
      long observedAtA,
      ScanStatus statusA,
      String scannerA,
      String eventIdA,
      long observedAtB,
      ScanStatus statusB,
      String scannerB,
      String eventIdB) {
    int c = Long.compare(observedAtA, observedAtB);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(rank(statusA), rank(statusB));
    if (c != 0) {
      return c;
    }
    c = compareCodePoints(scannerA, scannerB);
    if (c != 0) {
      return c;
    }
    return compareCodePoints(eventIdA == null ? "" : eventIdA, eventIdB == null ? "" : eventIdB);
  }

  /**
   * String.compareTo orders UTF-16 units, which differs from code points only where a surrogate (a
   * code point above U+FFFF) meets a unit at or above U+E000; only that case needs care.
   */
  static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        boolean sa = Character.isSurrogate(ca);
        boolean sb = Character.isSurrogate(cb);
        if (sa == sb) {
          return Character.compare(ca, cb);
        }
        return sa ? 1 : -1;
      }
    }
    return Integer.compare(a.length(), b.length());
  }
}
