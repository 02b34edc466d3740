package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.local.SharedRegistry;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tail transitions} and {@code tail cohorts} on a real broker and registry: records written
 * with the topics' serdes (today's dates), printed as a table and as the JSON lines {@code replay}
 * writes, filtered by slice, tombstones shown as removed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TailOutcomesIT {

  private static final String V = "CVE-2021-26855";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String prefix = SharedKafka.unique("tail-outcomes");
  private Topics topics;

  @BeforeAll
  void writeRecords() throws Exception {
    ConfluentRegistryClient registry =
        ConfluentRegistryClient.builder(SharedRegistry.url()).build();
    topics = Topics.create(prefix, prefix, registry);
    SharedKafka.provision(topics, 2);
    Topics.registerSchemas(topics, registry);
    send(
        topics.transitionsDaily(),
        List.of(
            transitionKey("2026-11-29", Dimension.GLOBAL, "ALL"),
            transitionKey("2026-11-30", Dimension.GLOBAL, "ALL"),
            transitionKey("2026-11-30", Dimension.COUNTRY, "FR"),
            transitionKey("2026-11-28", Dimension.GLOBAL, "ALL")),
        Arrays.asList(
            transition("2026-11-29", Dimension.GLOBAL, "ALL", 120, 9, 2, 4, 7),
            transition("2026-11-30", Dimension.GLOBAL, "ALL", 118, 6, 1, 0, 9),
            transition("2026-11-30", Dimension.COUNTRY, "FR", 20, 2, 0, 0, 3),
            null));
    send(
        topics.cohortsDaily(),
        List.of(
            cohortKey("2026-11-29", 0, Dimension.GLOBAL, "ALL"),
            cohortKey("2026-11-29", 1, Dimension.GLOBAL, "ALL"),
            cohortKey("2026-11-29", 1, Dimension.ASN, "64500"),
            cohortKey("2026-11-28", 2, Dimension.GLOBAL, "ALL")),
        Arrays.asList(
            cohort("2026-11-29", 0, Dimension.GLOBAL, "ALL", 40, 40, 40, 0, 0, 0),
            cohort("2026-11-29", 1, Dimension.GLOBAL, "ALL", 40, 36, 30, 2, 3, 1),
            cohort("2026-11-29", 1, Dimension.ASN, "64500", 8, 0, 0, 0, 0, 0),
            null));
  }

  @Test
  void shouldPrintTransitionsAsATable() {
    Cli cli = tail("transitions");
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    List<List<String>> lines = columns(cli.out());
    assertThat(lines.get(0))
        .containsExactly(
            "DAY",
            "VULNERABILITY",
            "DIM",
            "VALUE",
            "HOSTS",
            "REMEDIATED",
            "REGRESSED",
            "NEW",
            "COMPR",
            "COMPR+REMED");
    assertThat(lines.subList(1, lines.size()))
        .map(l -> String.join(" ", l))
        .containsExactlyInAnyOrder(
            "2026-11-29 " + V + " GLOBAL ALL 120 9 2 4 7",
            "2026-11-30 " + V + " GLOBAL ALL 118 6 1 0 9",
            "2026-11-30 " + V + " COUNTRY FR 20 2 0 0 3",
            "2026-11-28 " + V + " GLOBAL ALL - removed");
  }

  @Test
  void shouldPrintTransitionsAsTheLinesReplayWritesFilteredBySlice() throws Exception {
    Cli cli = tail("--format", "json", "--dimension", "country", "transitions");
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    List<String> lines = cli.out().lines().toList();
    assertThat(lines).hasSize(1);
    assertThat(JSON.readTree(lines.get(0)))
        .isEqualTo(
            JSON.readTree(
                "{\"kind\":\"transition\",\"windowStart\":\"2026-11-30T00:00:00Z\","
                    + "\"windowEnd\":\"2026-12-01T00:00:00Z\",\"vulnerability\":\""
                    + V
                    + "\",\"dimension\":\"COUNTRY\",\"value\":\"FR\",\"hosts\":20,"
                    + "\"remediated\":2,\"regressed\":0,\"newlyCompromised\":0,"
                    + "\"compromisedButRemediated\":3}"));
  }

  @Test
  void shouldPrintCohortsAsATableWithTheShareStillVulnerable() {
    // the full topic name works as well as the short one
    Cli cli = tail(topics.cohortsDaily().name());
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    List<List<String>> lines = columns(cli.out());
    assertThat(lines.get(0))
        .containsExactly(
            "COHORT",
            "AGE",
            "VULNERABILITY",
            "DIM",
            "VALUE",
            "SIZE",
            "OBSERVED",
            "VULN",
            "MITIG",
            "PATCHED",
            "UNREACH",
            "SURVIVAL%");
    assertThat(lines.subList(1, lines.size()))
        .map(l -> String.join(" ", l))
        .containsExactlyInAnyOrder(
            "2026-11-29 0 " + V + " GLOBAL ALL 40 40 40 0 0 0 100.0",
            "2026-11-29 1 " + V + " GLOBAL ALL 40 36 30 2 3 1 75.0",
            "2026-11-29 1 " + V + " ASN 64500 8 0 0 0 0 0 0.0",
            "2026-11-28 2 " + V + " GLOBAL ALL - removed");
  }

  @Test
  void shouldPrintCohortsAsJsonLines() throws Exception {
    Cli cli = tail("--format", "json", "--dimension", "GLOBAL", "cohorts");
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : cli.out().lines().toList()) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines)
        .extracting(
            n ->
                n.get("kind").asText()
                    + " "
                    + n.get("cohortDay").asText()
                    + "+"
                    + n.get("ageDays").asInt()
                    + " "
                    + (n.has("removed") ? "removed" : n.get("vulnerable").asLong()))
        .containsExactlyInAnyOrder(
            "cohort 2026-11-29T00:00:00Z+0 40",
            "cohort 2026-11-29T00:00:00Z+1 30",
            "cohort 2026-11-28T00:00:00Z+2 removed");
    JsonNode one =
        lines.stream().filter(n -> n.path("ageDays").asInt() == 1).findFirst().orElseThrow();
    assertThat(one.get("day").asText()).isEqualTo("2026-11-30T00:00:00Z");
    assertThat(one.get("cohortSize").asLong()).isEqualTo(40);
    assertThat(one.get("observed").asLong()).isEqualTo(36);
    assertThat(one.get("mitigated").asLong()).isEqualTo(2);
    assertThat(one.get("patched").asLong()).isEqualTo(3);
    assertThat(one.get("unreachable").asLong()).isEqualTo(1);
  }

  @Test
  void shouldNameTheNewTopicsWhenOneIsUnknown() {
    Cli cli = tail("cohort");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("transitions, cohorts").contains(topics.cohortsDaily().name());
  }

  private Cli tail(String... args) {
    List<Object> all = new ArrayList<>();
    all.add("tail");
    all.add(Cli.connection(SharedKafka.bootstrapServers(), SharedRegistry.url(), prefix));
    all.addAll(List.of(args));
    return Cli.run(all.toArray());
  }

  private static List<List<String>> columns(String out) {
    return out.lines().map(l -> List.of(l.trim().split("\\s+"))).toList();
  }

  private static <K, V> void send(TopicSpec<K, V> spec, List<K> keys, List<V> values)
      throws Exception {
    try (KafkaProducer<K, V> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedKafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            spec.keySerde().serializer(),
            spec.valueSerde().serializer())) {
      for (int i = 0; i < keys.size(); i++) {
        producer.send(new ProducerRecord<>(spec.name(), keys.get(i), values.get(i))).get();
      }
    }
  }

  private static CountKey transitionKey(String date, Dimension dimension, String value) {
    return new CountKey(Granularity.DAILY, day(date), V, dimension, value);
  }

  private static TransitionCount transition(
      String date,
      Dimension dimension,
      String value,
      long hosts,
      long remediated,
      long regressed,
      long newlyCompromised,
      long compromisedButRemediated) {
    return new TransitionCount(
        day(date),
        day(date).plus(Duration.ofDays(1)),
        V,
        dimension,
        value,
        hosts,
        remediated,
        regressed,
        newlyCompromised,
        compromisedButRemediated);
  }

  private static CohortKey cohortKey(String date, int age, Dimension dimension, String value) {
    return new CohortKey(V, day(date), age, dimension, value);
  }

  private static CohortCount cohort(
      String date,
      int age,
      Dimension dimension,
      String value,
      long size,
      long observed,
      long vulnerable,
      long mitigated,
      long patched,
      long unreachable) {
    return new CohortCount(
        V,
        day(date),
        age,
        day(date).plus(Duration.ofDays(age)),
        dimension,
        value,
        size,
        observed,
        vulnerable,
        mitigated,
        patched,
        unreachable);
  }

  private static Instant day(String date) {
    return Instant.parse(date + "T00:00:00Z");
  }
}
