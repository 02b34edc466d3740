package dev.patchwatch.query;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The daily exposure curve of one vulnerability, built from EXPOSURE finals: one row per window,
 * dated by the midnight it ends at (the population as of that date). Finals of one window arrive
 * from several partitions in any order: a row is given once the previous day's was and both its
 * GLOBAL and its country record are in. A country with no host in a window has no record there:
 * {@link #flush()} gives the rows still waiting, with 0 for the country, once nothing more can
 * come.
 */
public final class ExposureCurve {

  /**
   * One day of the curve.
   *
   * @param exposed hosts whose latest state in the look-back was VULNERABLE
   * @param weekOverWeek relative change from 7 days before, null when that day is unknown or 0
   * @param countryExposed the same for the tracked country
   */
  public record Row(
      LocalDate date,
      long exposed,
      Double remediatedRatio,
      Double weekOverWeek,
      long countryExposed) {}

  private final String vulnerability;
  private final String country;
  private final TreeMap<LocalDate, RemediationCount> global = new TreeMap<>();
  private final Map<LocalDate, Long> countryExposed = new HashMap<>();
  private final Map<LocalDate, Long> exposedByDate = new HashMap<>();
  private final boolean firstKnown;
  private LocalDate last;

  public ExposureCurve(String vulnerability, String country) {
    this.vulnerability = vulnerability;
    this.country = country;
    this.firstKnown = false;
  }

  /**
   * A curve whose first row is {@code first} and which has a window every day after it: rows are
   * given strictly day after day, never skipping one that has not come yet (finals of several days
   * can arrive at once, from several partitions, in any order).
   */
  public ExposureCurve(String vulnerability, String country, LocalDate first) {
    this.vulnerability = vulnerability;
    this.country = country;
    this.firstKnown = true;
    this.last = first.minusDays(1);
  }

  /** Takes one final of any topic; returns the rows it completes, oldest first. */
  public List<Row> accept(RemediationCount count) {
    if (count.getGranularity() != Granularity.EXPOSURE
        || !count.getVulnerability().equals(vulnerability)) {
      return List.of();
    }
    LocalDate date = LocalDate.ofInstant(count.getWindowEnd(), ZoneOffset.UTC);
    if (firstKnown && !date.isAfter(last)) {
      return List.of();
    }
    if (count.getDimension() == Dimension.GLOBAL) {
      global.put(date, count);
    } else if (count.getDimension() == Dimension.COUNTRY && count.getValue().equals(country)) {
      countryExposed.put(date, count.getVulnerable());
    }
    return drain(false);
  }

  /** The rows still waiting, their country's count 0 where it never came; oldest first. */
  public List<Row> flush() {
    return drain(true);
  }

  /** The exposed count of a row already given, dated by its window's end; null otherwise. */
  public Long exposedAt(LocalDate date) {
    return exposedByDate.get(date);
  }

  /**
   * The relative change of {@code exposed} from {@code weekBefore}, the count 7 days earlier: null
   * when that day is unknown or 0.
   */
  public static Double weekOverWeek(long exposed, Long weekBefore) {
    return weekBefore == null || weekBefore == 0 ? null : (double) exposed / weekBefore - 1;
  }

  private List<Row> drain(boolean all) {
    List<Row> rows = new ArrayList<>();
    while (!global.isEmpty()) {
      LocalDate date = global.firstKey();
      // Rows come in date order: a day waits for the day before it, unless two later days are
      // already in (that day had no window at all).
      boolean inOrder =
          last == null
              || date.equals(last.plusDays(1))
              || !firstKnown && global.ceilingKey(date.plusDays(2)) != null;
      boolean complete = all || (inOrder && countryExposed.containsKey(date));
      if (!complete) {
        break;
      }
      RemediationCount g = global.pollFirstEntry().getValue();
      last = date;
      exposedByDate.put(date, g.getVulnerable());
      Double wow = weekOverWeek(g.getVulnerable(), exposedByDate.get(date.minusDays(7)));
      rows.add(
          new Row(
              date,
              g.getVulnerable(),
              g.getRemediatedRatio(),
              wow,
              countryExposed.getOrDefault(date, 0L)));
    }
    return rows;
  }
}
