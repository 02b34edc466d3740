package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Dimension;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DimensionIdsTest {

  @Test
  void shouldGiveEachValueOneIdWhicheverWayItIsLookedUp() {
    DimensionIds ids = new DimensionIds();
    byte[] record = "..censys-eu..nuclei..".getBytes(StandardCharsets.US_ASCII);

    int censys = ids.scanner(record, 2, 9);
    assertThat(ids.scanner("censys-eu")).isEqualTo(censys);
    int nuclei = ids.scanner("nuclei");
    assertThat(ids.scanner(record, 13, 6)).isEqualTo(nuclei);
    assertThat(nuclei).isNotEqualTo(censys);
    assertThat(ids.name(Dimension.SCANNER, nuclei)).isEqualTo("nuclei");

    int france = ids.country("FR");
    assertThat(ids.country('F', 'R')).isEqualTo(france);
    assertThat(ids.country((byte) 'F', (byte) 'R')).isEqualTo(france);
    assertThat(ids.country("RF")).isNotEqualTo(france);
    assertThat(ids.name(Dimension.COUNTRY, ids.country("XK"))).isEqualTo("XK");
  }

  @Test
  void shouldKeepIdsAcrossGrowth() {
    DimensionIds ids = new DimensionIds();
    int[] asns = new int[5_000];
    int[] scanners = new int[500];
    for (int i = 0; i < asns.length; i++) {
      asns[i] = ids.asn(4_000_000_000L + i * 7919L);
    }
    for (int i = 0; i < scanners.length; i++) {
      scanners[i] = ids.scanner("scanner-" + i);
    }
    for (int i = 0; i < asns.length; i++) {
      long asn = 4_000_000_000L + i * 7919L;
      assertThat(ids.asn(asn)).isEqualTo(asns[i]);
      assertThat(ids.name(Dimension.ASN, asns[i])).isEqualTo(Long.toString(asn));
    }
    for (int i = 0; i < scanners.length; i++) {
      byte[] name = ("scanner-" + i).getBytes(StandardCharsets.US_ASCII);
      assertThat(ids.scanner(name, 0, name.length)).isEqualTo(scanners[i]);
    }
    assertThat(ids.asn(0)).isEqualTo(asns.length); // 0 is a value like any other
  }
}
