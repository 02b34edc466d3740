package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import java.time.Instant;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class AggregateKeyTest {

  private static final long MARCH_1 = Instant.parse("2021-03-01T00:00:00Z").toEpochMilli();

  @Test
  void shouldDecodeWhatItEncodes() {
    byte[] key =
        AggregateKey.encode(
            Granularity.EXPOSURE, MARCH_1, "CVE-2021-26855", Dimension.SCANNER, "shadow.server");
    CountKey decoded = AggregateKey.decode(key);
    assertThat(decoded.getGranularity()).isEqualTo(Granularity.EXPOSURE);
    assertThat(decoded.getWindowStart()).isEqualTo(Instant.ofEpochMilli(MARCH_1));
    assertThat(decoded.getVulnerability()).isEqualTo("CVE-2021-26855");
    assertThat(decoded.getDimension()).isEqualTo(Dimension.SCANNER);
    assertThat(decoded.getValue()).isEqualTo("shadow.server");
  }

  @Test
  void shouldSortByGranularityThenWindowStart() {
    Bytes earlyHour = key(Granularity.HOURLY, MARCH_1, "ZZZ");
    Bytes lateHour = key(Granularity.HOURLY, MARCH_1 + Windowing.HOUR_MS, "AAA");
    Bytes day = key(Granularity.DAILY, 0, "AAA");
    assertThat(earlyHour).isLessThan(lateHour);
    assertThat(lateHour).isLessThan(day);
  }

  @Test
  void shouldOrderWindowStartsBeforeTheEpochFirst() {
    assertThat(key(Granularity.HOURLY, -Windowing.HOUR_MS, "A"))
        .isLessThan(key(Granularity.HOURLY, 0, "A"));
  }

  private static Bytes key(Granularity g, long start, String vuln) {
    return Bytes.wrap(AggregateKey.encode(g, start, vuln, Dimension.GLOBAL, "ALL"));
  }
}
