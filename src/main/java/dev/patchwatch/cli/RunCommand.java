package dev.patchwatch.cli;

import dev.patchwatch.query.Dashboard;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run}: the topology against an existing cluster and registry. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the topology against an existing Kafka cluster and schema registry until Ctrl-C.",
      "Settings come from --config, then PATCHWATCH_* environment variables, then flags; any"
          + " kafka.* setting (or --kafka KEY=VALUE) is a Kafka client property, e.g. SASL or TLS.",
      "Settings: %n@|bold   bootstrap.servers registry.url registry.basic.auth registry.bearer.token"
          + " registry.truststore.location registry.truststore.password topic.prefix application.id"
          + " partitions grace.hourly grace.daily grace.exposure lookback.days idle.timeout"
          + " live.interval exposure.live.interval state.dir store.type stream.threads"
          + " replication.factor"
          + " max.event.bytes http.port http.host http.token|@"
    })
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Option(names = "--config", paramLabel = "FILE", description = "A properties file of settings.")
  Path configFile;

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka bootstrap servers (bootstrap.servers).")
  String bootstrapServers;

  @Option(
      names = "--registry-url",
      description = "Confluent-compatible schema registry (registry.url).")
  String registryUrl;

  @Option(names = "--topic-prefix", description = "Prefix of every topic (topic.prefix).")
  String topicPrefix;

  @Option(
      names = "--application-id",
      description = "Kafka Streams application id (application.id).")
  String applicationId;

  @Option(
      names = "--partitions",
      description = "Scans topic partitions when creating it; 0 = existing or 6 (partitions).")
  String partitions;

  @Option(
      names = "--hourly-grace",
      description = "Grace of HOURLY windows, e.g. 1h (grace.hourly).")
  String hourlyGrace;

  @Option(names = "--daily-grace", description = "Grace of DAILY windows, e.g. 2h (grace.daily).")
  String dailyGrace;

  @Option(
      names = "--exposure-grace",
      description = "Grace of EXPOSURE windows, e.g. 2h (grace.exposure).")
  String exposureGrace;

  @Option(names = "--look-back-days", description = "EXPOSURE look-back in days (lookback.days).")
  String lookBackDays;

  @Option(
      names = "--idle-timeout",
      description = "Idle partition timeout, 0 = never (idle.timeout).")
  String idleTimeout;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any other setting.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description = "A Kafka client property, e.g. security.protocol=SASL_SSL.")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Config config = Config.load(Optional.ofNullable(configFile), System.getenv(), flags());
    PrintWriter out = spec.commandLine().getOut();
    ConfluentRegistryClient registry = Registries.client(config);
    Cluster cluster = ConnectionOptions.cluster(config);
    TopologySettings topology = config.topologySettings(cluster);
    short replication = config.get(Config.REPLICATION_FACTOR);
    ServiceShutdown shutdown = ServiceShutdown.onCtrlC();
    try (Pipeline pipeline =
        Pipeline.on(cluster, registry, topology)
            .stateDir(config.get(Config.STATE_DIR))
            .streamThreads(config.get(Config.STREAM_THREADS))
            .replicationFactor(replication > 0 ? Optional.of(replication) : Optional.empty())
            .onFailure(StreamThreadExceptionResponse.REPLACE_THREAD)
            .startTimeout(Duration.ofMinutes(5))
            .start()) {
      Topics topics = pipeline.topics();
      out.printf(
          "PatchWatch is running: application %s on %s, registry %s, %s with %d partitions (Ctrl-C to stop)%n",
          topology.applicationId(),
          cluster.bootstrapServers(),
          registry.baseUrl(),
          topics.scans().name(),
          topology.inputPartitions());
      out.flush();
      Optional<Dashboard> dashboard = Dashboards.start(config, cluster, pipeline, List.of(), out);
      try {
        shutdown.awaitRequest();
      } finally {
        dashboard.ifPresent(Dashboard::close);
      }
    } finally {
      shutdown.closed();
    }
    return 0;
  }

  private Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>(settings);
    put(flags, Config.BOOTSTRAP_SERVERS, bootstrapServers);
    put(flags, Config.REGISTRY_URL, registryUrl);
    put(flags, Config.TOPIC_PREFIX, topicPrefix);
    put(flags, Config.APPLICATION_ID, applicationId);
    put(flags, Config.PARTITIONS, partitions);
    put(flags, Config.HOURLY_GRACE, hourlyGrace);
    put(flags, Config.DAILY_GRACE, dailyGrace);
    put(flags, Config.EXPOSURE_GRACE, exposureGrace);
    put(flags, Config.LOOK_BACK_DAYS, lookBackDays);
    put(flags, Config.IDLE_TIMEOUT, idleTimeout);
    kafka.forEach((k, v) -> flags.put(Config.KAFKA_PREFIX + k, v));
    return flags;
  }

  private static void put(Map<String, String> flags, Setting<?> setting, String value) {
    if (value != null) {
      flags.put(setting.key(), value);
    }
  }
}
