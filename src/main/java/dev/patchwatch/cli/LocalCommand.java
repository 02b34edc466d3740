package dev.patchwatch.cli;

import dev.patchwatch.local.DataDirectory;
import dev.patchwatch.local.EmbeddedKafka;
import dev.patchwatch.local.LocalCertificates;
import dev.patchwatch.local.LocalCredentials;
import dev.patchwatch.local.LocalStack;
import dev.patchwatch.local.PortInUseException;
import dev.patchwatch.query.Dashboard;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code local}: broker, registry and topology on this machine, for real scanners to plug into. */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole stack on this machine until Ctrl-C: an embedded Kafka broker, a local schema"
          + " registry (Apicurio) and the topology, with data kept in --data-dir across restarts.",
      "Scanners publish to the printed addresses; `patchwatch tail` reads the results."
    })
final class LocalCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Option(
      names = "--data-dir",
      defaultValue = "patchwatch-data",
      description =
          "Where Kafka, the registry and the topology keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description = "Kafka port on 127.0.0.1, 0 for a free one (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--registry-port",
      defaultValue = "8081",
      description =
          "Schema registry port on 127.0.0.1, 0 for a free one (default: ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(
      names = "--registry-url",
      description = "Use this Confluent-compatible registry instead of starting one.")
  String registryUrl;

  @Option(
      names = "--partitions",
      description =
          "Partitions of the scans topic (setting partitions); by default the existing topic's, or"
              + " 6 when creating it.")
  Integer partitions;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      description =
          "A partition without records this long stops holding windows back; 0 never (setting"
              + " idle.timeout, default 5m).")
  String idleTimeout;

  @Option(
      names = "--live-interval",
      paramLabel = "DURATION",
      description = "How often live counts are published (setting live.interval, default 250ms).")
  String liveInterval;

  @Option(
      names = "--auth",
      description =
          "Authenticate and authorise: SCRAM-SHA-512 users admin, patchwatch, scanner and reader"
              + " with random passwords and ready --config files in <data-dir>/credentials,"
              + " least-privilege ACLs, and a registry that refuses deletes and compatibility"
              + " changes. Fixed when the data directory is created.")
  boolean auth;

  @Option(
      names = "--tls",
      description =
          "With --auth: the Kafka client listener speaks SASL_SSL, with a self-signed CA and a broker"
              + " certificate for localhost and 127.0.0.1 made at the first start in"
              + " <data-dir>/tls (clients trust tls/ca.pem; the written --config files do). Once"
              + " used, a data directory starts only with it.")
  boolean tls;

  @Mixin SettingsOptions options;

  @Override
  public Integer call() throws Exception {
    if (tls && !auth) {
      // TLS alone would encrypt loopback traffic while letting anyone write the scans topic
      throw new ParameterException(
          spec.commandLine(), "--tls needs --auth: TLS is added to the authenticated listener");
    }
    Map<String, String> flags = new LinkedHashMap<>();
    SettingsOptions.put(flags, Config.PARTITIONS, partitions);
    SettingsOptions.put(flags, Config.IDLE_TIMEOUT, idleTimeout);
    SettingsOptions.put(flags, Config.LIVE_INTERVAL, liveInterval);
    Config config = options.load(flags);
    PrintWriter out = spec.commandLine().getOut();
    DataDirectory.Prepared data = DataDirectory.preparePrivate(dataDir, "--data-dir");
    data.tightenedFrom()
        .ifPresent(
            mode -> {
              PrintWriter err = spec.commandLine().getErr();
              err.printf("note: --data-dir %s was %s, made private (rwx------)%n", dataDir, mode);
              err.flush();
            });
    Optional<LocalCredentials> credentials =
        auth
            ? Optional.of(LocalCredentials.createOrLoad(dataDir.resolve("credentials")))
            : Optional.empty();
    Optional<LocalCertificates> certificates =
        tls
            ? Optional.of(LocalCertificates.createOrLoad(dataDir.resolve("tls"), Clock.systemUTC()))
            : Optional.empty();
    Optional<EmbeddedKafka.Auth> brokerAuth =
        credentials.map(c -> c.brokerAuth(certificates.map(LocalCertificates::brokerTls)));
    ServiceShutdown shutdown = ServiceShutdown.onCtrlC();
    try (LocalStack stack = startStack(brokerAuth)) {
      ConfluentRegistryClient registry =
          ConfluentRegistryClient.builder(stack.registryUrl()).build();
      Cluster cluster = Cluster.of(stack.bootstrapServers());
      if (credentials.isPresent()) {
        cluster = LocalAuth.secure(stack, credentials.get(), config);
      }
      TopologySettings settings = config.topologySettings(cluster);
      Pipeline.Builder builder =
          Pipeline.on(cluster, registry, settings)
              .stateDir(dataDir.resolve("streams"))
              .onFailure(StreamThreadExceptionResponse.REPLACE_THREAD);
      Topics topics = builder.provision();
      try (Admin admin = cluster.admin()) {
        removeStaleMembers(admin, settings.applicationId(), spec.commandLine().getErr());
      }
      try (Pipeline pipeline = builder.start()) {
        out.printf("PatchWatch is running locally (Ctrl-C to stop)%n");
        out.printf("  kafka     %s%n", stack.bootstrapServers());
        out.printf("  registry  %s%n", stack.registryUrl());
        out.printf(
            "  scans     %s (%d partitions)%n", topics.scans().name(), settings.inputPartitions());
        out.printf(
            "  results   %s, %s, %s, %s%n",
            topics.countsHourly().name(),
            topics.countsDaily().name(),
            topics.exposureDaily().name(),
            topics.countsLive().name());
        out.printf("  rejected  %s%n", topics.rejected().name());
        out.printf("  data      %s%n", dataDir.toAbsolutePath());
        if (credentials.isPresent()) {
          out.printf(
              "  auth      %s %s, ACLs; client configs (--config) in %s%n",
              brokerAuth.get().securityProtocol(),
              EmbeddedKafka.SCRAM_MECHANISM,
              credentials.get().dir());
        }
        if (certificates.isPresent()) {
          out.printf(
              "  tls       CA certificate %s (%s); broker certificate valid until %s%n",
              certificates.get().caCertificate(),
              certificates.get().outcome().toString().toLowerCase(Locale.ROOT).replace('_', ' '),
              certificates.get().broker().getNotAfter().toInstant());
        }
        out.flush();
        Optional<Dashboard> dashboard = Dashboards.start(config, cluster, pipeline, List.of(), out);
        try {
          shutdown.awaitRequest();
          out.printf("stopping%n");
          out.flush();
        } finally {
          dashboard.ifPresent(Dashboard::close);
        }
      }
    } finally {
      shutdown.closed();
    }
    return 0;
  }

  /**
   * A run killed outright (SIGKILL, power loss) never left its consumer group, and the group waits
   * for its members until their session times out, 45 s after the broker came back: that was most
   * of a restart. On a broker private to this data directory every member found before our streams
   * start is such a leftover (and anyone else's would simply rejoin), so they are removed.
   */
  static void removeStaleMembers(Admin admin, String groupId, PrintWriter err)
      throws InterruptedException {
    try {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(groupId))
              .describedGroups()
              .get(groupId)
              .get(30, TimeUnit.SECONDS);
      if (!group.members().isEmpty()) {
        admin
            .removeMembersFromConsumerGroup(groupId, new RemoveMembersFromConsumerGroupOptions())
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        warnMembersKept(groupId, e.getCause(), err);
      }
    } catch (TimeoutException e) {
      warnMembersKept(groupId, e, err);
    }
  }

  private static void warnMembersKept(String groupId, Throwable cause, PrintWriter err) {
    err.printf(
        "warning: cannot check group %s for members of a killed run (%s); if there are, the"
            + " topology starts when their session times out%n",
        groupId, cause);
    err.flush();
  }

  private LocalStack startStack(Optional<EmbeddedKafka.Auth> brokerAuth) {
    try {
      return LocalStack.start(
          dataDir, kafkaPort, registryPort, Optional.ofNullable(registryUrl), brokerAuth);
    } catch (PortInUseException e) {
      String flag = e.port() == kafkaPort ? "--kafka-port" : "--registry-port";
      throw new IllegalStateException(
          e.getMessage() + ": stop what listens there, or choose another with " + flag, e);
    }
  }
}
