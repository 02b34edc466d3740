package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.local.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line larger than the broker takes no longer aborts {@code replay}: on a real embedded broker
 * and a real registry, it is rejected as TOO_LARGE and the other lines are counted.
 */
class ReplayOversizeLineCliIT {

  @TempDir static Path registryDir;
  private static LocalRegistry registry;

  @TempDir Path dir;

  @BeforeAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void startRegistry() {
    registry = LocalRegistry.start(LocalRegistry.defaultHome(), registryDir, 0);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static String event(String scanner, String ip) {
    return "{\"scanner\":\""
        + scanner
        + "\",\"observedAt\":\"2021-03-01T10:00:00Z\",\"ip\":\""
        + ip
        + "\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"PATCHED\"}";
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void shouldRejectALineOverOneMebibyteAsTooLargeAndCountTheOthers() throws Exception {
    // the reported repro: valid but for its size, which the broker (1 MiB) would refuse
    String big = event("s".repeat(1 << 20), "192.0.2.9");
    Path input = dir.resolve("events.jsonl");
    Files.writeString(
        input,
        String.join(
            "\n",
            event("censys", "192.0.2.1"),
            big,
            event("censys", "192.0.2.2"),
            event("shadowserver", "192.0.2.3"),
            ""));
    Path output = dir.resolve("finals.jsonl");
    Path rejected = dir.resolve("rejected.jsonl");

    Cli cli =
        Cli.run(
            "replay",
            "--input",
            input.toString(),
            "--output",
            output.toString(),
            "--rejected",
            rejected.toString(),
            "--partitions",
            "2",
            "--registry-url",
            registry.url());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out()).startsWith("accepted 3, rejected 1 ");
    List<String> rejections = Files.readAllLines(rejected);
    assertThat(rejections).hasSize(1);
    JsonNode rejection = new ObjectMapper().readTree(rejections.get(0));
    assertThat(rejection.get("line").asLong()).isEqualTo(2);
    assertThat(rejection.get("reason").asText()).isEqualTo("TOO_LARGE");
    assertThat(rejection.get("message").asText())
        .startsWith("line is " + big.length() + " bytes, more than the limit of 524288");
    assertThat(rejection.get("input").asText()).isEqualTo(big.substring(0, 1024));
    // the three valid hosts are counted: the daily GLOBAL final holds them all
    assertThat(Files.readAllLines(output))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"granularity\":\"DAILY\"")
                    .contains("\"dimension\":\"GLOBAL\"")
                    .contains("\"hosts\":3"));
  }
}
