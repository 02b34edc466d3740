package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.local.KafkaTestSupport;
import dev.patchwatch.local.LocalRegistry;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.reference.RandomEvents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged archives and lossy exports, as a user meets them: against a running broker and a real
 * local Apicurio registry. The archive is a real export of imported events, cut in half.
 */
class DamagedArchiveCliIT {

  @TempDir static Path shared;
  private static LocalRegistry registry;
  private static Path archive;

  @TempDir Path dir;

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void exportAnArchive() throws IOException {
    registry = LocalRegistry.start(LocalRegistry.defaultHome(), shared.resolve("registry"), 0);
    List<ScanEvent> events =
        RandomEvents.generate(701, RandomEvents.Options.defaults().withHosts(400).withDays(3));
    Path jsonl = shared.resolve("events.jsonl");
    RandomEvents.writeJsonLines(events, jsonl);
    String prefix = SharedKafka.unique("damaged-source");
    Cli imported =
        Cli.run("archive", "import", jsonl.toString(), "--set", "partitions=2", connection(prefix));
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    archive = shared.resolve("a.avro");
    Cli exported = Cli.run("archive", "export", "--output", archive.toString(), connection(prefix));
    assertThat(exported.exitCode()).as(exported.err()).isZero();
    assertThat(exported.out())
        .startsWith(String.format(Locale.ROOT, "exported %,d events", events.size()));
    // several blocks, so that half of it cuts one
    assertThat(Files.size(archive)).isGreaterThan(200_000);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldPublishNothingFromATruncatedArchiveAndNameTheRecordWhereReadingFailed()
      throws Exception {
    Path truncated = half(archive);
    String prefix = SharedKafka.unique("damaged-import");

    Cli imported =
        Cli.run(
            "archive",
            "import",
            truncated.toString(),
            "--watermark",
            "--set",
            "partitions=2",
            connection(prefix));

    assertThat(imported.exitCode()).isEqualTo(1);
    assertThat(imported.err())
        .containsPattern(
            "error: "
                + truncated.toString().replace(".", "\\.")
                + " is damaged: reading failed at record [1-9][0-9,]*: the file ends inside the"
                + " block of records ");
    assertThat(imported.out()).isEmpty();
    // refused before the cluster is touched: not even its topics exist
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
      Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertThat(topics).noneMatch(t -> t.startsWith(prefix));
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldWriteNoFinalsFromATruncatedArchive() throws IOException {
    Path truncated = half(archive);
    Path finals = dir.resolve("finals.jsonl");

    Cli replay =
        Cli.run(
            "replay",
            "--input",
            truncated.toString(),
            "--output",
            finals.toString(),
            "--registry-url",
            registry.url());

    assertThat(replay.exitCode()).isEqualTo(1);
    assertThat(replay.err()).contains(truncated + " is damaged: reading failed at record ");
    assertThat(replay.out()).isEmpty();
    assertThat(finals).doesNotExist();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldFailAnExportThatMeetsUndecodableRecordsUnlessAskedToSkipThem() throws Exception {
    String prefix = SharedKafka.unique("damaged-export");
    Path jsonl = dir.resolve("few.jsonl");
    List<ScanEvent> events =
        RandomEvents.generate(702, RandomEvents.Options.defaults().withHosts(20).withDays(1));
    RandomEvents.writeJsonLines(events, jsonl);
    Cli imported =
        Cli.run("archive", "import", jsonl.toString(), "--set", "partitions=2", connection(prefix));
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    // what a registry that lost its subjects leaves: a schema id it no longer knows, and bytes
    // that are not in the wire format at all
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", SharedKafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(prefix + ".scans", 0, null, new byte[] {0, 0, 15, 66, 63, 2}))
          .get();
      producer.send(new ProducerRecord<>(prefix + ".scans", 1, null, new byte[] {'x'})).get();
    }
    Path output = dir.resolve("out.avro");

    Cli refused = Cli.run("archive", "export", "--output", output.toString(), connection(prefix));

    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err())
        .contains(
            String.format(
                Locale.ROOT,
                "error: 2 of the %,d records read from %s.scans could not be decoded (the first at"
                    + " partition ",
                events.size() + 2,
                prefix))
        .contains("no archive written, as it would miss them")
        .contains("--skip-undecodable");
    assertThat(refused.out()).isEmpty();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(jsonl);
    }

    Cli skipped =
        Cli.run(
            "archive",
            "export",
            "--output",
            output.toString(),
            "--skip-undecodable",
            connection(prefix));

    assertThat(skipped.exitCode()).as(skipped.err()).isZero();
    assertThat(skipped.out())
        .startsWith(String.format(Locale.ROOT, "exported %,d events to %s", events.size(), output))
        .contains("0 watermarks, 2 undecodable, skipped");
    assertThat(output).exists();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldSendAnExplicitWatermarkAfterAFileWithoutEvents() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    String prefix = SharedKafka.unique("empty-watermark");

    Cli imported =
        Cli.run(
            "archive",
            "import",
            empty.toString(),
            "--watermark=2021-03-20T00:00:00Z",
            "--set",
            "partitions=2",
            connection(prefix));

    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.out())
        .contains("0 events published, 0 rejected")
        .contains("then a watermark at 2021-03-20T00:00:00Z");
    List<ConsumerRecord<byte[], byte[]>> records = scans(prefix, 2);
    assertThat(records).hasSize(2);
    assertThat(records)
        .allSatisfy(
            r -> {
              assertThat(r.value()).isNull();
              assertThat(Watermark.decode(r.headers().lastHeader(Watermark.HEADER).value()))
                  .contains(Instant.parse("2021-03-20T00:00:00Z"));
            });
    assertThat(records).extracting(ConsumerRecord::partition).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldSayNoClosingWatermarkWasSentWhenAFileHasNoEventToClose() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    String prefix = SharedKafka.unique("empty-closing");

    Cli imported =
        Cli.run(
            "archive",
            "import",
            empty.toString(),
            "--watermark",
            "--set",
            "partitions=2",
            connection(prefix));

    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.out())
        .contains("no closing watermark (no event was published, so no window to close)");
    assertThat(scans(prefix, 0)).isEmpty();
  }

  private static List<ConsumerRecord<byte[], byte[]>> scans(String prefix, int expected) {
    return KafkaTestSupport.consumeAll(
        SharedKafka.bootstrapServers(),
        prefix + ".scans",
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        expected,
        Duration.ofSeconds(30));
  }

  private Path half(Path file) throws IOException {
    Path cut = dir.resolve("t.avro");
    try (InputStream in = Files.newInputStream(file)) {
      Files.write(cut, in.readNBytes((int) (Files.size(file) / 2)));
    }
    return cut;
  }

  private static String[] connection(String prefix) {
    return Cli.connection(SharedKafka.bootstrapServers(), registry.url(), prefix);
  }
}
