package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.ScanStatus;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class HostHistoryTest {

  private static final int MARCH_1 = 18_687; // 2021-03-01 in days since the epoch

  @Test
  void shouldDecodeWhatItEncodes() {
    HostHistory history = new HostHistory();
    history.all.lastDay = MARCH_1;
    history.all.lastStatus = ScanStatus.MITIGATED;
    history.all.everCompromised = true;
    history.all.joinCohort("FR", 4_200_000_000L);
    history.all.shiftTo(MARCH_1 + 2);
    history.all.lastDay = MARCH_1 + 2;
    history.all.joinCohort("DE", 3320);
    HostHistory.View s1 = history.scanner("s1");
    s1.lastDay = MARCH_1 + 2;
    s1.lastStatus = ScanStatus.VULNERABLE;
    s1.joinCohort(null, 0);

    HostHistory back = HostHistory.decode(history.encode());

    assertThat(back.all.lastDay).isEqualTo(MARCH_1 + 2);
    assertThat(back.all.lastStatus).isEqualTo(ScanStatus.MITIGATED);
    assertThat(back.all.everCompromised).isTrue();
    // bit 2: the cohort two days before the last day, under its day-C slice
    assertThat(back.all.runs)
        .extracting(r -> r.country + "/" + r.asn + "/" + r.mask)
        .containsExactly("FR/4200000000/4", "DE/3320/1");
    assertThat(back.scanners).hasSize(1);
    assertThat(back.scanner("s1").runs).extracting(r -> r.mask).containsExactly(1);
    assertThat(back.scanner("s1").everCompromised).isFalse();
  }

  @Test
  void shouldForgetCohortsOlderThanTheLastAge() {
    HostHistory.View view = new HostHistory.View(null);
    view.lastDay = MARCH_1;
    view.joinCohort("FR", 1);
    view.shiftTo(MARCH_1 + 28);
    assertThat(view.runs).extracting(r -> r.mask).containsExactly(1 << 28);
    view.shiftTo(MARCH_1 + 29);
    assertThat(view.runs).isEmpty();
  }

  @Test
  void shouldKeepAHostSeenByHundredsOfScanners() {
    HostHistory history = new HostHistory();
    for (int i = 0; i < 300; i++) {
      HostHistory.View view = history.scanner("node-" + i);
      view.lastDay = MARCH_1;
      view.lastStatus = ScanStatus.PATCHED;
    }
    assertThat(HostHistory.decode(history.encode()).scanners).hasSize(300);
  }

  @Test
  void shouldRefuseARecordOfAnotherFormat() {
    byte[] encoded = new HostHistory().encode();
    encoded[0] = 9;
    assertThatThrownBy(() -> HostHistory.decode(encoded))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown format 9");
  }
}
