package dev.patchwatch.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.simulator.ProxyLogonSimulator;
import dev.patchwatch.scanner.simulator.Scenario;
import dev.patchwatch.topology.Topics;
import java.io.File;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The stack of {@code docker-compose.yml} as a user brings it up (the PatchWatch image built from
 * the Dockerfile): once the scanner has published the simulated month, `run` has published the
 * DAILY finals of every day of it. Uses the host ports the file publishes on 127.0.0.1 (9092,
 * 8081), so nothing else may hold them. Runs only where a Docker engine runs; elsewhere JUnit
 * reports it as skipped ("Docker is not available").
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class ComposeDockerIT {

  @Container
  static final ComposeContainer STACK =
      new ComposeContainer(new File("docker-compose.yml"))
          .withBuild(true)
          .waitingFor("broker", Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(3)))
          .waitingFor("registry", Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(3)));

  @Test
  void shouldCountTheSimulatedMonth() throws Exception {
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder("http://127.0.0.1:8081/apis/ccompat/v7").build();
    Topics topics = Topics.create("patchwatch", "patchwatch", registry);
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(Scenario.proxyLogon(), 0.05, 2021);
    Set<LocalDate> expected = new TreeSet<>(simulator.days());
    Set<LocalDate> days = new TreeSet<>();
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (!days.containsAll(expected)) {
      assertThat(System.nanoTime()).as("DAILY finals of %s", expected).isLessThan(deadline);
      Thread.sleep(5_000);
      days.clear();
      TopicReader.readAll(
          "127.0.0.1:9092",
          Map.of(),
          topics.countsDaily(),
          r -> {
            RemediationCount count = r.value();
            if (count != null && count.getDimension() == Dimension.GLOBAL) {
              days.add(LocalDate.ofInstant(count.getWindowStart(), ZoneOffset.UTC));
            }
          });
    }
  }
}
