package dev.patchwatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.topology.AggregateJson;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay} over an Avro archive: the reference finals, and refused records by number. */
class ReplayArchiveIT {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldReplayAnArchiveAndListItsRefusedRecordsByNumber() throws Exception {
    List<ScanEvent> events =
        RandomEvents.generate(701, RandomEvents.Options.defaults().withHosts(60).withDays(2));
    List<ScanEvent> records = new ArrayList<>(events);
    ScanEvent badCountry = ScanEvent.newBuilder(events.get(0)).setCountry("QQ").build();
    ScanEvent tooOld =
        ScanEvent.newBuilder(events.get(1))
            .setObservedAt(Instant.parse("1999-12-31T23:59:59Z"))
            .build();
    records.add(10, badCountry); // record 11
    records.add(tooOld); // the last record
    Path archive = dir.resolve("a.avro");
    try (DataFileWriter<ScanEvent> writer =
        new DataFileWriter<>(new SpecificDatumWriter<>(ScanEvent.class))) {
      writer.create(ScanEvent.getClassSchema(), archive.toFile());
      for (ScanEvent e : records) {
        writer.append(e);
      }
    }

    String id = SharedKafka.unique("replay-avro");
    TopologySettings settings =
        TopologySettings.defaults(2)
            .withTopicPrefix(id)
            .withApplicationId(id)
            .withIdleTimeout(Duration.ZERO)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY);
    Path output = dir.resolve("finals.jsonl");
    Path rejected = dir.resolve("rejected.jsonl");
    Replay.Result result =
        new Replay(
                SharedKafka.bootstrapServers(),
                new InMemorySchemaRegistry(),
                dir.resolve("state"),
                settings,
                CLOCK,
                new PrintWriter(new StringWriter()))
            .run(archive, output, Optional.of(rejected));

    assertThat(result.lines()).isEqualTo(records.size());
    assertThat(result.accepted()).isEqualTo(events.size());
    assertThat(result.rejected()).isEqualTo(2);
    FinalsAssert.assertSameFinals(
        FinalsAssert.countLines(Files.readAllLines(output)),
        ReferenceModel.compute(events, 2).finals().stream()
            .sorted(AggregateJson.ORDER)
            .map(AggregateJson::toJson)
            .toList());
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> refused = new ArrayList<>();
    for (String line : Files.readAllLines(rejected)) {
      refused.add(json.readTree(line));
    }
    assertThat(refused)
        .extracting(r -> r.get("line").asLong())
        .containsExactly(11L, (long) records.size());
    assertThat(refused)
        .extracting(r -> r.get("reason").asText())
        .containsExactly("INVALID_FIELD", "INVALID_FIELD");
    assertThat(refused.get(0).get("input").asText()).contains("\"country\":\"QQ\"");
    assertThat(refused.get(1).get("input").asText())
        .contains("\"observedAt\":\"1999-12-31T23:59:59.000Z\"");
  }
}
