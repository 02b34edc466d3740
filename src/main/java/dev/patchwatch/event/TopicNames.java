package dev.patchwatch.event;

/**
 * The topic names of DESIGN section 4, the one place that spells them: {@code topology.Topics}
 * binds them to their serdes and configs, and the scanner SDK, which must not depend on the
 * topology, publishes to them by the same names.
 */
public final class TopicNames {

  private TopicNames() {}

  public static String scans(String prefix) {
    return prefix + ".scans";
  }

  public static String rejected(String prefix) {
    return prefix + ".rejected";
  }

  public static String countsHourly(String prefix) {
    return prefix + ".counts.hourly";
  }

  public static String countsDaily(String prefix) {
    return prefix + ".counts.daily";
  }

  public static String exposureDaily(String prefix) {
    return prefix + ".exposure.daily";
  }

  public static String countsLive(String prefix) {
    return prefix + ".counts.live";
  }

  public static String transitionsDaily(String prefix) {
    return prefix + ".transitions.daily";
  }

  public static String cohortsDaily(String prefix) {
    return prefix + ".cohorts.daily";
  }

  /** The compacted topic where every instance of an application reads each partition's progress. */
  public static String progress(String applicationId) {
    return applicationId + "-progress";
  }
}
