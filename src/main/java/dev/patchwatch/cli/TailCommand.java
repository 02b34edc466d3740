package dev.patchwatch.cli;

import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.topology.AggregateJson;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tail}: prints an aggregate topic as a table or JSON lines. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Prints an aggregate topic from its beginning, as a table or JSON lines; --follow keeps"
          + " printing new records until Ctrl-C.",
      "TOPIC is hourly, daily, exposure, live, or a full topic name."
    })
final class TailCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    TABLE,
    JSON
  }

  private static final String ROW = "%-8s %-20s %-16s %-7s %-14s %9s %9s %9s %9s %9s %9s %9s%n";

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Parameters(paramLabel = "TOPIC", description = "hourly, daily, exposure, live, or a topic name.")
  String topic;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--follow", description = "Keep printing new records until Ctrl-C.")
  boolean follow;

  @Option(
      names = "--dimension",
      description = "Only this dimension: GLOBAL, COUNTRY, ASN or SCANNER.")
  String dimension;

  @Option(names = "--value", description = "Only this value, e.g. FR.")
  String value;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    Format output = parseFormat();
    Config config = connection.load();
    Topics topics =
        Topics.create(
            config.get(Config.TOPIC_PREFIX),
            config.get(Config.APPLICATION_ID),
            Registries.client(config));
    TopicSpec<CountKey, RemediationCount> spec = resolve(topics);

    PrintWriter out = this.spec.commandLine().getOut();
    Map<String, Object> consumerConfig = new HashMap<>();
    // fail within seconds, not a minute, when the cluster is not there; --kafka may change it
    consumerConfig.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    consumerConfig.putAll(config.kafkaProperties());
    consumerConfig.put(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Config.BOOTSTRAP_SERVERS));
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<CountKey, RemediationCount> consumer =
        new KafkaConsumer<>(
            consumerConfig, spec.keySerde().deserializer(), spec.valueSerde().deserializer())) {
      var info = consumer.partitionsFor(spec.name());
      if (info == null || info.isEmpty()) {
        throw new IllegalStateException(
            "topic " + spec.name() + " does not exist on " + config.get(Config.BOOTSTRAP_SERVERS));
      }
      List<TopicPartition> partitions =
          info.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      if (output == Format.TABLE) {
        out.printf(
            ROW,
            "GRAN",
            "WINDOW START",
            "VULNERABILITY",
            "DIM",
            "VALUE",
            "HOSTS",
            "VULN",
            "MITIG",
            "PATCHED",
            "UNREACH",
            "COMPROM",
            "REMED%");
      }
      while (follow || partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<CountKey, RemediationCount> record :
            consumer.poll(Duration.ofMillis(500))) {
          if (matches(record.key())) {
            print(out, output, record.key(), record.value());
          }
        }
        out.flush();
      }
    }
    return 0;
  }

  private Format parseFormat() {
    try {
      return Format.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--format must be table or json, got " + format);
    }
  }

  private TopicSpec<CountKey, RemediationCount> resolve(Topics topics) {
    return switch (topic.toLowerCase(Locale.ROOT)) {
      case "hourly" -> topics.countsHourly();
      case "daily" -> topics.countsDaily();
      case "exposure" -> topics.exposureDaily();
      case "live" -> topics.countsLive();
      default -> {
        for (TopicSpec<CountKey, RemediationCount> s :
            List.of(
                topics.countsHourly(),
                topics.countsDaily(),
                topics.exposureDaily(),
                topics.countsLive())) {
          if (s.name().equals(topic)) {
            yield s;
          }
        }
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "unknown topic "
                + topic
                + ": use hourly, daily, exposure, live, or one of "
                + List.of(
                    topics.countsHourly().name(),
                    topics.countsDaily().name(),
                    topics.exposureDaily().name(),
                    topics.countsLive().name()));
      }
    };
  }

  private boolean matches(CountKey key) {
    return (dimension == null || key.getDimension().name().equalsIgnoreCase(dimension))
        && (value == null || key.getValue().equals(value));
  }

  private static void print(PrintWriter out, Format format, CountKey key, RemediationCount count) {
    if (format == Format.JSON) {
      if (count == null) {
        out.println(removed(key));
      } else {
        out.println(AggregateJson.toJson(count));
      }
      return;
    }
    if (count == null) {
      out.printf(
          ROW,
          key.getGranularity(),
          key.getWindowStart(),
          key.getVulnerability(),
          key.getDimension(),
          key.getValue(),
          "-",
          "",
          "",
          "",
          "",
          "",
          "removed");
      return;
    }
    out.printf(
        ROW,
        count.getGranularity(),
        count.getWindowStart(),
        count.getVulnerability(),
        count.getDimension(),
        count.getValue(),
        count.getHosts(),
        count.getVulnerable(),
        count.getMitigated(),
        count.getPatched(),
        count.getUnreachable(),
        count.getCompromised(),
        count.getRemediatedRatio() == null
            ? "-"
            : String.format(Locale.ROOT, "%.1f", 100 * count.getRemediatedRatio()));
  }

  private static String removed(CountKey key) {
    var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    node.put("granularity", key.getGranularity().name());
    node.put("windowStart", key.getWindowStart().toString());
    node.put("vulnerability", key.getVulnerability());
    node.put("dimension", key.getDimension().name());
    node.put("value", key.getValue());
    node.put("removed", true);
    return node.toString();
  }
}
