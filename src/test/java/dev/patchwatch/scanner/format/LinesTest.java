package dev.patchwatch.scanner.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A line over the limit is cut, not held whole, and its full length is still known. */
class LinesTest {

  private static Lines lines(String text, int limit) {
    return new Lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), limit);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void shouldCutALineOverTheLimitButReportItsFullLengthAndReadOn() throws IOException {
    // longer than the 64 KiB read buffer too, so the line spans several reads
    String big = "x".repeat(200_000);
    Lines lines = lines("ab\n" + big + "\r\ncd", 10);

    assertThat(text(lines.next())).isEqualTo("ab");
    assertThat(lines.length()).isEqualTo(2);
    assertThat(text(lines.next())).isEqualTo("x".repeat(10));
    assertThat(lines.length()).isEqualTo(200_000);
    assertThat(lines.number()).isEqualTo(2);
    assertThat(text(lines.next())).isEqualTo("cd");
    assertThat(lines.length()).isEqualTo(2);
    assertThat(lines.next()).isNull();
  }

  @Test
  void shouldKeepALineOfExactlyTheLimitWholeWithoutItsTerminatorOrByteOrderMark()
      throws IOException {
    Lines lines = lines("\uFEFF0123456789\r\n0123456789a\n", 10);

    assertThat(text(lines.next())).isEqualTo("0123456789");
    assertThat(lines.length()).isEqualTo(10);
    byte[] cut = lines.next();
    assertThat(lines.length()).isEqualTo(11);
    assertThat(text(cut)).isEqualTo("0123456789");
  }
}
