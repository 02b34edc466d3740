package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.simulator.ProxyLogonSimulator;
import dev.patchwatch.scanner.simulator.Scenario;
import dev.patchwatch.topology.Topics;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** `simulate` publishes demo's month to an existing cluster: the simulator's events, then done. */
// generous: the first test of a JVM also starts the shared broker and registry
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SimulateCommandIT {

  private static final double SCALE = 0.002;

  @Test
  void shouldPublishTheSimulatedMonthToTheScansTopic() {
    String id = SharedKafka.unique("simulate");
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    Topics topics = Topics.create(id, id, registry);
    SharedKafka.provision(topics, 3);

    Cli cli =
        Cli.run(
            "simulate",
            "--scale",
            String.valueOf(SCALE),
            "--seed",
            "7",
            Cli.connection(SharedKafka.bootstrapServers(), SharedRegistry.url(), id));

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    ProxyLogonSimulator simulator = new ProxyLogonSimulator(Scenario.proxyLogon(), SCALE, 7);
    List<ScanEvent> expected = new ArrayList<>();
    for (LocalDate day : simulator.days()) {
      expected.addAll(simulator.day(day));
    }
    assertThat(expected).isNotEmpty();
    List<ScanEvent> published = new ArrayList<>();
    int[] watermarks = {0};
    TopicReader.readAll(
        SharedKafka.bootstrapServers(),
        Map.of(),
        topics.scans(),
        r -> {
          if (r.value() == null) {
            watermarks[0]++;
          } else {
            published.add(r.value());
          }
        });
    assertThat(published).containsExactlyInAnyOrderElementsOf(expected);
    // one per day and the closing one, on each of the 3 partitions
    assertThat(watermarks[0]).isEqualTo((simulator.days().size() + 1) * 3);
    assertThat(cli.out()).contains(String.format("published %,d scan events", expected.size()));
  }

  @Test
  void shouldRefuseATopicThatDoesNotExist() {
    String id = SharedKafka.unique("simulate-missing");

    Cli cli =
        Cli.run(
            "simulate",
            "--scale",
            "0.001",
            Cli.connection(SharedKafka.bootstrapServers(), SharedRegistry.url(), id));

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.err()).contains("topic " + id + ".scans does not exist").contains("`run`");
  }
}
