package dev.patchwatch.topology;

import static dev.patchwatch.topology.TopologyHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.avro.TransitionCount;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** DESIGN section 7.9 on one partition, with every expected value worked out by hand. */
class TransitionsAndCohortsTopologyTest {

  private static final String A = "192.0.2.1";
  private static final String B = "192.0.2.2";

  @Test
  void shouldCountRemediationRegressionAndCompromiseThatSurvivesPatching() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          event("s1", "2021-03-01T10:00:00Z", A, ScanStatus.VULNERABLE, "FR", 1),
          compromised(event("s1", "2021-03-01T11:00:00Z", B, ScanStatus.VULNERABLE, "DE", 2)),
          event("s1", "2021-03-02T10:00:00Z", A, ScanStatus.PATCHED, "FR", 1),
          // not compromised on the 2nd, but it was on the 1st: still owned
          event("s1", "2021-03-02T11:00:00Z", B, ScanStatus.PATCHED, "DE", 2),
          // A goes back: a restored backup
          event("s1", "2021-03-03T10:00:00Z", A, ScanStatus.VULNERABLE, "FR", 1),
          // 9 days after A's last day: outside the 7-day look-back, so no transition
          event("s1", "2021-03-12T10:00:00Z", A, ScanStatus.PATCHED, "FR", 1));
      h.watermark("2021-03-14T00:00:00Z"); // closes every day through 03-12 (2 h grace)

      Map<String, TransitionCount> t = transitions(h.transitions.readKeyValuesToList());
      assertThat(counts(t.get("2021-03-01 GLOBAL/ALL"))).containsExactly(2L, 0L, 0L, 1L, 0L);
      assertThat(counts(t.get("2021-03-02 GLOBAL/ALL"))).containsExactly(2L, 2L, 0L, 0L, 1L);
      assertThat(counts(t.get("2021-03-02 COUNTRY/DE"))).containsExactly(1L, 1L, 0L, 0L, 1L);
      assertThat(counts(t.get("2021-03-03 GLOBAL/ALL"))).containsExactly(1L, 0L, 1L, 0L, 0L);
      assertThat(counts(t.get("2021-03-12 GLOBAL/ALL"))).containsExactly(1L, 0L, 0L, 0L, 0L);
      assertThat(counts(t.get("2021-03-02 SCANNER/s1"))).containsExactly(2L, 2L, 0L, 0L, 1L);
      // a day with no host has no record
      assertThat(t.keySet()).noneMatch(k -> k.startsWith("2021-03-05"));
    }
  }

  @Test
  void shouldFollowACohortEveryDayUpToAge28WithNoHoles() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          event("s1", "2021-03-01T10:00:00Z", A, ScanStatus.VULNERABLE, "FR", 1),
          event("s1", "2021-03-01T11:00:00Z", B, ScanStatus.VULNERABLE, "DE", 2),
          event("s1", "2021-03-02T10:00:00Z", A, ScanStatus.PATCHED, "FR", 1),
          // B moved to another country: it stays in its day-C slice
          event("s1", "2021-03-05T10:00:00Z", B, ScanStatus.VULNERABLE, "NL", 3));
      h.watermark("2021-04-01T12:00:00Z"); // closes every day through 2021-03-31

      Map<String, CohortCount> c = cohorts(h.cohorts.readKeyValuesToList());
      // cohort of 03-01: A and B
      assertThat(cohort(c.get("2021-03-01+0 GLOBAL/ALL"))).containsExactly(2L, 2L, 2L, 0L, 0L, 0L);
      assertThat(cohort(c.get("2021-03-01+1 GLOBAL/ALL"))).containsExactly(2L, 1L, 0L, 0L, 1L, 0L);
      assertThat(cohort(c.get("2021-03-01+2 GLOBAL/ALL"))).containsExactly(2L, 0L, 0L, 0L, 0L, 0L);
      assertThat(cohort(c.get("2021-03-01+4 GLOBAL/ALL"))).containsExactly(2L, 1L, 1L, 0L, 0L, 0L);
      assertThat(cohort(c.get("2021-03-01+4 COUNTRY/DE"))).containsExactly(1L, 1L, 1L, 0L, 0L, 0L);
      assertThat(c).doesNotContainKey("2021-03-01+4 COUNTRY/NL");
      // cohort of 03-05: B alone, under NL
      assertThat(cohort(c.get("2021-03-05+0 COUNTRY/NL"))).containsExactly(1L, 1L, 1L, 0L, 0L, 0L);
      // every age 0 to 28 once, never 29
      for (int age = 0; age <= 28; age++) {
        assertThat(c).containsKey("2021-03-01+" + age + " GLOBAL/ALL");
        assertThat(c).containsKey("2021-03-01+" + age + " SCANNER/s1");
      }
      assertThat(c).doesNotContainKey("2021-03-01+29 GLOBAL/ALL");
      assertThat(c.get("2021-03-01+28 GLOBAL/ALL").getDay())
          .isEqualTo(Instant.parse("2021-03-29T00:00:00Z"));
      // 03-05 is followed through 03-31, the last closed day
      assertThat(c).containsKey("2021-03-05+26 GLOBAL/ALL");
      assertThat(c).doesNotContainKey("2021-03-05+27 GLOBAL/ALL");
      // no cohort on a day with no VULNERABLE host
      assertThat(c.keySet()).noneMatch(k -> k.startsWith("2021-03-02+"));
    }
  }

  @Test
  void shouldDecideADayOnceSoALateEventChangesNothing() {
    try (TopologyHarness h = new TopologyHarness()) {
      h.send(
          event("s1", "2021-03-01T10:00:00Z", A, ScanStatus.VULNERABLE),
          event("s1", "2021-03-02T10:00:00Z", A, ScanStatus.VULNERABLE));
      h.watermark("2021-03-03T02:00:00Z"); // closes 03-02's DAILY window
      // late for 03-02's DAILY window: it would have been a remediation
      h.send(compromised(event("s1", "2021-03-02T20:00:00Z", A, ScanStatus.PATCHED)));
      h.send(event("s1", "2021-03-03T10:00:00Z", A, ScanStatus.PATCHED));
      h.watermark("2021-03-05T00:00:00Z");

      assertThat(h.rejected.readValuesToList())
          .extracting(r -> r.getReason())
          .containsExactly(RejectReason.LATE);
      Map<String, TransitionCount> t = transitions(h.transitions.readKeyValuesToList());
      assertThat(counts(t.get("2021-03-02 GLOBAL/ALL"))).containsExactly(1L, 0L, 0L, 0L, 0L);
      // the late compromise counted nowhere: 03-03 is a plain remediation
      assertThat(counts(t.get("2021-03-03 GLOBAL/ALL"))).containsExactly(1L, 1L, 0L, 0L, 0L);
    }
  }

  private static ScanEvent compromised(ScanEvent e) {
    return ScanEvent.newBuilder(e).setCompromised(true).build();
  }

  private static List<Long> counts(TransitionCount t) {
    assertThat(t).isNotNull();
    return List.of(
        t.getHosts(),
        t.getRemediated(),
        t.getRegressed(),
        t.getNewlyCompromised(),
        t.getCompromisedButRemediated());
  }

  private static List<Long> cohort(CohortCount c) {
    assertThat(c).isNotNull();
    return List.of(
        c.getCohortSize(),
        c.getObserved(),
        c.getVulnerable(),
        c.getMitigated(),
        c.getPatched(),
        c.getUnreachable());
  }

  /** "yyyy-mm-dd DIMENSION/value", each published once. */
  private static Map<String, TransitionCount> transitions(
      List<KeyValue<CountKey, TransitionCount>> records) {
    Map<String, TransitionCount> out = new TreeMap<>();
    for (var kv : records) {
      String key =
          kv.key.getWindowStart().toString().substring(0, 10)
              + " "
              + kv.key.getDimension()
              + "/"
              + kv.key.getValue();
      assertThat(kv.value.getDimension()).isEqualTo(kv.key.getDimension());
      assertThat(out.put(key, kv.value)).as("published twice: " + key).isNull();
    }
    return out;
  }

  /** "cohort-day+age DIMENSION/value", each published once. */
  private static Map<String, CohortCount> cohorts(List<KeyValue<CohortKey, CohortCount>> records) {
    Map<String, CohortCount> out = new TreeMap<>();
    for (var kv : records) {
      String key =
          kv.key.getCohortDay().toString().substring(0, 10)
              + "+"
              + kv.key.getAgeDays()
              + " "
              + kv.key.getDimension()
              + "/"
              + kv.key.getValue();
      assertThat(kv.value.getAgeDays()).isEqualTo(kv.key.getAgeDays());
      assertThat(kv.value.getDimension())
          .isEqualTo(Dimension.valueOf(kv.key.getDimension().name()));
      assertThat(out.put(key, kv.value)).as("published twice: " + key).isNull();
    }
    return out;
  }
}
