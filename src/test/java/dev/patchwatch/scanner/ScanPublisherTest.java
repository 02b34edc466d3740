package dev.patchwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The SDK refuses invalid events before anything is sent; no broker is needed to see it. */
class ScanPublisherTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2021-04-01T00:00:00Z"), ZoneOffset.UTC);

  @Test
  void shouldRefuseAnInvalidEventWithTheReason() {
    try (ScanPublisher publisher = publisher()) {
      ScanEvent hostName = event("mail.example.com");
      assertThatThrownBy(() -> publisher.publish(hostName))
          .isInstanceOf(InvalidScanEventException.class)
          .hasMessageContaining("ip:")
          .satisfies(
              e ->
                  assertThat(((InvalidScanEventException) e).reason())
                      .isEqualTo(RejectReason.INVALID_FIELD));
    }
  }

  @Test
  void shouldRefuseAWatermarkBefore2000() {
    try (ScanPublisher publisher = publisher()) {
      assertThatThrownBy(() -> publisher.watermark(Instant.parse("1999-12-31T23:59:59Z")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2000-01-01");
    }
  }

  @Test
  void shouldRequireBootstrapServersAndARegistry() {
    assertThatThrownBy(() -> ScanPublisher.builder().registry(new InMemorySchemaRegistry()).build())
        .hasMessageContaining("bootstrapServers");
    assertThatThrownBy(() -> ScanPublisher.builder().bootstrapServers("127.0.0.1:9").build())
        .hasMessageContaining("registry");
  }

  private static ScanPublisher publisher() {
    // nothing listens there: nothing may be sent for these tests to pass quickly
    return ScanPublisher.builder()
        .bootstrapServers("127.0.0.1:9")
        .registry(new InMemorySchemaRegistry())
        .clock(CLOCK)
        .property("max.block.ms", 1000)
        .build();
  }

  private static ScanEvent event(String ip) {
    return ScanEvent.newBuilder()
        .setScanner("s1")
        .setObservedAt(Instant.parse("2021-03-01T10:00:00Z"))
        .setIp(ip)
        .setVulnerability("CVE-2021-26855")
        .setStatus(ScanStatus.VULNERABLE)
        .build();
  }

  @Test
  void shouldRefuseAnEventLargerSerializedThanTheLimitAsTooLarge() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    registry.register("patchwatch.scans-value", ScanEvent.getClassSchema());
    try (ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers("127.0.0.1:9")
            .registry(registry)
            .clock(CLOCK)
            .property("max.block.ms", 1000)
            .maxEventBytes(4096)
            .build()) {
      ScanEvent big = event("192.0.2.1");
      big.setAttributes(java.util.Map.of("dump", "d".repeat(5000)));
      assertThatThrownBy(() -> publisher.publish(big))
          .isInstanceOf(InvalidScanEventException.class)
          .hasMessageMatching("serialized event is 50\\d\\d bytes, more than the limit of 4096.*")
          .satisfies(
              e ->
                  assertThat(((InvalidScanEventException) e).reason())
                      .isEqualTo(RejectReason.TOO_LARGE));
    }
  }

  @Test
  void shouldRefuseALimitBelowTheBytesARejectionKeeps() {
    assertThatThrownBy(() -> ScanPublisher.builder().maxEventBytes(1023))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1024");
  }
}
