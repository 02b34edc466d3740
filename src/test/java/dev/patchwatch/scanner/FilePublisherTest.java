package dev.patchwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.scanner.format.InputFile;
import dev.patchwatch.scanner.format.InputFormat;
import dev.patchwatch.scanner.format.InputFormats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one ingest path, against a sink that records what it is sent instead of a broker. */
class FilePublisherTest {

  private static final EventContract CONTRACT =
      new EventContract(Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC));

  @TempDir Path dir;

  @Test
  void shouldPublishEveryEventOfAShadowserverReportAndRejectTheRestWithTheirRows()
      throws IOException {
    Path file = resource("shadowserver-exchange.csv");
    RecordingSink sink = new RecordingSink();
    List<Long> stored = new ArrayList<>();
    FilePublisher publisher =
        new FilePublisher(
            sink,
            CONTRACT,
            new FilePublisher.Listener() {
              @Override
              public void stored(long position, RecordMetadata metadata) {
                stored.add(position);
              }
            });

    publish(publisher, "shadowserver", file);

    // the report: 10 rows; one row tagged with two CVEs gives two events at row 3
    assertThat(sink.events).hasSize((int) publisher.accepted());
    assertThat(publisher.read()).isEqualTo(publisher.accepted() + publisher.rejected());
    assertThat(stored).hasSize(sink.events.size()).contains(3L, 3L);
    assertThat(sink.rejections).hasSize((int) publisher.rejected()).isNotEmpty();
    assertThat(sink.rejections).allSatisfy(r -> assertThat(r).startsWith(file + ":"));
    assertThat(publisher.maxObservedAt())
        .contains(sink.events.stream().map(ScanEvent::getObservedAt).max(Instant::compareTo).get());
  }

  @Test
  void shouldRejectAnEventTheSinkRefusesKeepingOnlyTheFirstBytesOfItsLine() throws IOException {
    String line =
        "{\"scanner\":\"s\",\"observedAt\":\"2021-03-08T10:00:00Z\",\"ip\":\"192.0.2.1\","
            + "\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\",\"attributes\":{\"a\":\""
            + "x".repeat(2000)
            + "\"}}";
    Path file = Files.writeString(dir.resolve("e.jsonl"), line + "\n");
    RecordingSink sink = new RecordingSink();
    sink.refuse = true;
    FilePublisher publisher = new FilePublisher(sink, CONTRACT, new FilePublisher.Listener() {});

    publish(publisher, "jsonl", file);

    assertThat(publisher.accepted()).isZero();
    assertThat(sink.rejections).containsExactly(file + ":1: TOO_LARGE: too large (1024 bytes)");
    assertThat(publisher.maxObservedAt()).isEmpty();
  }

  @Test
  void shouldSendTheWatermarkOnlyOnceEverythingIsStored() throws IOException {
    Path file = resource("events.jsonl");
    RecordingSink sink = new RecordingSink();
    FilePublisher publisher = new FilePublisher(sink, CONTRACT, new FilePublisher.Listener() {});
    publish(publisher, "jsonl", file);

    publisher.finish(publisher.maxObservedAt());

    assertThat(sink.calls).endsWith("flush", "watermark " + publisher.maxObservedAt().get());
  }

  @Test
  void shouldStopAtTheFirstRecordTheBrokerRefuses() throws IOException {
    Path file = resource("events.jsonl");
    RecordingSink sink = new RecordingSink();
    sink.fail = true;
    FilePublisher publisher = new FilePublisher(sink, CONTRACT, new FilePublisher.Listener() {});

    assertThatThrownBy(() -> publish(publisher, "jsonl", file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the broker refused records: no leader");
    assertThat(publisher.read()).isEqualTo(1);
  }

  private static void publish(FilePublisher publisher, String format, Path file)
      throws IOException {
    InputFormat input = InputFormats.byName(format);
    try (InputFile in = input.open(file, CONTRACT)) {
      publisher.publish(file, in);
    }
  }

  private Path resource(String name) throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/formats/" + name)) {
      Path file = dir.resolve(name);
      Files.write(file, in.readAllBytes());
      return file;
    }
  }

  /** Takes what it is sent as stored at once, unless told to refuse events or fail. */
  private static final class RecordingSink implements ScanSink {
    final List<ScanEvent> events = new ArrayList<>();
    final List<String> rejections = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    boolean refuse;
    boolean fail;
    private long offset;

    @Override
    public CompletableFuture<RecordMetadata> publish(ScanEvent event) {
      if (refuse) {
        throw new InvalidScanEventException(RejectReason.TOO_LARGE, "too large");
      }
      events.add(event);
      calls.add("event");
      return stored();
    }

    @Override
    public CompletableFuture<RecordMetadata> publishRejected(
        String file, long position, byte[] original, RejectReason reason, String message) {
      rejections.add(
          file
              + ":"
              + position
              + ": "
              + reason
              + ": "
              + message
              + (reason == RejectReason.TOO_LARGE ? " (" + original.length + " bytes)" : ""));
      return stored();
    }

    @Override
    public CompletableFuture<Void> watermark(Instant time) {
      calls.add("watermark " + time);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void flush() {
      calls.add("flush");
    }

    private CompletableFuture<RecordMetadata> stored() {
      if (fail) {
        return CompletableFuture.failedFuture(new IllegalStateException("no leader"));
      }
      return CompletableFuture.completedFuture(
          new RecordMetadata(new TopicPartition("scans", 0), offset++, 0, 0, 0, 0));
    }
  }
}
