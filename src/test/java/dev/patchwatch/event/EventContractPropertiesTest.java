package dev.patchwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.ScanEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The event contract on hostile input, as properties: whatever the bytes or the JSON, a line is
 * either a valid, canonical event or a rejection with a reason and a one-line message, and never an
 * exception. Today's clock, so future and far-past instants are judged as on a live cluster.
 */
class EventContractPropertiesTest {

  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private static final EventContract CONTRACT =
      new EventContract(Clock.fixed(NOW, ZoneOffset.UTC), 4096);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> FIELDS =
      List.of(
          "scanner",
          "observedAt",
          "ip",
          "vulnerability",
          "status",
          "country",
          "asn",
          "compromised",
          "eventId",
          "port",
          "hostname",
          "product",
          "version",
          "attributes");

  @Property(tries = 2000)
  void arbitraryBytesAreRejectedWithAReason(@ForAll @Size(max = 6000) byte[] line) {
    Parsed parsed = JsonLine.event(line, line.length, CONTRACT);
    assertRejected(parsed);
    JsonLine.Read read = JsonLine.eventObject(line, line.length, CONTRACT);
    assertThat(read.object() == null).isNotEqualTo(read.problem() == null);
    assertThat(read.object()).isNull();
  }

  @Property(tries = 500)
  void arbitraryJsonIsAValidCanonicalEventOrARejection(@ForAll("events") JsonNode tree)
      throws Exception {
    byte[] line = JSON.writeValueAsBytes(tree);
    Parsed parsed = JsonLine.event(line, line.length, CONTRACT);
    if (parsed instanceof Parsed.Valid valid) {
      // accepted: canonical, so normalising or writing and reading it again changes nothing
      ScanEvent event = valid.event();
      assertThat(CONTRACT.normalize(event)).isEqualTo(new Parsed.Valid(event));
      byte[] again = EventContract.toJson(event).getBytes(StandardCharsets.UTF_8);
      assertThat(JsonLine.event(again, again.length, CONTRACT)).isEqualTo(new Parsed.Valid(event));
      assertThat(event.getObservedAt()).isBeforeOrEqualTo(NOW.plus(EventContract.MAX_AHEAD));
    } else {
      assertRejected(parsed);
    }
    // the tree reader and the line reader agree on every line
    JsonLine.Read read = JsonLine.eventObject(line, line.length, CONTRACT);
    if (read.object() != null) {
      assertThat(CONTRACT.fromJson(read.object())).isEqualTo(parsed);
    } else {
      assertThat(parsed).isInstanceOf(Parsed.Invalid.class);
    }
  }

  @Property(tries = 2000)
  void damagedValidLinesAreValidOrRejectedNeverThrown(
      @ForAll("damage") Damage damage, @ForAll("validLine") byte[] valid) {
    byte[] line = damage.apply(valid);
    Parsed parsed = JsonLine.event(line, line.length, CONTRACT);
    if (parsed instanceof Parsed.Invalid) {
      assertRejected(parsed);
    }
  }

  @Property(tries = 200)
  void linesOverTheLimitAreTooLargeWhateverTheyHold(
      @ForAll @Size(min = 4097, max = 20_000) byte[] line) {
    Parsed parsed = JsonLine.event(line, line.length, CONTRACT);
    assertThat(parsed).isInstanceOf(Parsed.Invalid.class);
    assertThat(((Parsed.Invalid) parsed).reason().name()).isEqualTo("TOO_LARGE");
  }

  private static void assertRejected(Parsed parsed) {
    assertThat(parsed).isInstanceOf(Parsed.Invalid.class);
    Parsed.Invalid invalid = (Parsed.Invalid) parsed;
    assertThat(invalid.reason()).isNotNull();
    assertThat(invalid.message()).isNotBlank().doesNotContain("\n").doesNotContain("\r");
  }

  /** Objects made mostly of the contract's own field names, with values of any JSON type. */
  @Provide
  Arbitrary<JsonNode> events() {
    Arbitrary<String> keys =
        Arbitraries.oneOf(
            Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(12), Arbitraries.just(""));
    return Arbitraries.maps(keys, values(2))
        .ofMaxSize(16)
        .map(
            fields -> {
              ObjectNode node = JsonNodeFactory.instance.objectNode();
              fields.forEach(node::set);
              return node;
            });
  }

