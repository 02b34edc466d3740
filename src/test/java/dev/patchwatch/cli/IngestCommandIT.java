package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.topology.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ingest} to a real broker: events to the scans topic, unmappable records to rejected. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestCommandIT {

  @Test
  void shouldPublishMappedEventsAndRejectTheRest() throws Exception {
    String prefix = SharedKafka.unique("ingest");
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    Topics topics = Topics.create(prefix, prefix, registry);
    SharedKafka.provision(topics, 2);
    String file =
        Path.of(IngestCommandIT.class.getResource("/formats/shadowserver-exchange.csv").toURI())
            .toString();
    Cli cli =
        Cli.run(
            "ingest",
            "--format",
            "shadowserver",
            "--bootstrap-servers",
            SharedKafka.bootstrapServers(),
            "--registry-url",
            SharedRegistry.url(),
            "--topic-prefix",
            prefix,
            file);
    assertThat(cli.exitCode()).as(cli.err()).isZero();

    List<ScanEvent> events = new ArrayList<>();
    TopicReader.readAll(
        SharedKafka.bootstrapServers(),
        Map.of(),
        topics.scans(),
        r -> {
          if (r.value() != null) {
            events.add(r.value());
          }
        });
    List<Rejected> rejected = new ArrayList<>();
    TopicReader.readAll(
        SharedKafka.bootstrapServers(), Map.of(), topics.rejected(), r -> rejected.add(r.value()));
    assertThat(events)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.getScanner()).isEqualTo("shadowserver"));
    assertThat(rejected)
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.getOrigin().getFile()).isEqualTo(file);
              assertThat(r.getOrigin().getLine()).isPositive();
            });
    assertThat(cli.out())
        .startsWith("published " + events.size() + " events")
        .contains("rejected " + rejected.size());
  }
}
