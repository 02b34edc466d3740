package dev.patchwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwatch.avro.CohortCount;
import dev.patchwatch.avro.CountKey;
import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.TransitionCount;
import dev.patchwatch.local.LocalStack;
import dev.patchwatch.query.Dashboard;
import dev.patchwatch.query.ExposureCurve;
import dev.patchwatch.query.QueryApi;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.scanner.simulator.ProxyLogonSimulator;
import dev.patchwatch.scanner.simulator.Scenario;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code demo}: the whole stack and a simulated scanner fleet replaying the ProxyLogon month. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the whole stack on this machine (embedded broker, local registry, topology) and a"
          + " simulated scanner fleet replaying March 2021 from the published ProxyLogon figures,"
          + " and prints the daily exposure curve as each day closes.",
      "exposed = hosts whose latest state in the 7-day look-back is VULNERABLE, as of that date."
    })
final class DemoCommand implements Callable<Integer> {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Mixin MonthOptions month;

  @Option(
      names = "--seconds-per-day",
      defaultValue = "0.25",
      description = "At least this much wall time per simulated day (default: ${DEFAULT-VALUE}).")
  double secondsPerDay;

  @Option(
      names = "--partitions",
      defaultValue = "2",
      description = "Partitions of the scans topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--json", description = "One JSON object per closed day instead of a table.")
  boolean json;

  @Option(
      names = "--exit",
      description =
          "Exit once the month is done; without it the dashboard keeps serving until Ctrl-C (when"
              + " http.port is not 0).")
  boolean exit;

  @Option(
      names = "--registry-url",
      description = "Use this Confluent-compatible registry instead of starting one.")
  String registryUrl;

  @Mixin SettingsOptions options;

  /** Set once the month is done and the dashboard serves on until Ctrl-C. */
  private ServiceShutdown shutdown;

  @Override
  public Integer call() throws Exception {
    checkOptions();
    PrintWriter err = spec.commandLine().getErr();
    Scenario scenario = Scenario.proxyLogon();
    ProxyLogonSimulator simulator = month.simulator(scenario);
    Instant started = Instant.now();
    err.printf(
        "simulating %,d Exchange servers, %s to %s; starting the local stack%n",
        simulator.hosts(), scenario.firstDay(), scenario.lastDay());
    err.flush();

    Path work = Files.createTempDirectory("patchwatch-demo-");
    try (LocalStack stack = LocalStack.start(work, 0, 0, Optional.ofNullable(registryUrl))) {
      runMonth(stack, work, scenario, simulator, started);
    } finally {
      deleteRecursively(work);
      if (shutdown != null) {
        // everything is closed and deleted: the JVM may exit
        shutdown.closed();
      }
    }
    return 0;
  }

