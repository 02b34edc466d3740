package dev.patchwatch.replay;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The name of a reprocessing run, which names its application id ({@code
 * <application.id>-run-<id>}) and its output topics ({@code <prefix>.run-<id>.counts.daily} and so
 * on).
 *
 * @param value letters, digits, {@code -} and {@code _}, at most 40, starting with a letter or a
 *     digit; no dot, so a topic name tells its run apart from the topic's own name
 */
public record RunId(String value) {

  private static final DateTimeFormatter GENERATED =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  public RunId {
    Objects.requireNonNull(value, "value");
    if (!value.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,39}")) {
      throw new IllegalArgumentException(
          "a run id is 1 to 40 letters, digits, - or _, starting with a letter or digit, got \""
              + value
              + "\"");
    }
  }

  /** From the time the run is started: {@code 20210308-141500}, in UTC. */
  public static RunId generate(Clock clock) {
    return new RunId(GENERATED.format(clock.instant()));
  }

  public String applicationId(String liveApplicationId) {
    return liveApplicationId + "-run-" + value;
  }

  public String topicPrefix(String livePrefix) {
    return livePrefix + ".run-" + value;
  }

  /** The run whose output topic {@code topic} is, if it is one under {@code livePrefix}. */
  public static Optional<RunId> ofTopic(String livePrefix, String topic) {
    String start = livePrefix + ".run-";
    if (!topic.startsWith(start)) {
      return Optional.empty();
    }
    int dot = topic.indexOf('.', start.length());
    if (dot < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(new RunId(topic.substring(start.length(), dot)));
    } catch (IllegalArgumentException notARun) {
      return Optional.empty();
    }
  }

  /**
   * The run whose application (consumer group) {@code groupId} is, if it is one of the live one's.
   */
  public static Optional<RunId> ofApplicationId(String liveApplicationId, String groupId) {
    String start = liveApplicationId + "-run-";
    if (!groupId.startsWith(start)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new RunId(groupId.substring(start.length())));
    } catch (IllegalArgumentException notARun) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
