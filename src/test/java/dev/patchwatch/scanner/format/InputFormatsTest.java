package dev.patchwatch.scanner.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputFormatsTest {

  @Test
  void shouldFindAllFiveFormatsThroughTheServiceLoaderSortedByName() {
    assertThat(InputFormats.all())
        .extracting(InputFormat::name)
        .containsExactly("csv", "jsonl", "nmap", "nuclei", "shadowserver");
    assertThat(InputFormats.all())
        .extracting(format -> format.getClass().getSimpleName())
        .containsExactly(
            "CsvFormat", "JsonlFormat", "NmapFormat", "NucleiFormat", "ShadowserverFormat");
  }

  @Test
  void shouldFindAFormatByItsName() {
    assertThat(InputFormats.byName("shadowserver")).isInstanceOf(ShadowserverFormat.class);
    assertThat(InputFormats.byName("nuclei")).isInstanceOf(NucleiFormat.class);
  }

  @Test
  void shouldListTheKnownFormatsWhenANameIsUnknown() {
    assertThatThrownBy(() -> InputFormats.byName("NMAP"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown input format \"NMAP\"; known formats: csv, jsonl, nmap, nuclei, shadowserver");
  }

  @Test
  void shouldDescribeEveryFormatOnOneLine() {
    assertThat(InputFormats.all())
        .allSatisfy(
            format ->
                assertThat(format.description())
                    .isNotBlank()
                    .doesNotContain("\n")
                    .hasSizeLessThan(90));
  }
}
