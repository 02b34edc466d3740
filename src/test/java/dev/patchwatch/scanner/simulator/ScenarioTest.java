package dev.patchwatch.scanner.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ScenarioTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void shouldLoadTheBundledProxyLogonMonth() {
    Scenario s = Scenario.proxyLogon();

    assertThat(s.vulnerability()).isEqualTo("CVE-2021-26855");
    // a full look-back of scans before the first anchor, and the whole of March
    assertThat(s.firstDay()).isEqualTo(LocalDate.parse("2021-02-22"));
    assertThat(s.lastDay()).isEqualTo(LocalDate.parse("2021-03-31"));
    assertThat(s.population()).isEqualTo(400_000);
    assertThat(s.exposed())
        .filteredOn(Scenario.Anchor::published)
        .extracting(a -> a.date().toString(), Scenario.Anchor::hosts)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2021-03-01", 400_000L),
            org.assertj.core.groups.Tuple.tuple("2021-03-09", 100_000L),
            org.assertj.core.groups.Tuple.tuple("2021-03-14", 69_000L),
            org.assertj.core.groups.Tuple.tuple("2021-03-18", 54_000L),
            org.assertj.core.groups.Tuple.tuple("2021-03-22", 29_000L));
    assertThat(s.countryExposed()).containsOnlyKeys("FR");
    assertThat(s.scanners())
        .filteredOn(Scenario.Scanner::primary)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.id()).isEqualTo("shadowserver");
              assertThat(p.to()).isEqualTo(Duration.ofHours(8));
            });
    assertThat(s.share("FR")).isEqualTo(0.07);
  }

  @Test
  void shouldInterpolateTheCurvesLogLinearly() {
    Scenario s = Scenario.proxyLogon();
    // 9 March 100,000, 14 March 69,000: one fifth of the way in log space on the 10th
    assertThat(s.globalTarget(LocalDate.parse("2021-03-10")))
        .isCloseTo(100_000 * Math.pow(0.69, 0.2), org.assertj.core.data.Offset.offset(1e-6));
    // everyone is vulnerable before the first anchor
    assertThat(s.globalTarget(LocalDate.parse("2021-02-25"))).isEqualTo(400_000);
    // France starts from its share (7% of 400,000) on the first global anchor
    assertThat(s.countryTarget("FR", LocalDate.parse("2021-03-01")))
        .isCloseTo(28_000, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(s.countryTarget("FR", LocalDate.parse("2021-03-13")))
        .isCloseTo(15_000, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void shouldRejectWhatIsNotJson() {
    assertThatThrownBy(() -> load("{\"name\": "))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageStartingWith("scenario: ");
    assertThatThrownBy(() -> load("null")).hasMessage("scenario: expected a JSON object, got null");
    assertThatThrownBy(() -> load(bundled(j -> {}) + " {}"))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> load("{\"name\": \"a\", \"name\": \"b\"}"))
        .hasMessageContaining("Duplicate field 'name'");
  }

  @Test
  void shouldNameAnUnknownFieldByItsPath() {
    assertThatThrownBy(() -> load(bundled(j -> anchor(j, 1).put("hots", 1))))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageContaining("exposed[1].hots: unknown field")
        .hasMessageContaining("hosts");
  }

  @Test
  void shouldNameAMissingField() {
    assertThatThrownBy(() -> load(bundled(j -> scanner(j, 1).remove("coverage"))))
        .hasMessage("scenario: scanners[1].coverage: required, but missing or null");
  }

  @Test
  void shouldRejectANumberWrittenAsText() {
    assertThatThrownBy(() -> load(bundled(j -> j.put("population", "400000"))))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessage("scenario: population: expected an integer, got \"400000\"");
    assertThatThrownBy(() -> load(bundled(j -> anchor(j, 1).put("hosts", 100000.5))))
        .hasMessage("scenario: exposed[1].hosts: expected an integer, got 100000.5");
    assertThatThrownBy(() -> load(bundled(j -> j.put("exposed", 3))))
        .hasMessage("scenario: exposed: expected an array, got 3");
  }

  @Test
  void shouldRejectAnUnreadableDate() {
    assertThatThrownBy(() -> load(bundled(j -> anchor(j, 2).put("date", "2021-3-14"))))
        .hasMessageContaining("exposed[2].date: \"2021-3-14\" is not an ISO date");
  }

  @Test
  void shouldRejectARisingCurve() {
    assertThatThrownBy(() -> load(bundled(j -> anchor(j, 3).put("hosts", 70_000))))
        .hasMessageContaining("exposed[3].hosts: 70000 is more than the previous anchor's 69000");
  }

  @Test
  void shouldRejectAnchorsOutOfOrder() {
    assertThatThrownBy(() -> load(bundled(j -> anchor(j, 2).put("date", "2021-03-09"))))
        .hasMessageContaining("exposed[2].date: 2021-03-09 is not after the previous anchor");
  }

  @Test
  void shouldRequireThePopulationToBeTheFirstAnchor() {
    assertThatThrownBy(() -> load(bundled(j -> j.put("population", 500_000))))
        .hasMessageContaining("exposed[0].hosts: 400000 differs from population 500000");
  }

  @Test
  void shouldRequireAFullLookBackBeforeTheFirstAnchor() {
    assertThatThrownBy(() -> load(bundled(j -> j.put("firstDay", "2021-02-25"))))
        .hasMessageContaining("exposed[0].date: 2021-03-01 is less than lookBackDays (7)");
  }

  @Test
  void shouldRejectAnchorsAfterTheLastMidnight() {
    assertThatThrownBy(() -> load(bundled(j -> j.put("lastDay", "2021-03-30"))))
        .hasMessageContaining("exposed[5].date: 2021-04-01 is outside 2021-02-23..2021-03-31");
  }

  @Test
  void shouldRejectACountryCurveAboveItsHosts() {
    // 1% of 400,000 is 4,000 French hosts, fewer than the 15,000 anchored
    assertThatThrownBy(
            () ->
                load(
                    bundled(
                        j -> {
                          country(j, "FR").put("share", 0.01);
                          country(j, "US").put("share", 0.37);
                        })))
        .hasMessageStartingWith("scenario: countryExposed.FR: ")
        .hasMessageContaining("but the country has only 4000");
  }

  @Test
  void shouldRejectACountryFallingFasterThanTheWorld() {
    // the world stays at 29,000 after 22 March while France keeps falling: the others would rise
    assertThatThrownBy(() -> load(bundled(j -> anchor(j, 5).put("hosts", 29_000))))
        .hasMessageContaining(
            "countryExposed: the rest of the world (global minus countries with a"
                + " curve) rises");
  }

  @Test
  void shouldRejectACountryCurveForACountryOutsideTheMix() {
    assertThatThrownBy(
            () ->
                load(
                    bundled(
                        j ->
                            ((ObjectNode) j.get("countryExposed"))
                                .set("LU", j.get("countryExposed").get("FR").deepCopy()))))
        .hasMessage("scenario: countryExposed.LU: country \"LU\" is not in countries");
  }

  @Test
  void shouldRequireSharesAddingUpToOne() {
    assertThatThrownBy(() -> load(bundled(j -> country(j, "US").put("share", 0.5))))
        .hasMessageContaining("countries: shares add up to 1.190000, not 1");
  }

  @Test
  void shouldRejectAnUnknownCountryCode() {
    assertThatThrownBy(() -> load(bundled(j -> country(j, "GB").put("code", "UK"))))
        .hasMessageContaining("countries[2].code: \"UK\" is not an upper-case ISO 3166-1 alpha-2");
  }

  @Test
  void shouldRequireExactlyOnePrimaryScanner() {
    assertThatThrownBy(() -> load(bundled(j -> scanner(j, 1).put("primary", true))))
        .hasMessageContaining("scanners[1]: the primary scanner needs coverage 1");
    assertThatThrownBy(() -> load(bundled(j -> scanner(j, 0).put("primary", false))))
        .hasMessage("scenario: scanners: 0 primary scanners, exactly 1 needed");
  }

  @Test
  void shouldRejectAScanSlotThatEndsBeforeItStarts() {
    assertThatThrownBy(() -> load(bundled(j -> scanner(j, 1).put("to", "08:00"))))
        .hasMessage("scenario: scanners[1].to: 08:00 is not after from 09:00");
    assertThatThrownBy(() -> load(bundled(j -> scanner(j, 1).put("to", "25:00"))))
        .hasMessageContaining("scanners[1].to: \"25:00\" is not a time of day");
  }

  @Test
  void shouldRejectAScannerOfACountryOutsideTheMix() {
    assertThatThrownBy(
            () -> load(bundled(j -> ((ArrayNode) scanner(j, 3).get("countries")).add("LU"))))
        .hasMessage("scenario: scanners[3].countries: \"LU\" is not in countries");
  }

  @Test
  void shouldRejectDuplicateScannerIds() {
    assertThatThrownBy(() -> load(bundled(j -> scanner(j, 2).put("id", "censys"))))
        .hasMessage("scenario: scanners[2].id: \"censys\" appears twice");
  }

  @Test
  void shouldUpperCaseTheVulnerability() {
    Scenario s = load(bundled(j -> j.put("vulnerability", "cve-2021-26855")));
    assertThat(s.vulnerability()).isEqualTo("CVE-2021-26855");
    assertThatThrownBy(() -> load(bundled(j -> j.put("vulnerability", "CVE 2021"))))
        .hasMessageContaining("vulnerability: \"CVE 2021\" must match");
  }

  @Test
  void shouldRejectAFallingCompromiseShare() {
    assertThatThrownBy(
            () -> load(bundled(j -> ((ObjectNode) j.get("compromised").get(4)).put("share", 0.05))))
        .hasMessageContaining("compromised[4].share: 0.05 is less than");
  }

  private static Scenario load(String json) {
    return Scenario.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** The bundled scenario with one change. */
  private static String bundled(Consumer<ObjectNode> change) {
    try (InputStream in = Scenario.class.getResourceAsStream(Scenario.PROXYLOGON_RESOURCE)) {
      ObjectNode json = (ObjectNode) MAPPER.readTree(in);
      change.accept(json);
      return json.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode anchor(ObjectNode json, int i) {
    return (ObjectNode) json.get("exposed").get(i);
  }

  private static ObjectNode scanner(ObjectNode json, int i) {
    return (ObjectNode) json.get("scanners").get(i);
  }

  private static ObjectNode country(ObjectNode json, String code) {
    for (var node : json.get("countries")) {
      if (node.get("code").asText().equals(code)) {
        return (ObjectNode) node;
      }
    }
    throw new IllegalArgumentException(code);
  }
}
