package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class RunIdTest {

  @Test
  void shouldNameAGeneratedRunAfterItsStartInUtcWhateverTheClocksZone() {
    Clock paris = Clock.fixed(Instant.parse("2021-03-08T14:15:09.876Z"), ZoneId.of("Europe/Paris"));
    assertThat(RunId.generate(paris).value()).isEqualTo("20210308-141509");
  }

  @Test
  void shouldDeriveApplicationIdAndTopicPrefix() {
    RunId id = new RunId("fix-asn");
    assertThat(id.applicationId("patchwatch")).isEqualTo("patchwatch-run-fix-asn");
    assertThat(id.topicPrefix("patchwatch")).isEqualTo("patchwatch.run-fix-asn");
  }

  @Test
  void shouldFindTheRunOfAnOutputTopicOrGroup() {
    assertThat(RunId.ofTopic("patchwatch", "patchwatch.run-20210308-141509.counts.daily"))
        .contains(new RunId("20210308-141509"));
    assertThat(RunId.ofTopic("patchwatch", "patchwatch.counts.daily")).isEmpty();
    assertThat(RunId.ofTopic("patchwatch", "patchwatch.runs")).isEmpty();
    assertThat(RunId.ofTopic("patchwatch", "other.run-a.counts.daily")).isEmpty();
    assertThat(RunId.ofApplicationId("patchwatch", "patchwatch-run-fix-asn"))
        .contains(new RunId("fix-asn"));
    assertThat(RunId.ofApplicationId("patchwatch", "patchwatch")).isEmpty();
    assertThat(RunId.ofApplicationId("patchwatch", "patchwatch-run-")).isEmpty();
  }

  @Test
  void shouldRefuseIdsThatWouldMakeTopicNamesAmbiguous() {
    for (String bad : new String[] {"", "a.b", "-a", "a b", "x".repeat(41), "é"}) {
      assertThatThrownBy(() -> new RunId(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(new RunId("A_1-b").value()).isEqualTo("A_1-b");
  }
}
