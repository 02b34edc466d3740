package dev.patchwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CohortKey;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.topology.AggregateJson;
import dev.patchwatch.topology.TopicSpec;
import dev.patchwatch.topology.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
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
      "TOPIC is hourly, daily, exposure, live, transitions, cohorts, or a full topic name."
    })
final class TailCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    TABLE,
    JSON
  }

  /**
   * How one topic's records print: the table's header and a row, the JSON line; each row and line
   * built from the key, the value null for a tombstone.
   */
  private record Printer<K, V>(
      String format,
      Object[] header,
      Function<K, Dimension> dimension,
      Function<K, String> value,
      BiFunction<K, V, Object[]> row,
      BiFunction<K, V, String> json) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String ROW = "%-8s %-20s %-16s %-7s %-14s %9s %9s %9s %9s %9s %9s %9s%n";
  private static final String TRANSITION_ROW = "%-10s %-16s %-7s %-14s %9s %10s %9s %9s %11s%n";
  private static final String COHORT_ROW =
      "%-10s %3s %-16s %-7s %-14s %9s %9s %9s %9s %9s %9s %9s%n";

  private static final Printer<CountKey, RemediationCount> COUNTS =
      new Printer<>(
          ROW,
          new Object[] {
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
            "REMED%"
          },
          CountKey::getDimension,
          CountKey::getValue,
          TailCommand::countRow,
          (key, count) -> count == null ? removed(key) : AggregateJson.toJson(count));

  private static final Printer<CountKey, TransitionCount> TRANSITIONS =
      new Printer<>(
          TRANSITION_ROW,
          new Object[] {
            "DAY",
            "VULNERABILITY",
            "DIM",
            "VALUE",
            "HOSTS",
            "REMEDIATED",
            "REGRESSED",
            "NEW COMPR",
            "COMPR+REMED"
          },
          CountKey::getDimension,
          CountKey::getValue,
          TailCommand::transitionRow,
          (key, t) -> {
            if (t != null) {
              return AggregateJson.toJson(t);
            }
            ObjectNode node = JSON.createObjectNode();
            node.put("kind", "transition");
            node.put("windowStart", key.getWindowStart().toString());
            node.put("vulnerability", key.getVulnerability());
            node.put("dimension", key.getDimension().name());
            node.put("value", key.getValue());
            node.put("removed", true);
            return node.toString();
          });

  private static final Printer<CohortKey, CohortCount> COHORTS =
      new Printer<>(
          COHORT_ROW,
          new Object[] {
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
            "SURVIVAL%"
          },
          CohortKey::getDimension,
          CohortKey::getValue,
          TailCommand::cohortRow,
          (key, c) -> {
            if (c != null) {
              return AggregateJson.toJson(c);
            }
            ObjectNode node = JSON.createObjectNode();
            node.put("kind", "cohort");
            node.put("vulnerability", key.getVulnerability());
            node.put("cohortDay", key.getCohortDay().toString());
            node.put("ageDays", key.getAgeDays());
            node.put("dimension", key.getDimension().name());
            node.put("value", key.getValue());
            node.put("removed", true);
            return node.toString();
          });

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Parameters(
      paramLabel = "TOPIC",
      description = "hourly, daily, exposure, live, transitions, cohorts, or a topic name.")
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
    String name = topic.toLowerCase(Locale.ROOT);
    if (name.equals("transitions") || topic.equals(topics.transitionsDaily().name())) {
      return tail(config, topics.transitionsDaily(), TRANSITIONS, output);
    }
    if (name.equals("cohorts") || topic.equals(topics.cohortsDaily().name())) {
      return tail(config, topics.cohortsDaily(), COHORTS, output);
    }
    return tail(config, resolve(topics), COUNTS, output);
  }

  private <K, V> int tail(
      Config config, TopicSpec<K, V> spec, Printer<K, V> printer, Format output) {
    PrintWriter out = this.spec.commandLine().getOut();
    Map<String, Object> consumerConfig = new HashMap<>();
    // fail within seconds, not a minute, when the cluster is not there; --kafka may change it
    consumerConfig.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    consumerConfig.putAll(config.kafkaProperties());
    consumerConfig.put(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Config.BOOTSTRAP_SERVERS));
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<K, V> consumer =
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
        out.printf(printer.format(), printer.header());
      }
      while (follow || partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(500))) {
          if (matches(
              printer.dimension().apply(record.key()), printer.value().apply(record.key()))) {
            if (output == Format.JSON) {
              out.println(printer.json().apply(record.key(), record.value()));
            } else {
              out.printf(printer.format(), printer.row().apply(record.key(), record.value()));
            }
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
                + ": use hourly, daily, exposure, live, transitions, cohorts, or one of "
                + List.of(
                    topics.countsHourly().name(),
                    topics.countsDaily().name(),
                    topics.exposureDaily().name(),
                    topics.countsLive().name(),
                    topics.transitionsDaily().name(),
                    topics.cohortsDaily().name()));
      }
    };
  }

  private boolean matches(Dimension keyDimension, String keyValue) {
    return (dimension == null || keyDimension.name().equalsIgnoreCase(dimension))
        && (value == null || keyValue.equals(value));
  }

  private static Object[] countRow(CountKey key, RemediationCount count) {
    if (count == null) {
      return new Object[] {
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
        "removed"
      };
    }
    return new Object[] {
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
      count.getRemediatedRatio() == null ? "-" : percent(count.getRemediatedRatio())
    };
  }

  private static Object[] transitionRow(CountKey key, TransitionCount t) {
    if (t == null) {
      return new Object[] {
        day(key.getWindowStart()),
        key.getVulnerability(),
        key.getDimension(),
        key.getValue(),
        "-",
        "",
        "",
        "",
        "removed"
      };
    }
    return new Object[] {
      day(t.getWindowStart()),
      t.getVulnerability(),
      t.getDimension(),
      t.getValue(),
      t.getHosts(),
      t.getRemediated(),
      t.getRegressed(),
      t.getNewlyCompromised(),
      t.getCompromisedButRemediated()
    };
  }

  /** SURVIVAL%: the share of the cohort still VULNERABLE at that age. */
  private static Object[] cohortRow(CohortKey key, CohortCount c) {
    if (c == null) {
      return new Object[] {
        day(key.getCohortDay()),
        key.getAgeDays(),
        key.getVulnerability(),
        key.getDimension(),
        key.getValue(),
        "-",
        "",
        "",
        "",
        "",
        "",
        "removed"
      };
    }
    return new Object[] {
      day(c.getCohortDay()),
      c.getAgeDays(),
      c.getVulnerability(),
      c.getDimension(),
      c.getValue(),
      c.getCohortSize(),
      c.getObserved(),
      c.getVulnerable(),
      c.getMitigated(),
      c.getPatched(),
      c.getUnreachable(),
      c.getCohortSize() == 0 ? "-" : percent((double) c.getVulnerable() / c.getCohortSize())
    };
  }

  private static String percent(double ratio) {
    return String.format(Locale.ROOT, "%.1f", 100 * ratio);
  }

  /** A UTC midnight as its date: these topics hold whole days. */
  private static String day(Instant midnight) {
    return midnight.toString().substring(0, 10);
  }

  private static String removed(CountKey key) {
    ObjectNode node = JSON.createObjectNode();
    node.put("granularity", key.getGranularity().name());
    node.put("windowStart", key.getWindowStart().toString());
    node.put("vulnerability", key.getVulnerability());
    node.put("dimension", key.getDimension().name());
    node.put("value", key.getValue());
    node.put("removed", true);
    return node.toString();
  }
}
