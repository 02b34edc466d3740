package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AggregateJsonTest {

  private static final Instant START = Instant.parse("2026-12-02T17:00:00Z");

  private static RemediationCount count(Double ratio, String value) {
    return RemediationCount.newBuilder()
        .setGranularity(Granularity.HOURLY)
        .setWindowStart(START)
        .setWindowEnd(START.plusSeconds(3600))
        .setVulnerability("CVE-2021-26855")
        .setDimension(Dimension.COUNTRY)
        .setValue(value)
        .setHosts(7)
        .setVulnerable(3)
        .setMitigated(1)
        .setPatched(2)
        .setUnreachable(1)
        .setCompromised(1)
        .setRemediatedRatio(ratio)
        .build();
  }

  @Test
  void shouldWriteACountAsTextAndAsATreeWithTheSameFields() {
    for (RemediationCount count :
        new RemediationCount[] {
          count(0.5, "FR"), count(null, "FR"), count(1.0 / 3, "a\"b\\c\u0001é中")
        }) {
      assertThat(AggregateJson.toJson(count)).isEqualTo(AggregateJson.toNode(count).toString());
    }
    // The tree keeps the numbers' types: counters are longs, the ratio a double or null.
    assertThat(AggregateJson.toNode(count(0.5, "FR")).get("hosts").isLong()).isTrue();
    assertThat(AggregateJson.toNode(count(0.5, "FR")).get("remediatedRatio").isDouble()).isTrue();
    assertThat(AggregateJson.toNode(count(null, "FR")).get("remediatedRatio").isNull()).isTrue();
    assertThat(AggregateJson.toJson(count(null, "FR")))
        .isEqualTo(
            "{\"granularity\":\"HOURLY\",\"windowStart\":\"2026-12-02T17:00:00Z\","
                + "\"windowEnd\":\"2026-12-02T18:00:00Z\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"dimension\":\"COUNTRY\",\"value\":\"FR\",\"hosts\":7,\"vulnerable\":3,"
                + "\"mitigated\":1,\"patched\":2,\"unreachable\":1,\"compromised\":1,"
                + "\"remediatedRatio\":null}");
  }

  @Test
  void shouldWriteTransitionsAndCohortPointsWithTheirKindFirst() {
    TransitionCount transition =
        TransitionCount.newBuilder()
            .setWindowStart(START)
            .setWindowEnd(START.plusSeconds(86_400))
            .setVulnerability("CVE-2021-26855")
            .setDimension(Dimension.ASN)
            .setValue("3215")
            .setHosts(5)
            .setRemediated(2)
            .setRegressed(1)
            .setNewlyCompromised(0)
            .setCompromisedButRemediated(1)
            .build();
    CohortCount cohort =
        CohortCount.newBuilder()
            .setVulnerability("CVE-2021-26855")
            .setCohortDay(START)
            .setAgeDays(3)
            .setDay(START.plusSeconds(3 * 86_400))
            .setDimension(Dimension.GLOBAL)
            .setValue("all")
            .setCohortSize(10)
            .setObserved(8)
            .setVulnerable(4)
            .setMitigated(1)
            .setPatched(2)
            .setUnreachable(1)
            .build();

    assertThat(AggregateJson.toJson(transition))
        .isEqualTo(
            "{\"kind\":\"transition\",\"windowStart\":\"2026-12-02T17:00:00Z\","
                + "\"windowEnd\":\"2026-12-03T17:00:00Z\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"dimension\":\"ASN\",\"value\":\"3215\",\"hosts\":5,\"remediated\":2,"
                + "\"regressed\":1,\"newlyCompromised\":0,\"compromisedButRemediated\":1}");
    assertThat(AggregateJson.toJson(cohort))
        .isEqualTo(
            "{\"kind\":\"cohort\",\"vulnerability\":\"CVE-2021-26855\","
                + "\"cohortDay\":\"2026-12-02T17:00:00Z\",\"ageDays\":3,"
                + "\"day\":\"2026-12-05T17:00:00Z\",\"dimension\":\"GLOBAL\",\"value\":\"all\","
                + "\"cohortSize\":10,\"observed\":8,\"vulnerable\":4,\"mitigated\":1,"
                + "\"patched\":2,\"unreachable\":1}");
  }
}
