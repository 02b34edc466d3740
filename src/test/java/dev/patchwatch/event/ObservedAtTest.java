package dev.patchwatch.event;

import static dev.patchwatch.event.Events.NOW;
import static dev.patchwatch.event.Events.accepted;
import static dev.patchwatch.event.Events.minimal;
import static dev.patchwatch.event.Events.parse;
import static dev.patchwatch.event.Events.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.ScanEvent;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObservedAtTest {

  private static Instant observedAt(String text) {
    return accepted(parse(minimal().put("observedAt", text))).getObservedAt();
  }

  private static Parsed.Invalid rejectedAt(String text) {
    return rejected(parse(minimal().put("observedAt", text)));
  }

  @Test
  void shouldAcceptInstantInUtc() {
    assertThat(observedAt("2021-03-01T10:00:00Z")).isEqualTo("2021-03-01T10:00:00Z");
  }

  @Test
  void shouldAcceptInstantWithoutSeconds() {
    assertThat(observedAt("2021-03-01T10:00Z")).isEqualTo("2021-03-01T10:00:00Z");
  }

  @Test
  void shouldApplyPositiveOffset() {
    assertThat(observedAt("2021-03-01T10:00:00+01:00")).isEqualTo("2021-03-01T09:00:00Z");
  }

  @Test
  void shouldApplyNegativeOffsetWithoutSeconds() {
    assertThat(observedAt("2021-03-01T10:00-05:30")).isEqualTo("2021-03-01T15:30:00Z");
  }

  @Test
  void shouldTruncateSubMillisecondDigits() {
    assertThat(observedAt("2021-03-01T10:00:00.123456789Z")).isEqualTo("2021-03-01T10:00:00.123Z");
  }

  @Test
  void shouldTruncateRatherThanRoundFractions() {
    assertThat(observedAt("2021-03-01T10:00:00.9999Z")).isEqualTo("2021-03-01T10:00:00.999Z");
  }

  @Test
  void shouldReadShortFractionsAsTenths() {
    assertThat(observedAt("2021-03-01T10:00:00.5+01:00")).isEqualTo("2021-03-01T09:00:00.500Z");
  }

  @Test
  void shouldAcceptEpochMillisecondsAsJsonInteger() {
    ScanEvent event = accepted(parse(minimal().put("observedAt", 1614592800123L)));
    assertThat(event.getObservedAt()).isEqualTo("2021-03-01T10:00:00.123Z");
  }

  @Test
  void shouldRejectEpochMillisecondsAsString() {
    Parsed.Invalid invalid = rejectedAt("1614592800000");
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message())
        .startsWith("observedAt: \"1614592800000\"")
        .contains("JSON integer");
  }

  @Test
  void shouldRejectEpochMillisecondsWithFraction() {
    Parsed.Invalid invalid = rejected(parse(minimal().put("observedAt", 1614592800000.5)));
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message()).startsWith("observedAt: expected").contains("1.6145928000005E12");
  }

  @Test
  void shouldRejectEpochMillisecondsInExponentNotation() {
    Parsed.Invalid invalid =
        rejected(
            Events.CONTRACT.parseJson(
                minimal().toString().replace("\"2021-03-09T10:00:00Z\"", "1.6145928E12")));
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message()).startsWith("observedAt:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2021-03-01t10:00:00Z", "2021-03-01T10:00:00z", "2021-03-01t10:00z"})
  void shouldRejectLowerCaseTAndZ(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"2021-03-01T10:00:00+0100", "2021-03-01T10:00+0100", "2021-03-01T10:00:00-0530"})
  void shouldRejectOffsetWithoutColon(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2021-03-01T10:00:00+01",
        "2021-03-01T10:00:00+01:00:00",
        "2021-03-01T10:00:00+1:00"
      })
  void shouldRejectOffsetNotWrittenAsHoursAndMinutes(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2021-03-01T10:00:00", "2021-03-01T10:00", "2021-03-01T10:00:00.123"})
  void shouldRejectMissingOffset(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2021-03-01", "2021-03-01Z", "2021-03-01T10Z"})
  void shouldRejectDateWithoutTime(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2021-03-01T10:00:00[Europe/Paris]",
        "2021-03-01T10:00:00+01:00[Europe/Paris]",
        "2021-03-01T10:00:00 UTC"
      })
  void shouldRejectZoneNames(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2021-03-01 10:00:00Z",
        "20210301T100000Z",
        "2021-3-1T10:00:00Z",
        "+2021-03-01T10:00:00Z"
      })
  void shouldRejectOtherSpellings(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2021-02-29T10:00:00Z",
        "2021-04-31T10:00:00Z",
        "2021-13-01T10:00:00Z",
        "2021-03-01T24:00:00Z",
        "2021-03-01T10:60:00Z",
        "2020-12-31T23:59:60Z"
      })
  void shouldRejectImpossibleDatesAndTimes(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @Test
  void shouldAcceptLeapDay() {
    assertThat(observedAt("2020-02-29T10:00:00Z")).isEqualTo("2020-02-29T10:00:00Z");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2021-03-01T10:00:00.Z",
        "2021-03-01T10:00:00.1234567890Z",
        "2021-03-01T10:00:00,5Z",
        "2021-03-01T10:00.5Z"
      })
  void shouldRejectMalformedFractions(String text) {
    assertThat(rejectedAt(text).reason()).isEqualTo(RejectReason.INVALID_FIELD);
  }

  @Test
  void shouldShowExampleInFormatMessage() {
    assertThat(rejectedAt("yesterday").message())
        .isEqualTo(
            "observedAt: \"yesterday\" is not an ISO-8601 instant with Z or ±hh:mm (e.g. 2021-03-01T10:00:00Z or 2021-03-01T11:00+01:00)");
  }

  @Test
  void shouldAcceptTheFirstInstantOf2000() {
    assertThat(observedAt("2000-01-01T00:00:00Z")).isEqualTo("2000-01-01T00:00:00Z");
  }

  @Test
  void shouldRejectInstantsBefore2000() {
    Parsed.Invalid invalid = rejectedAt("1999-12-31T23:59:59.999Z");
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message())
        .isEqualTo("observedAt: 1999-12-31T23:59:59.999Z is before 2000-01-01T00:00:00.000Z");
  }

  @Test
  void shouldCheckTheEarliestInstantAfterApplyingTheOffset() {
    // 00:30 in Paris on New Year's Day 2000 is still 1999 in UTC
    assertThat(rejectedAt("2000-01-01T00:30:00+01:00").reason())
        .isEqualTo(RejectReason.INVALID_FIELD);
  }

  @Test
  void shouldRejectNegativeEpochMilliseconds() {
    assertThat(rejected(parse(minimal().put("observedAt", -1L))).message())
        .isEqualTo("observedAt: 1969-12-31T23:59:59.999Z is before 2000-01-01T00:00:00.000Z");
  }

  @Test
  void shouldAcceptInstantExactlyOneDayAhead() {
    assertThat(observedAt("2021-03-21T12:00:00Z")).isEqualTo(NOW.plus(Duration.ofDays(1)));
  }

  @Test
  void shouldRejectInstantMoreThanOneDayAhead() {
    Parsed.Invalid invalid = rejectedAt("2021-03-21T12:00:00.001Z");
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message())
        .isEqualTo(
            "observedAt: 2021-03-21T12:00:00.001Z is more than 1 day after now (2021-03-20T12:00:00.000Z)");
  }

  @Test
  void shouldCompareTheTruncatedInstantWithTheFutureLimit() {
    // 0.0009 ms past the limit is dropped by truncation, so the stored time is the limit itself
    assertThat(observedAt("2021-03-21T12:00:00.000999Z")).isEqualTo("2021-03-21T12:00:00Z");
  }

  @Test
  void shouldTakeNowFromTheInjectedClock() {
    ObjectNode event = minimal().put("observedAt", "2021-03-21T12:00:00Z");
    EventContract dayBefore =
        new EventContract(Clock.fixed(NOW.minus(Duration.ofDays(1)), ZoneOffset.UTC));
    assertThat(Events.CONTRACT.parseJson(event.toString())).isInstanceOf(Parsed.Valid.class);
    assertThat(dayBefore.parseJson(event.toString())).isInstanceOf(Parsed.Invalid.class);
  }

  @Test
  void shouldRejectEpochMillisecondsBeyondALong() {
    Parsed.Invalid invalid =
        rejected(parse(minimal().put("observedAt", new BigInteger("99999999999999999999999"))));
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message()).startsWith("observedAt: 99999999999999999999999");
  }

  @Test
  void shouldRejectObservedAtOfWrongJsonType() {
    Parsed.Invalid invalid = rejected(parse(minimal().put("observedAt", true)));
    assertThat(invalid.reason()).isEqualTo(RejectReason.INVALID_FIELD);
    assertThat(invalid.message())
        .isEqualTo(
            "observedAt: expected an ISO-8601 string or epoch milliseconds as a JSON integer, got true");
  }

  @Test
  void shouldRejectMissingObservedAt() {
    Parsed.Invalid invalid = rejected(parse(minimal().without("observedAt")));
    assertThat(invalid.reason()).isEqualTo(RejectReason.MISSING_FIELD);
    assertThat(invalid.message()).startsWith("observedAt:");
  }

  @Test
  void shouldRejectNullObservedAtAsMissing() {
    assertThat(rejected(parse(minimal().putNull("observedAt"))).reason())
        .isEqualTo(RejectReason.MISSING_FIELD);
  }

  @Test
  void shouldParseCommonShapeExactlyAsTheFormatterDoes() {
    Random random = new Random(20210309);
    Instant from = Instant.parse("2000-01-01T00:00:00Z");
    for (int run = 0; run < 20_000; run++) {
      Instant instant =
          from.plusSeconds(random.nextInt(Integer.MAX_VALUE))
              .plusNanos(random.nextInt(1_000_000_000));
      int digits = random.nextInt(10);
      String pattern =
          "uuuu-MM-dd'T'HH:mm:ss" + (digits == 0 ? "" : "." + "S".repeat(digits)) + "'Z'";
      String text = DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC).format(instant);
      Instant fast = Instants.parseUtcSeconds(text);
      assertThat(fast).as(text).isNotNull().isEqualTo(Instants.parseWithFormatter(text));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2021-02-29T10:00:00Z",
        "2021-04-31T10:00:00Z",
        "2021-00-01T10:00:00Z",
        "2021-03-00T10:00:00Z",
        "2021-03-01T24:00:00Z",
        "2021-03-01T10:60:00Z",
        "2020-12-31T23:59:60Z",
        "2021-03-01T10:00:00.Z",
        "2021-03-01T10:0a:00Z",
        "2021-03-01T10:00:00.1a3Z"
      })
  void shouldLeaveInvalidCommonShapesToTheFormatter(String text) {
    assertThat(Instants.parseUtcSeconds(text)).isNull();
    assertThat(Instants.parseWithFormatter(text)).isNull();
  }
}
