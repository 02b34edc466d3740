package dev.patchwatch.event;

import static dev.patchwatch.event.Events.CONTRACT;
import static dev.patchwatch.event.Events.accepted;
import static dev.patchwatch.event.Events.full;
import static dev.patchwatch.event.Events.minimal;
import static dev.patchwatch.event.Events.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ToJsonTest {

  @Test
  void shouldWriteEveryFieldInSchemaOrder() {
    assertThat(EventContract.toJson(accepted(parse(full()))))
        .isEqualTo(
            "{\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"203.0.113.7\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\","
                + "\"country\":\"FR\",\"asn\":16276,\"compromised\":true,\"eventId\":\"scan-42\","
                + "\"port\":443,\"hostname\":\"mail.example.fr\",\"product\":\"Microsoft Exchange\","
                + "\"productVersion\":\"15.1.2176.2\","
                + "\"attributes\":{\"owa\":\"/owa/auth/x.js\",\"tag\":\"proxylogon\"}}");
  }

  @Test
  void shouldOmitAbsentOptionalsAndEmptyAttributes() {
    assertThat(EventContract.toJson(accepted(parse(minimal()))))
        .isEqualTo(
            "{\"scanner\":\"shadowserver\",\"observedAt\":\"2021-03-09T10:00:00.000Z\","
                + "\"ip\":\"203.0.113.7\",\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\","
                + "\"country\":\"ZZ\",\"asn\":0,\"compromised\":false}");
  }

  @Test
  void shouldWriteTimesInUtcWithMilliseconds() {
    ScanEvent event =
        accepted(parse(minimal().put("observedAt", "2021-03-01T11:00:00.1234+01:00")));
    assertThat(EventContract.toJson(event)).contains("\"observedAt\":\"2021-03-01T10:00:00.123Z\"");
  }

  @Test
  void shouldWriteAttributesSortedByKey() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("zeta", "1");
    attributes.put("alpha", "2");
    ScanEvent event = accepted(parse(minimal()));
    event.setAttributes(attributes);
    assertThat(EventContract.toJson(event))
        .endsWith("\"attributes\":{\"alpha\":\"2\",\"zeta\":\"1\"}}");
  }

  @Test
  void shouldKeepEmptyEventId() {
    ScanEvent event = accepted(parse(minimal().put("eventId", "")));
    assertThat(EventContract.toJson(event)).contains("\"eventId\":\"\"");
    assertThat(CONTRACT.parseJson(EventContract.toJson(event))).isEqualTo(new Parsed.Valid(event));
  }

  @Test
  void shouldReadBackWhatItWrites() {
    ObjectNode awkward =
        full()
            .put("ip", "2001:DB8:0:0:1:0:0:1")
            .put("product", "Exchange \"2019\" \\ \u00e9\t\ud83d\ude00");
    for (ObjectNode node : new ObjectNode[] {minimal(), full(), awkward}) {
      ScanEvent event = accepted(parse(node));
      assertThat(CONTRACT.parseJson(EventContract.toJson(event)))
          .isEqualTo(new Parsed.Valid(event));
    }
  }

  @Test
  void shouldReadBackRandomValidEvents() {
    Random random = new Random(20210318);
    String[] ips = {
      "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "1::", "::102:304", "64:ff9b::c000:201"
    };
    for (int run = 0; run < 2_000; run++) {
      Map<String, String> attributes = new LinkedHashMap<>();
      for (int i = random.nextInt(3); i > 0; i--) {
        attributes.put("k" + random.nextInt(10), "v\u00e9\"" + random.nextInt());
      }
      ScanEvent event =
          new ScanEvent(
              "s" + random.nextInt(5),
              Instant.ofEpochMilli(
                  946_684_800_000L + (long) (random.nextDouble() * 660_000_000_000L)),
              ips[random.nextInt(ips.length)],
              "CVE-2021-" + random.nextInt(30000),
              ScanStatus.values()[random.nextInt(4)],
              random.nextBoolean() ? "ZZ" : "FR",
              (long) random.nextInt(Integer.MAX_VALUE) * 2,
              random.nextBoolean(),
              random.nextBoolean() ? null : "id" + random.nextInt(),
              random.nextBoolean() ? null : random.nextInt(65536),
              random.nextBoolean() ? null : "h" + random.nextInt(),
              random.nextBoolean() ? null : "",
              random.nextBoolean() ? null : "1.0",
              attributes);
      String json = EventContract.toJson(event);
      assertThat(CONTRACT.parseJson(json)).as(json).isEqualTo(new Parsed.Valid(event));
    }
  }
}
