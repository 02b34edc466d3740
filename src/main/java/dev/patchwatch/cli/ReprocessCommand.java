package dev.patchwatch.cli;

import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.replay.Promotion;
import dev.patchwatch.replay.Reprocess;
import dev.patchwatch.replay.RunId;
import dev.patchwatch.replay.RunRecord;
import dev.patchwatch.replay.Runs;
import dev.patchwatch.topology.EventTimeRange;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reprocess}: the topology again over the retained history, into run-scoped topics. */
@Command(
    name = "reprocess",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Reruns the topology, as configured now, over the retained scans topic from its beginning,"
          + " under the application id <application.id>-run-<id> and into the topics"
          + " <prefix>.run-<id>.counts.hourly, .counts.daily, .exposure.daily, .counts.live and"
          + " .rejected. The live application and its topics are not touched.",
      "Events observed outside [--from, --to) are neither counted nor rejected. The run says when it"
          + " has caught up with the history present at its start, then keeps following new scans"
          + " until Ctrl-C, unless --until-caught-up is given. The same --run-id resumes a stopped run.",
      "Subcommands list the runs, delete one, and promote one to be the live results of its range."
    },
    subcommands = {
      ReprocessCommand.ListRuns.class,
      ReprocessCommand.Delete.class,
      ReprocessCommand.Promote.class
    })