  private void checkOptions() {
    month.check();
    if (partitions < 1 || partitions > 64) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--partitions must be 1 to 64, got " + partitions);
    }
  }

  /** Runs the topology on {@code stack}, publishes the month and prints its rows: the events. */
  private long runMonth(
      LocalStack stack,
      Path work,
      Scenario scenario,
      ProxyLogonSimulator simulator,
      Instant started)
      throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LocalDate firstRow = scenario.firstDay().plusDays(scenario.lookBackDays());
    LocalDate lastRow = scenario.lastDay().plusDays(1);
    ConfluentRegistryClient registry = ConfluentRegistryClient.builder(stack.registryUrl()).build();
    Config config = options.load(Map.of());
    TopologySettings settings =
        config
            .topologySettings(partitions)
            .withApplicationId("patchwatch-demo")
            .withIdleTimeout(Duration.ZERO)
            .withStoreType(TopologySettings.StoreType.IN_MEMORY);
    int threads = Math.min(partitions, Runtime.getRuntime().availableProcessors());
    try (Pipeline pipeline =
            Pipeline.on(Cluster.of(stack.bootstrapServers()), registry, settings)
                .stateDir(work.resolve("streams"))
                .streamThreads(threads)
                .start();
        ScanPublisher publisher =
            ScanPublisher.builder()
                .bootstrapServers(stack.bootstrapServers())
                .registry(registry)
                .clock(
                    Clock.fixed(
                        scenario.lastDay().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                        ZoneOffset.UTC))
                .build();
        KafkaConsumer<CountKey, RemediationCount> results = consumer(stack, pipeline.topics())) {
      Optional<Dashboard> dashboard =
          Dashboards.start(
              config,
              Cluster.of(stack.bootstrapServers()),
              pipeline,
              references(scenario, simulator, firstRow, lastRow),
              err);
      try {
        long published =
            runMonth(
                pipeline,
                stack.bootstrapServers(),
                publisher,
                results,
                scenario,
                simulator,
                firstRow,
                lastRow);
        double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
        err.printf(
            Locale.ROOT,
            "the month is done: %,d scan events in %.0f s (%,.0f events/s)%n",
            published,
            seconds,
            published / seconds);
        err.flush();
        serveUntilCtrlC(dashboard, err);
        return published;
      } finally {
        dashboard.ifPresent(Dashboard::close);
      }
    }
  }

  /** After the month, a demo with a dashboard keeps serving it until Ctrl-C, unless --exit. */
  private void serveUntilCtrlC(Optional<Dashboard> dashboard, PrintWriter err)
      throws InterruptedException {
    if (exit || dashboard.isEmpty()) {
      return;
    }
    // only now: Ctrl-C during the month still ends the JVM at once, as before
    shutdown = ServiceShutdown.onCtrlC();
    err.printf(
        "the month is done; the dashboard is still at %s (Ctrl-C to stop)%n",
        dashboard.get().url());
    err.flush();
    shutdown.awaitRequest();
  }

  /** The published figures, scaled, for the dashboard to show beside the curves. */
  private static List<QueryApi.Reference> references(
      Scenario scenario, ProxyLogonSimulator simulator, LocalDate firstRow, LocalDate lastRow) {
    Map<LocalDate, Long> global = new TreeMap<>();
    Map<LocalDate, Long> france = new TreeMap<>();
    for (LocalDate d = firstRow; !d.isAfter(lastRow); d = d.plusDays(1)) {
      LocalDate date = d;
      simulator.publishedExposed(date).ifPresent(n -> global.put(date, n));
      simulator.publishedFranceExposed(date).ifPresent(n -> france.put(date, n));
    }
    String label = String.format(Locale.ROOT, "published figures x %s", simulator.scale());
    return List.of(
        new QueryApi.Reference(label, scenario.vulnerability(), Dimension.GLOBAL, "ALL", global),
        new QueryApi.Reference(label, scenario.vulnerability(), Dimension.COUNTRY, "FR", france));
  }

  private long runMonth(
      Pipeline pipeline,
      String bootstrapServers,
      ScanPublisher publisher,
      KafkaConsumer<CountKey, RemediationCount> results,
      Scenario scenario,
      ProxyLogonSimulator simulator,
      LocalDate firstRow,
      LocalDate lastRow)
      throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!json) {
      out.printf(
          "%-10s %10s %10s %11s %10s %8s%n",
          "date", "exposed", "published", "remediated", "week/week", "France");
      out.flush();
    }
    Rows rows =
        new Rows(
            results,
            // the first window holding an event ends the day after the first scans
            new ExposureCurve(scenario.vulnerability(), "FR", scenario.firstDay().plusDays(1)),
            new Printer(out, simulator, firstRow, lastRow),
            pipeline);
    long published = publishMonth(simulator, publisher, rows, err);
    // one more day closes the last window that the month fills (grace included)
    awaitLastRows(publisher, rows, lastRow.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    printCohort(bootstrapServers, pipeline.topics(), scenario, rows.curve());
    return published;
  }

  /** The cohort the second table follows, and the ages it shows. */
  private static final LocalDate COHORT_DAY = LocalDate.parse("2021-03-01");

  private static final List<Integer> COHORT_AGES = List.of(7, 14, 21);

  /**
   * The second table: of the hosts VULNERABLE on 2021-03-01, how many still are 7, 14 and 21 days
   * later, next to the population curve and the hosts fixed yet compromised (DESIGN section 7.9).
   */
  private void printCohort(String bootstrap, Topics topics, Scenario scenario, ExposureCurve curve)
      throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Map<Integer, CohortCount> points = new TreeMap<>();
    Map<LocalDate, TransitionCount> days = new TreeMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    // final once their day closed, which the curve's last row proves; committed a moment later
    while (points.size() < COHORT_AGES.size() || days.size() < COHORT_AGES.size()) {
      TopicReader.readAll(
          bootstrap,
          Map.of(),
          topics.cohortsDaily(),
          r -> {
            CohortCount c = r.value();
            if (c.getVulnerability().equals(scenario.vulnerability())
                && c.getDimension() == Dimension.GLOBAL
                && c.getCohortDay().equals(COHORT_DAY.atStartOfDay(ZoneOffset.UTC).toInstant())
                && COHORT_AGES.contains(c.getAgeDays())) {
              points.put(c.getAgeDays(), c);
            }
          });
      TopicReader.readAll(
          bootstrap,
          Map.of(),
          topics.transitionsDaily(),
          r -> {
            TransitionCount t = r.value();
            LocalDate day = LocalDate.ofInstant(t.getWindowStart(), ZoneOffset.UTC);
            if (t.getVulnerability().equals(scenario.vulnerability())
                && t.getDimension() == Dimension.GLOBAL
                && COHORT_AGES.contains((int) (day.toEpochDay() - COHORT_DAY.toEpochDay()))) {
              days.put(day, t);
            }
          });
      if (System.nanoTime() > deadline) {
        spec.commandLine()
            .getErr()
            .printf(
                "note: the %s cohort's records did not all arrive within 30 s (%d of %d)%n",
                COHORT_DAY, points.size() + days.size(), 2 * COHORT_AGES.size());
        break;
      }
      if (points.size() < COHORT_AGES.size() || days.size() < COHORT_AGES.size()) {
        Thread.sleep(500);
      }
    }
    if (!json) {
      out.printf(
          "%nthe %s cohort: hosts VULNERABLE that day, as seen later%n"
              + "%-4s %-10s %11s %12s %9s %10s %12s%n",
          COHORT_DAY, "age", "date", "cohort", "still vuln.", "survival", "exposed", "owned+fixed");
    }
    for (int age : COHORT_AGES) {
      LocalDate date = COHORT_DAY.plusDays(age);
      CohortCount c = points.get(age);
      TransitionCount t = days.get(date);
      // the population as of the end of that day: the EXPOSURE window ending the next midnight
      Long exposed = curve.exposedAt(date.plusDays(1));
      if (json) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("cohortDay", COHORT_DAY.toString());
        node.put("ageDays", age);
        node.put("date", date.toString());
        if (c != null) {
          node.put("cohortSize", c.getCohortSize());
          node.put("stillVulnerable", c.getVulnerable());
          node.put("observed", c.getObserved());
        }
        if (t != null) {
          node.put("compromisedButRemediated", t.getCompromisedButRemediated());
        }
        if (exposed != null) {
          node.put("exposed", exposed);
        }
        out.println(node);
      } else {
        out.printf(
            "%4d %-10s %11s %12s %9s %10s %12s%n",
            age,
            date,
            c == null ? "-" : String.format(Locale.ROOT, "%,d", c.getCohortSize()),
            c == null ? "-" : String.format(Locale.ROOT, "%,d", c.getVulnerable()),
            c == null
                ? "-"
                : String.format(
                    Locale.ROOT, "%.1f%%", 100.0 * c.getVulnerable() / c.getCohortSize()),
            exposed == null ? "-" : String.format(Locale.ROOT, "%,d", exposed),
            t == null ? "-" : String.format(Locale.ROOT, "%,d", t.getCompromisedButRemediated()));
      }
    }
    out.flush();
  }

  /** Publishes the simulated days, each at least --seconds-per-day, printing rows as they close. */
  private long publishMonth(
      ProxyLogonSimulator simulator, ScanPublisher publisher, Rows rows, PrintWriter err)
      throws Exception {
    long published = 0;
    for (LocalDate day : simulator.days()) {
      long dayStarted = System.nanoTime();
      List<ScanEvent> events = simulator.day(day);
      published += events.size();
      List<CompletableFuture<?>> sent = new ArrayList<>(events.size() + 1);
      events.forEach(e -> sent.add(publisher.publish(e)));
      // the fleet's promise that day is over: closes the windows ending before it
      sent.add(publisher.watermark(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
      if (verbose != null && VerboseOption.isVerbose()) {
        err.printf("  %s: %,d events published%n", day, events.size());
      }
      do {
        rows.poll();
      } while ((System.nanoTime() - dayStarted) / 1e9 < secondsPerDay);
    }
    return published;
  }

  /** Closes every window with {@code end} and prints the rows still to come. */
  private static void awaitLastRows(ScanPublisher publisher, Rows rows, Instant end)
      throws Exception {
    publisher.watermark(end).get();
    long quietSince = 0;
    while (!rows.printer().done()) {
      rows.poll();
      if (!rows.pipeline().reached(end.toEpochMilli())) {
        continue;
      }
      // every window is final: what has not come in a few commit intervals has no record
      if (quietSince == 0) {
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince > Duration.ofSeconds(3).toNanos()) {
        rows.curve().flush().forEach(rows.printer()::print);
        return;
      }
    }
  }

  /** The curve's rows as the EXPOSURE finals arrive. */
  private record Rows(
      KafkaConsumer<CountKey, RemediationCount> results,
      ExposureCurve curve,
      Printer printer,
      Pipeline pipeline) {

    void poll() {
      if (pipeline.failure().isPresent()) {
        throw new IllegalStateException(
            "the topology failed: " + pipeline.failure().get().getMessage(),
            pipeline.failure().get());
      }
      for (ConsumerRecord<CountKey, RemediationCount> record :
          results.poll(Duration.ofMillis(100))) {
        curve.accept(record.value()).forEach(printer::print);
      }
    }
  }

  private static KafkaConsumer<CountKey, RemediationCount> consumer(
      LocalStack stack, Topics topics) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<CountKey, RemediationCount> consumer =
        new KafkaConsumer<>(
            config,
            topics.exposureDaily().keySerde().deserializer(),
            topics.exposureDaily().valueSerde().deserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topics.exposureDaily().name()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /** Prints the rows of the reported month as a table or JSON lines. */
  private final class Printer {
    private final PrintWriter out;
    private final ProxyLogonSimulator simulator;
    private final LocalDate firstRow;
    private final LocalDate lastRow;
    private LocalDate printed;

    Printer(PrintWriter out, ProxyLogonSimulator simulator, LocalDate firstRow, LocalDate lastRow) {
      this.out = out;
      this.simulator = simulator;
      this.firstRow = firstRow;
      this.lastRow = lastRow;
    }

    void print(ExposureCurve.Row row) {
      if (row.date().isBefore(firstRow) || row.date().isAfter(lastRow)) {
        return;
      }
      printed = row.date();
      if (json) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("date", row.date().toString());
        node.put("exposed", row.exposed());
        putNullable(node, "remediatedRatio", row.remediatedRatio());
        putNullable(node, "weekOverWeek", row.weekOverWeek());
        node.put("franceExposed", row.countryExposed());
        out.println(node);
      } else {
        OptionalLong published = simulator.publishedExposed(row.date());
        out.printf(
            "%-10s %,10d %10s %10s %10s %,8d%n",
            row.date(),
            row.exposed(),
            published.isPresent() ? String.format(Locale.ROOT, "%,d", published.getAsLong()) : "",
            row.remediatedRatio() == null
                ? "-"
                : String.format(Locale.ROOT, "%.1f%%", 100 * row.remediatedRatio()),
            row.weekOverWeek() == null
                ? "-"
                : String.format(Locale.ROOT, "%+.1f%%", 100 * row.weekOverWeek()),
            row.countryExposed());
      }
      out.flush();
    }

    boolean done() {
      return printed != null && !printed.isBefore(lastRow);
    }

    private void putNullable(ObjectNode node, String field, Double value) {
      if (value == null) {
        node.putNull(field);
      } else {
        node.put(field, value);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
