package dev.patchwatch.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import dev.patchwatch.reference.ReferenceModel.LateEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generator must really produce the hard cases, or the property tests built on it prove little.
 */
class RandomEventsTest {

  private static final Pattern SCANNER = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern VULNERABILITY = Pattern.compile("[A-Z0-9._:-]{1,64}");
  private static final Pattern IPV4 =
      Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
  private static final Set<String> COUNTRIES =
      new HashSet<>(Arrays.asList(Locale.getISOCountries()));

  static {
    COUNTRIES.add("ZZ");
    COUNTRIES.add("XK");
  }

  @Test
  void shouldGenerateTheSameStreamForTheSameSeed() {
    List<String> first = lines(RandomEvents.generate(5L));
    List<String> again = lines(RandomEvents.generate(5L));
    List<String> other = lines(RandomEvents.generate(6L));

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L})
  void shouldGenerateValidNormalisedEvents(long seed) throws Exception {
    List<ScanEvent> events = RandomEvents.generate(seed);

    Instant march = Instant.parse("2021-03-01T00:00:00Z");
    Instant april = Instant.parse("2021-04-01T00:00:00Z");
    for (ScanEvent event : events) {
      assertThat(event.getScanner()).matches(SCANNER);
      assertThat(event.getVulnerability()).matches(VULNERABILITY);
      assertThat(event.getObservedAt()).isBetween(march, april);
      assertThat(event.getObservedAt().getNano() % 1_000_000).isZero();
      assertThat(event.getCountry()).isIn(COUNTRIES);
      assertThat(event.getAsn()).isBetween(0L, 4_294_967_295L);
      assertThat(event.getEventId() == null || event.getEventId().length() <= 128).isTrue();
      assertCanonicalIp(event.getIp());
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L})
  void shouldPlantTiesDuplicatesAndVariety(long seed) {
    List<ScanEvent> events = RandomEvents.generate(seed);

    Set<String> scanners = events.stream().map(ScanEvent::getScanner).collect(Collectors.toSet());
    Set<String> vulnerabilities =
        events.stream().map(ScanEvent::getVulnerability).collect(Collectors.toSet());
    Set<String> ips = events.stream().map(ScanEvent::getIp).collect(Collectors.toSet());
    assertThat(scanners).hasSizeBetween(3, 5);
    assertThat(vulnerabilities).hasSizeBetween(1, 3);
    assertThat(ips).hasSizeBetween(150, 250);
    assertThat(ips).anyMatch(ip -> ip.contains(":")).anyMatch(ip -> ip.contains("."));
    assertThat(events).extracting(ScanEvent::getStatus).contains(ScanStatus.values());
    assertThat(events)
        .anyMatch(ScanEvent::getCompromised)
        .anyMatch(event -> !event.getCompromised());
    assertThat(events).anyMatch(event -> event.getEventId() == null);
    assertThat(events).anyMatch(event -> event.getEventId() != null);

    Map<List<Object>, List<ScanEvent>> sameInstant =
        events.stream()
            .collect(
                Collectors.groupingBy(
                    event ->
                        List.of(event.getIp(), event.getVulnerability(), event.getObservedAt())));
    // tie on (observedAt, status), different scanners: the scanner decides
    assertThat(sameInstant.values())
        .anyMatch(
            group ->
                group.stream()
                    .collect(
                        Collectors.groupingBy(
                            ScanEvent::getStatus,
                            Collectors.mapping(ScanEvent::getScanner, Collectors.toSet())))
                    .values()
                    .stream()
                    .anyMatch(sameStatus -> sameStatus.size() > 1));
    // tie on observedAt, different statuses: the rank decides
    assertThat(sameInstant.values())
        .anyMatch(group -> group.stream().map(ScanEvent::getStatus).distinct().count() > 1);
    // tie on (observedAt, status, scanner), different eventIds
    assertThat(sameInstant.values())
        .anyMatch(
            group ->
                group.stream()
                    .collect(
                        Collectors.groupingBy(
                            event -> List.of(event.getStatus(), event.getScanner()),
                            Collectors.mapping(
                                event -> Objects.requireNonNullElse(event.getEventId(), ""),
                                Collectors.toSet())))
                    .values()
                    .stream()
                    .anyMatch(ids -> ids.size() > 1));
    // resent duplicates, some of them re-geolocated: only "the first stays" gets those right
    Map<String, Long> copies =
        lines(events).stream().collect(Collectors.groupingBy(line -> line, Collectors.counting()));
    assertThat(copies.values()).anyMatch(n -> n > 1);
    Map<List<Object>, Set<String>> countriesPerKey = new HashMap<>();
    for (ScanEvent event : events) {
      countriesPerKey
          .computeIfAbsent(
              List.of(
                  event.getIp(),
                  event.getVulnerability(),
                  event.getObservedAt(),
                  event.getStatus(),
                  event.getScanner(),
                  Objects.requireNonNullElse(event.getEventId(), "")),
              key -> new HashSet<>())
          .add(event.getCountry());
    }
    assertThat(countriesPerKey.values()).anyMatch(countries -> countries.size() > 1);
    // events on an hour edge and on midnight
    assertThat(events)
        .anyMatch(event -> event.getObservedAt().toEpochMilli() % ReferenceModel.HOUR_MS == 0);
    assertThat(events)
        .anyMatch(event -> event.getObservedAt().toEpochMilli() % ReferenceModel.DAY_MS == 0);
    assertThat(events)
        .anyMatch(
            event -> (event.getObservedAt().toEpochMilli() + 1) % ReferenceModel.HOUR_MS == 0);
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L})
  void shouldDeliverOutOfOrderButWithinTheMaxDisorder(long seed) {
    List<ScanEvent> events = RandomEvents.generate(seed);

    long maxDisorder = RandomEvents.Options.defaults().maxDisorder().toMillis();
    long greatestSoFar = Long.MIN_VALUE;
    long largestLag = 0;
    int outOfOrder = 0;
    for (ScanEvent event : events) {
      long observedAt = event.getObservedAt().toEpochMilli();
      if (observedAt < greatestSoFar) {
        outOfOrder++;
        largestLag = Math.max(largestLag, greatestSoFar - observedAt);
      }
      greatestSoFar = Math.max(greatestSoFar, observedAt);
    }
    assertThat(outOfOrder).isGreaterThan(events.size() / 10);
    assertThat(largestLag).isLessThanOrEqualTo(maxDisorder).isGreaterThan(maxDisorder / 2);
    // nothing LATE whatever the partition count: each partition lags at most as much as the whole
    // stream
    assertThat(ReferenceModel.compute(events, 1).late()).isEmpty();
    assertThat(ReferenceModel.compute(events, 4).late()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L})
  void shouldProduceLateEventsForEveryGranularityWhenAsked(long seed) {
    List<ScanEvent> events = RandomEvents.generate(seed, RandomEvents.Options.withLateEvents());

    List<LateEvent> late = ReferenceModel.compute(events, 3).late();

    assertThat(late).hasSizeGreaterThan(events.size() / 100);
    assertThat(late).flatExtracting(LateEvent::granularities).contains(Granularity.values());
  }

  @Test
  void shouldWriteCanonicalJsonLines(@TempDir Path dir) throws IOException {
    ScanEvent full =
        ScanEvent.newBuilder()
            .setScanner("censys-eu")
            .setObservedAt(Instant.parse("2021-03-10T10:00:00Z"))
            .setIp("2001:db8::2")
            .setVulnerability("CVE-2021-26855")
            .setStatus(ScanStatus.MITIGATED)
            .setCountry("FR")
            .setAsn(4_200_000_001L)
            .setCompromised(true)
            .setEventId("e-\uD83D\uDE00")
            .setPort(443)
            .setAttributes(Map.of())
            .build();
    ScanEvent bare =
        ScanEvent.newBuilder()
            .setScanner("s1")
            .setObservedAt(Instant.parse("2021-03-10T23:59:59.999Z"))
            .setIp("192.0.2.1")
            .setVulnerability("CVE-2021-26855")
            .setStatus(ScanStatus.UNREACHABLE)
            .setCountry("ZZ")
            .setAsn(0L)
            .setCompromised(false)
            .setEventId(null)
            .setAttributes(Map.of())
            .build();

    Path file = dir.resolve("events.jsonl");
    RandomEvents.writeJsonLines(List.of(full, bare), file);

    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
        .containsExactly(
            "{\"scanner\":\"censys-eu\",\"observedAt\":\"2021-03-10T10:00:00.000Z\",\"ip\":\"2001:db8::2\","
                + "\"vulnerability\":\"CVE-2021-26855\",\"status\":\"MITIGATED\",\"country\":\"FR\","
                + "\"asn\":4200000001,\"compromised\":true,\"eventId\":\"e-\uD83D\uDE00\",\"port\":443}",
            "{\"scanner\":\"s1\",\"observedAt\":\"2021-03-10T23:59:59.999Z\",\"ip\":\"192.0.2.1\","
                + "\"vulnerability\":\"CVE-2021-26855\",\"status\":\"UNREACHABLE\",\"country\":\"ZZ\","
                + "\"asn\":0,\"compromised\":false}");
  }

  @Test
  void shouldFormatIpv6AsRfc5952() {
    // the examples of RFC 5952 section 4
    assertThat(RandomEvents.canonicalIpv6(new int[] {0x2001, 0xdb8, 0, 0, 0, 0, 2, 1}))
        .isEqualTo("2001:db8::2:1");
    assertThat(RandomEvents.canonicalIpv6(new int[] {0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}))
        .isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(RandomEvents.canonicalIpv6(new int[] {0x2001, 0, 0, 1, 0, 0, 0, 1}))
        .isEqualTo("2001:0:0:1::1");
    assertThat(RandomEvents.canonicalIpv6(new int[] {0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(
            RandomEvents.canonicalIpv6(
                new int[] {0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0}))
        .isEqualTo("2001:db8:aaaa:bbbb:cccc:dddd:eeee:0");
  }

  @Test
  void shouldRejectLateOptionsThatAreNotLate() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> RandomEvents.Options.defaults().withLate(0.1, Duration.ofMinutes(30)));
  }

  private static List<String> lines(List<ScanEvent> events) {
    return events.stream().map(RandomEvents::toJsonLine).toList();
  }

  /** Parses the literal (no DNS for literals) and checks it prints back as given. */
  private static void assertCanonicalIp(String ip) throws Exception {
    if (ip.contains(":")) {
      assertThat(ip).doesNotContain(".").isEqualTo(ip.toLowerCase(Locale.ROOT));
      byte[] bytes = InetAddress.getByName(ip).getAddress();
      assertThat(bytes).hasSize(16);
      int[] groups = new int[8];
      for (int i = 0; i < 8; i++) {
        groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
      }
      assertThat(RandomEvents.canonicalIpv6(groups)).isEqualTo(ip);
      // not an IPv4-mapped address, which would have to be written as IPv4
      assertThat(Arrays.copyOf(groups, 6)).isNotEqualTo(new int[] {0, 0, 0, 0, 0, 0xffff});
    } else {
      assertThat(ip).matches(IPV4);
      assertThat(Arrays.stream(ip.split("\\.")).mapToInt(Integer::parseInt))
          .allMatch(octet -> octet <= 255);
    }
  }
}
