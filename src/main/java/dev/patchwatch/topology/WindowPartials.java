package dev.patchwatch.topology;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One partition's counts for one open window, kept up to date event by event, with the keys changed
 * since they were last sent downstream.
 */
final class WindowPartials {

  /** An aggregate key within a window. */
  record Key(String vulnerability, Dimension dimension, String value) {}

  private static final String ALL = "ALL";

  final Granularity granularity;
  final long windowStart;
  private final Map<Key, Counts> counts = new HashMap<>();
  private final Set<Key> dirty = new HashSet<>();

  WindowPartials(Granularity granularity, long windowStart) {
    this.granularity = granularity;
    this.windowStart = windowStart;
  }

  /**
   * Adds ({@code sign} 1) or removes ({@code sign} -1) a host's contribution to every dimension.
   */
  void add(String vulnerability, HostView view, int sign) {
    count(new Key(vulnerability, Dimension.GLOBAL, ALL), view, sign);
    count(new Key(vulnerability, Dimension.COUNTRY, view.country()), view, sign);
    count(new Key(vulnerability, Dimension.ASN, Long.toString(view.asn())), view, sign);
    for (HostView.ScannerView s : view.scanners()) {
      Key key = new Key(vulnerability, Dimension.SCANNER, s.scanner());
      counts.computeIfAbsent(key, k -> new Counts()).add(s.status(), s.compromised(), sign);
      dirty.add(key);
    }
  }

  private void count(Key key, HostView view, int sign) {
    counts.computeIfAbsent(key, k -> new Counts()).add(view.status(), view.compromised(), sign);
    dirty.add(key);
  }

  /** Makes sure {@code key} is sent at the next drain, as zero if no host holds it. */
  void touch(Key key) {
    counts.computeIfAbsent(key, k -> new Counts());
    dirty.add(key);
  }

  /**
   * Hands every key changed since the last drain to {@code sink}, zero counts included so the
   * receiver forgets them, then drops the keys that no host holds any more.
   */
  void drainDirty(BiConsumer<Key, Counts> sink) {
    for (Key key : dirty) {
      Counts c = counts.get(key);
      sink.accept(key, c);
      if (c.hosts == 0) {
        counts.remove(key);
      }
    }
    dirty.clear();
  }
}
