package dev.patchwatch.scanner.format;

import static dev.patchwatch.scanner.format.Formats.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatReaderTest {

  @Test
  void shouldValidateMappedRecordsWithTheContractAndPassUnmappedOnesThrough() throws Exception {
    ObjectNode valid = event("::FFFF:192.0.2.1");
    ObjectNode badCountry = event("192.0.2.2").put("country", "XX");
    InputFormat format =
        fixed(
            new SourceRecord.Mapped(1, utf8("one"), valid),
            new SourceRecord.Unmapped(2, utf8("two"), RejectReason.NOT_JSON, "not JSON: x"),
            new SourceRecord.Mapped(3, utf8("three"), badCountry));
    List<FormatReader.ReadResult> results = new ArrayList<>();

    new FormatReader(format, Formats.CONTRACT)
        .read(new ByteArrayInputStream(new byte[0]), results::add);

    assertThat(results).hasSize(3);
    FormatReader.ReadResult.Event first = (FormatReader.ReadResult.Event) results.get(0);
    assertThat(first.position()).isEqualTo(1);
    assertThat(first.original()).isEqualTo(utf8("one"));
    assertThat(first.event().getIp()).isEqualTo("192.0.2.1");
    assertThat(first.event().getStatus()).isEqualTo(ScanStatus.PATCHED);
    FormatReader.ReadResult.Rejection second = (FormatReader.ReadResult.Rejection) results.get(1);
    assertThat(second.position()).isEqualTo(2);
    assertThat(second.original()).isEqualTo(utf8("two"));
    assertThat(second.reason()).isEqualTo(RejectReason.NOT_JSON);
    assertThat(second.message()).isEqualTo("not JSON: x");
    FormatReader.ReadResult.Rejection third = (FormatReader.ReadResult.Rejection) results.get(2);
    assertThat(third.position()).isEqualTo(3);
    assertThat(third.original()).isEqualTo(utf8("three"));
    assertThat(third.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(third.message()).startsWith("country: \"XX\" is not an ISO 3166-1 alpha-2 code");
  }

  @Test
  void shouldRejectAnEventObservedMoreThanADayAfterTheFixedNow() throws Exception {
    ObjectNode future = event("192.0.2.3").put("observedAt", "2021-04-02T00:00:01Z");
    List<FormatReader.ReadResult> results = new ArrayList<>();

    new FormatReader(fixed(new SourceRecord.Mapped(1, utf8("x"), future)), Formats.CONTRACT)
        .read(new ByteArrayInputStream(new byte[0]), results::add);

    assertThat(Formats.render(results))
        .containsExactly(
            "1 INVALID_FIELD observedAt: 2021-04-02T00:00:01.000Z is more than 1 day after now"
                + " (2021-04-01T00:00:00.000Z)");
  }

  @Test
  void shouldPassOnTheFormatsIoException() {
    InputFormat failing =
        new Fixed(List.of()) {
          @Override
          public void read(InputStream in, RecordSink sink) throws IOException {
            throw new IOException("header row: unknown column \"x\"");
          }
        };

    assertThatThrownBy(
            () ->
                new FormatReader(failing, Formats.CONTRACT)
                    .read(new ByteArrayInputStream(new byte[0]), result -> {}))
        .isInstanceOf(IOException.class)
        .hasMessage("header row: unknown column \"x\"");
  }

  private static ObjectNode event(String ip) {
    return JsonLines.MAPPER
        .createObjectNode()
        .put("scanner", "test")
        .put("observedAt", "2021-03-09T10:00:00Z")
        .put("ip", ip)
        .put("vulnerability", "CVE-2021-26855")
        .put("status", "PATCHED");
  }

  private static InputFormat fixed(SourceRecord... records) {
    return new Fixed(List.of(records));
  }

  /** A format that reports the same records whatever it reads. */
  private static class Fixed implements InputFormat {
    private final List<SourceRecord> records;

    Fixed(List<SourceRecord> records) {
      this.records = records;
    }

    @Override
    public String name() {
      return "fixed";
    }

    @Override
    public String description() {
      return "fixed records, for tests";
    }

    @Override
    public void read(InputStream in, RecordSink sink) throws IOException {
      records.forEach(sink::accept);
    }
  }
}
