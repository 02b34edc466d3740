package dev.patchwatch.topology;

import static dev.patchwatch.topology.TopologyHarness.byDimension;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.registry.GenericAvroSerde;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * Scanners and the topology need not move to a new ScanEvent schema together: the topology (on the
 * current schema) counts records written with a newer schema that adds an optional field, and
 * records written with an older one that lacks a field it has since gained.
 */
class SchemaEvolutionTest {

  private static final Schema CURRENT = ScanEvent.getClassSchema();

  @Test
  void shouldCountEventsWrittenWithANewerSchemaThatAddsAnOptionalField() {
    Schema v2 =
        withField(
            CURRENT,
            new Schema.Field(
                "tlsFingerprint",
                nullableString(),
                "added in v2",
                Schema.Field.NULL_DEFAULT_VALUE));
    try (TopologyHarness h = new TopologyHarness()) {
      GenericRecord event = baseEvent(v2, "192.0.2.1", "2021-03-01T10:05:00Z");
      event.put("tlsFingerprint", "ab:cd");
      send(h, event);
      h.watermark("2021-03-02T00:00:00Z");
      Map<String, RemediationCount> finals =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(finals.get("GLOBAL/ALL").getHosts()).isEqualTo(1);
      assertThat(h.rejected.isEmpty()).isTrue();
    }
  }

  @Test
  void shouldCountEventsWrittenWithAnOlderSchemaLackingAFieldWithADefault() {
    // an older ScanEvent, before `country` (default ZZ) and `attributes` (default {}) existed
    Schema v0 = without(CURRENT, "country", "attributes");
    try (TopologyHarness h = new TopologyHarness()) {
      send(h, baseEvent(v0, "192.0.2.2", "2021-03-01T10:05:00Z"));
      h.watermark("2021-03-02T00:00:00Z");
      Map<String, RemediationCount> finals =
          byDimension(h.hourly.readKeyValuesToList(), "2021-03-01T10:00:00Z");
      assertThat(finals).containsKey("COUNTRY/ZZ");
      assertThat(finals.get("GLOBAL/ALL").getVulnerable()).isEqualTo(1);
    }
  }

  private static void send(TopologyHarness h, GenericRecord event) {
    GenericAvroSerde writer = new GenericAvroSerde(h.registry, false);
    byte[] value = writer.serializer().serialize(h.topics.scans().name(), event);
    h.rawScans.pipeInput(
        Serdes.String().serializer().serialize(null, event.get("ip").toString()), value);
  }

  private static GenericRecord baseEvent(Schema schema, String ip, String observedAt) {
    GenericRecord event = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      if (f.hasDefaultValue()) {
        event.put(f.name(), GenericData.get().getDefaultValue(f));
      }
    }
    event.put("scanner", "s1");
    event.put("observedAt", Instant.parse(observedAt).toEpochMilli());
    event.put("ip", ip);
    event.put("vulnerability", "CVE-2021-26855");
    event.put(
        "status", new GenericData.EnumSymbol(schema.getField("status").schema(), "VULNERABLE"));
    return event;
  }

  private static Schema nullableString() {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
  }

  private static Schema withField(Schema base, Schema.Field extra) {
    List<Schema.Field> fields = new java.util.ArrayList<>();
    base.getFields().forEach(f -> fields.add(copy(f)));
    fields.add(extra);
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }

  private static Schema without(Schema base, String... names) {
    List<String> dropped = List.of(names);
    List<Schema.Field> fields = new java.util.ArrayList<>();
    base.getFields().stream()
        .filter(f -> !dropped.contains(f.name()))
        .forEach(f -> fields.add(copy(f)));
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }

  private static Schema.Field copy(Schema.Field f) {
    return new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal());
  }
}