  private Arbitrary<JsonNode> values(int depth) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    Arbitrary<JsonNode> scalar =
        Arbitraries.oneOf(
            Arbitraries.just(f.nullNode()),
            Arbitraries.of(true, false).map(f::booleanNode),
            Arbitraries.longs().map(f::numberNode),
            Arbitraries.doubles().map(f::numberNode),
            Arbitraries.bigIntegers()
                .between(
                    java.math.BigInteger.TWO.pow(70).negate(), java.math.BigInteger.TWO.pow(70))
                .map(f::numberNode),
            Arbitraries.strings().ofMaxLength(80).map(f::textNode),
            // plausible values, so that some events pass and the checks past parsing are reached
            Arbitraries.of(
                    "shadowserver",
                    "CVE-2021-26855",
                    "VULNERABLE",
                    "PATCHED",
                    "vulnerable",
                    "FR",
                    "XK",
                    "fr",
                    "192.0.2.7",
                    "2001:db8::1",
                    "fe80::1%eth0",
                    "::ffff:192.0.2.7",
                    "mail.example.com",
                    "10.0.0.256",
                    "2026-11-30T10:00:00Z",
                    "2026-12-01T12:00:00Z",
                    "2026-12-03T00:00:00Z",
                    "1970-01-01T00:00:00Z",
                    "9999-12-31T23:59:59Z",
                    "2021-03-09T10:00:00+01:00",
                    "2026-02-30T00:00:00Z",
                    "\u0000",
                    "\ud800")
                .map(f::textNode),
            Arbitraries.of(0L, 65535L, 65536L, 4294967295L, 4294967296L, -1L, 1764590400000L)
                .map(f::numberNode));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<JsonNode> array =
        values(depth - 1)
            .list()
            .ofMaxSize(4)
            .map(
                items -> {
                  ArrayNode node = f.arrayNode();
                  items.forEach(node::add);
                  return node;
                });
    Arbitrary<JsonNode> object =
        Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), values(depth - 1))
            .ofMaxSize(4)
            .map(
                fields -> {
                  ObjectNode node = f.objectNode();
                  fields.forEach(node::set);
                  return node;
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, scalar),
        net.jqwik.api.Tuple.of(1, array),
        net.jqwik.api.Tuple.of(1, object));
  }

  @Provide
  Arbitrary<byte[]> validLine() {
    return Arbitraries.of(
            "{\"scanner\":\"shadowserver\",\"observedAt\":\"2026-11-30T10:00:00Z\",\"ip\":\"192.0.2.7\","
                + "\"vulnerability\":\"CVE-2021-26855\",\"status\":\"VULNERABLE\",\"country\":\"FR\","
                + "\"asn\":16276,\"attributes\":{\"banner\":\"Exchange 2016\"}}",
            "{\"scanner\":\"nuclei_fr-01\",\"observedAt\":\"2021-03-09T10:00:00.123Z\","
                + "\"ip\":\"2001:db8::1\",\"vulnerability\":\"CVE-2021-27065\",\"status\":\"PATCHED\"}")
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
  }

  /** One way to damage a line: cut it, change a byte, or put a byte in. */
  record Damage(int kind, int position, byte value) {
    byte[] apply(byte[] line) {
      int at = Math.floorMod(position, line.length);
      return switch (kind) {
        case 0 -> Arrays.copyOf(line, at);
        case 1 -> {
          byte[] copy = line.clone();
          copy[at] = value;
          yield copy;
        }
        default -> {
          byte[] copy = new byte[line.length + 1];
          System.arraycopy(line, 0, copy, 0, at);
          copy[at] = value;
          System.arraycopy(line, at, copy, at + 1, line.length - at);
          yield copy;
        }
      };
    }
  }

  @Provide
  Arbitrary<Damage> damage() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers(),
            Arbitraries.oneOf(
                Arbitraries.bytes(),
                Arbitraries.of((byte) 0, (byte) 0xC0, (byte) 0xED, (byte) 0xFF, (byte) '"')))
        .as(Damage::new);
  }
}
