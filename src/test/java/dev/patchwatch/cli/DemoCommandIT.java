package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.scanner.simulator.ProxyLogonSimulator;
import dev.patchwatch.scanner.simulator.Scenario;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The main job end to end: the simulated month through the real stack follows the published curve.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DemoCommandIT {

  @Test
  void shouldPrintADailyCurveThatFollowsThePublishedFigures() throws Exception {
    double scale = 0.01;
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Cli cli =
        Cli.run(
            "demo",
            "--scale",
            String.valueOf(scale),
            "--seconds-per-day",
            "0",
            "--json",
            "--exit",
            "--set",
            "http.port=" + port);
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.err()).contains("dashboard http://127.0.0.1:" + port + "/");

    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> rows = new ArrayList<>();
    List<JsonNode> cohort = new ArrayList<>();
    for (String line : cli.out().split("\n")) {
      JsonNode node = mapper.readTree(line);
      (node.has("cohortDay") ? cohort : rows).add(node);
    }
    assertThat(rows)
        .extracting(r -> r.get("date").asText())
        .startsWith("2021-03-01")
        .endsWith("2021-04-01")
        .hasSize(32);
    assertThat(rows.get(0).fieldNames())
        .toIterable()
        .containsExactly("date", "exposed", "remediatedRatio", "weekOverWeek", "franceExposed");

    ProxyLogonSimulator simulator = new ProxyLogonSimulator(Scenario.proxyLogon(), scale, 2021);
    int anchors = 0;
    for (JsonNode row : rows) {
      LocalDate date = LocalDate.parse(row.get("date").asText());
      OptionalLong published = simulator.publishedExposed(date);
      // exactly the simulated fleet's population, which is the published curve plus the hosts
      // back to VULNERABLE after a regression that day
      assertThat(row.get("exposed").asLong())
          .as("exposed on %s", date)
          .isEqualTo(simulator.expectedExposed(date).orElseThrow());
      if (published.isPresent()) {
        anchors++;
        long regressed = simulator.expectedRegressed(date).orElseThrow();
        assertThat((double) row.get("exposed").asLong() - regressed)
            .as("exposed on %s, less the %d regressed", date, regressed)
            .isCloseTo(published.getAsLong(), org.assertj.core.data.Percentage.withPercentage(3));
      }
    }
    assertThat(anchors).isGreaterThanOrEqualTo(5);
    JsonNode march22 =
        rows.stream()
            .filter(r -> r.get("date").asText().equals("2021-03-22"))
            .findFirst()
            .orElseThrow();
    assertThat(march22.get("remediatedRatio").asDouble()).isGreaterThanOrEqualTo(0.9);
    JsonNode march14 =
        rows.stream()
            .filter(r -> r.get("date").asText().equals("2021-03-14"))
            .findFirst()
            .orElseThrow();
    assertThat((double) march14.get("franceExposed").asLong())
        .isCloseTo(15_000 * scale, org.assertj.core.data.Percentage.withPercentage(10));

    // the second table: the 1 March cohort at 7, 14 and 21 days, after the curve
    assertThat(cohort).extracting(c -> c.get("ageDays").asInt()).containsExactly(7, 14, 21);
    long size = cohort.get(0).get("cohortSize").asLong();
    // most of the 4,000 hosts exposed on 1 March were scanned VULNERABLE that day
    assertThat(size).isBetween(3_000L, 4_000L);
    long before = size;
    for (JsonNode c : cohort) {
      assertThat(c.get("cohortSize").asLong()).isEqualTo(size);
      long still = c.get("stillVulnerable").asLong();
      assertThat(still).as("still vulnerable at %s", c.get("date")).isLessThan(before);
      // the cohort's members still vulnerable are part of the population exposed at that day's end
      assertThat(still).isLessThanOrEqualTo(c.get("exposed").asLong());
      assertThat(c.get("compromisedButRemediated").asLong()).isPositive();
      before = still;
    }
  }
}
