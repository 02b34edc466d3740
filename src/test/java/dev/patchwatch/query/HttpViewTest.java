package dev.patchwatch.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpViewTest {

  @Test
  void shouldDecodeQueryParameters() {
    assertThat(
            HttpView.query(
                "vulnerability=CVE-2021-26855&value=nuclei_fr-01&to=2021-03-08T10%3A00%2B01%3A00"))
        .isEqualTo(
            Map.of(
                "vulnerability", "CVE-2021-26855",
                "value", "nuclei_fr-01",
                "to", "2021-03-08T10:00+01:00"));
    assertThat(HttpView.query(null)).isEmpty();
    assertThat(HttpView.query("a=&&b")).isEqualTo(Map.of("a", "", "b", ""));
  }

  @Test
  void shouldRefuseARepeatedParameterRatherThanIgnoreOne() {
    assertThatThrownBy(() -> HttpView.query("value=FR&value=DE"))
        .isInstanceOf(QueryApi.BadParameter.class)
        .hasMessage("value: given twice");
  }

  @Test
  void shouldRefuseMalformedPercentEncoding() {
    assertThatThrownBy(() -> HttpView.query("value=%zz"))
        .isInstanceOf(QueryApi.BadParameter.class)
        .hasMessageContaining("malformed percent-encoding");
  }

  @Test
  void shouldPackageTheChartLibraryOfThePom() {
    // UplotVersion must follow uplot.version in pom.xml, or the page loads no chart library
    assertThat(
            HttpView.class.getResource(
                "/META-INF/resources/webjars/uplot/"
                    + UplotVersion.VERSION
                    + "/dist/uPlot.iife.min.js"))
        .isNotNull();
    assertThat(HttpView.class.getResource("/dev/patchwatch/query/web/index.html")).isNotNull();
  }
}