final class ReprocessCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;
  @Mixin ConnectionOptions connection;
  @Mixin Application application;

  @Option(
      names = "--from",
      paramLabel = "TIME",
      converter = InstantConverter.class,
      description =
          "Count only events observed at or after this: a date (midnight UTC) or an instant.")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      converter = InstantConverter.class,
      description = "Count only events observed before this.")
  Instant to;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Name of the run (default: the start time, yyyyMMdd-HHmmss UTC); the id of a stopped run resumes it.")
  String runId;

  @Option(
      names = "--until-caught-up",
      description = "Stop once caught up instead of following new scans.")
  boolean untilCaughtUp;

  @Override
  public Integer call() {
    Optional<EventTimeRange> range =
        from == null && to == null
            ? Optional.empty()
            : Optional.of(ArchiveCommand.range(spec, from, to));
    Optional<RunId> id = givenRunId();
    Config config = application.load(connection);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> overrides = overrides(config);
    short replication = config.get(Config.REPLICATION_FACTOR);
    ServiceShutdown shutdown = ServiceShutdown.onCtrlC();
    try (Reprocess run =
        Reprocess.start(
            ConnectionOptions.cluster(config),
            Registries.client(config),
            config.topologySettings(1),
            id,
            range,
            config.get(Config.STATE_DIR),
            overrides,
            replication > 0 ? Optional.of(replication) : Optional.empty(),
            untilCaughtUp
                ? StreamThreadExceptionResponse.SHUTDOWN_CLIENT
                : StreamThreadExceptionResponse.REPLACE_THREAD,
            Clock.systemUTC(),
            err)) {
      out.printf(
          Locale.ROOT,
          "run %s started: outputs in %s.*%n",
          run.id(),
          run.id().topicPrefix(config.get(Config.TOPIC_PREFIX)));
      out.flush();
      return follow(run, out, shutdown);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      shutdown.closed();
    }
  }

  private Optional<RunId> givenRunId() {
    try {
      return Optional.ofNullable(runId).map(RunId::new);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--run-id: " + e.getMessage());
    }
  }

  /** The Kafka Streams properties the settings imply. */
  private static Map<String, String> overrides(Config config) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put(
        StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(config.get(Config.STREAM_THREADS)));
    short replication = config.get(Config.REPLICATION_FACTOR);
    if (replication > 0) {
      overrides.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, String.valueOf(replication));
    }
    return overrides;
  }

  /**
   * Waits for the run to catch up, then, unless {@code --until-caught-up}, until Ctrl-C.
   *
   * @return the exit code
   */
  private int follow(Reprocess run, PrintWriter out, ServiceShutdown shutdown)
      throws InterruptedException {
    while (!run.awaitCaughtUp(Duration.ofSeconds(1))) {
      if (shutdown.requested()) {
        out.printf(
            Locale.ROOT,
            "run %s stopped before catching up; `reprocess --run-id %s` resumes it%n",
            run.id(),
            run.id());
        out.flush();
        return untilCaughtUp ? 1 : 0;
      }
    }
    out.printf(
        Locale.ROOT,
        "run %s caught up: its outputs hold every final of the history present at its start."
            + " Compare them with the live ones, then `reprocess promote %s` or delete it.%n",
        run.id(),
        run.id());
    out.flush();
    if (!untilCaughtUp) {
      out.printf(Locale.ROOT, "following new scans (Ctrl-C to stop)%n");
      out.flush();
      shutdown.awaitRequest();
    }
    return 0;
  }

  /** The live application whose runs these are, and any other setting. */
  static final class Application {

    @Option(
        names = "--application-id",
        paramLabel = "ID",
        description = "The live application's id (default: patchwatch).")
    String applicationId;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Any other setting (see `run --help`), e.g. grace.daily=2h.")
    Map<String, String> settings = new LinkedHashMap<>();

    Config load(ConnectionOptions connection) {
      Map<String, String> flags = new LinkedHashMap<>(settings);
      if (applicationId != null) {
        flags.put(Config.APPLICATION_ID.key(), applicationId);
      }
      return connection.load(flags);
    }
  }

  /** {@code reprocess list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the runs: from their topics, consumer groups and records.")
  static final class ListRuns implements Callable<Integer> {

    private static final String ROW = "%-24s %-8s %-24s %-24s %-20s %-20s %-20s %6s%n";

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin ConnectionOptions connection;
    @Mixin Application application;

    @Override
    public Integer call() {
      Config config = application.load(connection);
      List<Runs.Listed> runs =
          new Runs(
                  ConnectionOptions.cluster(config),
                  config.get(Config.TOPIC_PREFIX),
                  config.get(Config.APPLICATION_ID),
                  Duration.ofSeconds(60))
              .list();
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          ROW,
          "RUN",
          "STATE",
          "FROM",
          "TO",
          "STARTED",
          "CAUGHT UP",
          "PROMOTED",
          "TOPICS");
      for (Runs.Listed run : runs) {
        Optional<RunRecord> r = run.record();
        out.printf(
            Locale.ROOT,
            ROW,
            run.id(),
            run.running() ? "running" : run.group().isPresent() ? "stopped" : "-",
            r.flatMap(x -> x.range().from())
                .map(Instant::toString)
                .orElse(r.isPresent() ? "…" : "?"),
            r.flatMap(x -> x.range().to()).map(Instant::toString).orElse(r.isPresent() ? "…" : "?"),
            r.map(x -> seconds(x.startedAt())).orElse("?"),
            r.flatMap(RunRecord::caughtUpAt).map(ListRuns::seconds).orElse("-"),
            r.flatMap(RunRecord::promotedAt).map(ListRuns::seconds).orElse("-"),
            run.topics().size());
      }
      if (runs.isEmpty()) {
        out.println("(no runs)");
      }
      out.flush();
      return 0;
    }

    private static String seconds(Instant t) {
      return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
  }

  /** {@code reprocess delete}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Deletes a stopped run: its output topics, its Kafka Streams internal topics, its consumer"
              + " group, its local state under state.dir and its record. Nothing of the live"
              + " application is touched.")
  static final class Delete implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin ConnectionOptions connection;
    @Mixin Application application;

    @Parameters(paramLabel = "RUN", description = "The run's id, as `reprocess list` shows it.")
    String runId;

    @Override
    public Integer call() throws IOException {
      RunId id = runId(spec, runId);
      Config config = application.load(connection);
      Runs.Deleted deleted =
          new Runs(
                  ConnectionOptions.cluster(config),
                  config.get(Config.TOPIC_PREFIX),
                  config.get(Config.APPLICATION_ID),
                  Duration.ofSeconds(60))
              .delete(id, Optional.of(config.get(Config.STATE_DIR)));
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "deleted run %s: %d topics %s, %s, %s%n",
          id,
          deleted.topics().size(),
          deleted.topics(),
          deleted.group() ? "its consumer group" : "no consumer group",
          deleted.stateDir().map(d -> "local state " + d).orElse("no local state"));
      out.flush();
      return 0;
    }
  }

  /** {@code reprocess promote}. */
  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description = {
        "Makes a caught-up run's finals the live ones for its range: within the windows inside the"
            + " run's observedAt range that are closed in the run and in the live application, the"
            + " live final topics and counts.live get the run's records where they differ, and a"
            + " tombstone for every key the run has no final for. All in one transaction; other"
            + " windows are not touched. The live application may keep running: it never writes a"
            + " closed window again.",
        "--dry-run prints what would be written, with examples, and writes nothing."
      })
  static final class Promote implements Callable<Integer> {

    private static final int EXAMPLES = 10;

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin ConnectionOptions connection;
    @Mixin Application application;

    @Parameters(paramLabel = "RUN", description = "The run's id, as `reprocess list` shows it.")
    String runId;

    @Option(names = "--dry-run", description = "Only print what would be written.")
    boolean dryRun;

    @Override
    public Integer call() {
      RunId id = runId(spec, runId);
      Config config = application.load(connection);
      ConfluentRegistryClient registry = Registries.client(config);
      TopologySettings live = config.topologySettings(1);
      Promotion promotion =
          new Promotion(ConnectionOptions.cluster(config), registry, live, Clock.systemUTC());
      Promotion.Plan plan = promotion.plan(id);
      PrintWriter out = spec.commandLine().getOut();
      plan.describe().forEach(out::println);
      if (dryRun) {
        for (Promotion.TopicPlan topic : plan.topics()) {
          topic.writes().stream().limit(EXAMPLES).forEach(w -> out.println("    " + example(w)));
          if (topic.writes().size() > EXAMPLES) {
            out.printf(
                Locale.ROOT,
                "    … and %,d more in %s%n",
                topic.writes().size() - EXAMPLES,
                topic.topic().name());
          }
        }
        out.println("dry run: nothing written.");
        out.flush();
        return 0;
      }
      out.println("promoted: " + promotion.execute(plan));
      out.flush();
      return 0;
    }

    private static String example(Promotion.Write w) {
      var key = w.key();
      String where =
          String.format(
              Locale.ROOT,
              "%s %s %s %s/%s",
              key.getGranularity(),
              key.getWindowStart(),
              key.getVulnerability(),
              key.getDimension(),
              key.getValue());
      if (w.after() == null) {
        return "- " + where + " (hosts " + w.before().getHosts() + ")";
      }
      if (w.before() == null) {
        return "+ " + where + " (hosts " + w.after().getHosts() + ")";
      }
      return "~ " + where + " (hosts " + w.before().getHosts() + " → " + w.after().getHosts() + ")";
    }
  }

  private static RunId runId(CommandSpec spec, String value) {
    try {
      return new RunId(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
