package dev.patchwatch.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Compares finals record for record and, when they differ, names only the records that differ. */
public final class FinalsAssert {

  private FinalsAssert() {}

  /**
   * The count records among the lines of a {@code replay} output file: those with no {@code kind}
   * (transitions and cohort points have one, DESIGN section 7.9).
   */
  public static List<String> countLines(List<String> lines) {
    return lines.stream().filter(line -> !line.startsWith("{\"kind\":")).toList();
  }

  /** {@code actual} must equal {@code expected}: same records, same order, none twice. */
  public static <T> void assertSameFinals(List<T> actual, List<T> expected) {
    // How many more times each record was published than expected (negative: missing).
    Map<String, Integer> surplus = new TreeMap<>();
    actual.forEach(a -> surplus.merge(String.valueOf(a), 1, Integer::sum));
    expected.forEach(e -> surplus.merge(String.valueOf(e), -1, Integer::sum));
    surplus.values().removeIf(n -> n == 0);
    assertThat(surplus)
        .as(
            "records published more (+) or fewer (-) times than expected, of %d expected",
            expected.size())
        .isEmpty();
    assertThat(actual).as("same finals in the same order").containsExactlyElementsOf(expected);
  }
}
