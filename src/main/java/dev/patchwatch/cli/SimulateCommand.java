package dev.patchwatch.cli;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.TopicNames;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.scanner.simulator.ProxyLogonSimulator;
import dev.patchwatch.scanner.simulator.Scenario;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simulate}: {@code demo}'s simulated scanner fleet, publishing the ProxyLogon month to an
 * existing cluster where {@code run} runs, as a scanner would.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes the simulated ProxyLogon month (March 2021, from the published figures; the"
          + " simulator of `demo`) to the scans topic of an existing cluster, day after day, each"
          + " day followed by a watermark, then a watermark that closes every window of the"
          + " month. The topics must exist: `run` creates them.",
      "Connection settings as for `run`: --config, then PATCHWATCH_* variables, then flags."
    })
final class SimulateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Mixin MonthOptions month;

  @Option(
      names = "--seconds-per-day",
      defaultValue = "0",
      description = "At least this much wall time per simulated day (default: ${DEFAULT-VALUE}).")
  double secondsPerDay;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    month.check();
    if (!(secondsPerDay >= 0)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--seconds-per-day cannot be negative, got " + secondsPerDay);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config config = connection.load();
    String scans = TopicNames.scans(config.get(Config.TOPIC_PREFIX));
    if (!exists(config, scans)) {
      err.printf(
          "error: topic %s does not exist on %s: start `run` first (it creates the topics)%n",
          scans, config.get(Config.BOOTSTRAP_SERVERS));
      return 1;
    }
    Scenario scenario = Scenario.proxyLogon();
    ProxyLogonSimulator simulator = month.simulator(scenario);
    err.printf(
        "simulating %,d Exchange servers, %s to %s, to %s%n",
        simulator.hosts(), scenario.firstDay(), scenario.lastDay(), scans);
    err.flush();
    long started = System.nanoTime();
    long published = 0;
    try (ScanPublisher publisher =
        ScanPublisher.builder()
            .bootstrapServers(config.get(Config.BOOTSTRAP_SERVERS))
            .registry(Registries.client(config))
            .topicPrefix(config.get(Config.TOPIC_PREFIX))
            .properties(config.kafkaProperties())
            .clock(Clock.systemUTC())
            .maxEventBytes(config.get(Config.MAX_EVENT_BYTES))
            .build()) {
      for (LocalDate day : simulator.days()) {
        long dayStarted = System.nanoTime();
        List<ScanEvent> events = simulator.day(day);
        List<CompletableFuture<?>> sent = new ArrayList<>(events.size() + 1);
        events.forEach(e -> sent.add(publisher.publish(e)));
        // the fleet's promise that the day is over: closes the windows ending before it
        sent.add(publisher.watermark(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
        published += events.size();
        if (VerboseOption.isVerbose()) {
          err.printf("  %s: %,d events published%n", day, events.size());
          err.flush();
        }
        long rest = (long) (secondsPerDay * 1e9) - (System.nanoTime() - dayStarted);
        if (rest > 0) {
          TimeUnit.NANOSECONDS.sleep(rest);
        }
      }
      // As `demo`: one more day closes the last window the month fills, grace included.
      publisher
          .watermark(scenario.lastDay().plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant())
          .get();
    }
    out.printf(
        Locale.ROOT,
        "published %,d scan events of %s to %s in %.1f s%n",
        published,
        scenario.vulnerability(),
        scans,
        (System.nanoTime() - started) / 1e9);
    return 0;
  }

  private static boolean exists(Config config, String topic)
      throws InterruptedException, ExecutionException {
    try (Admin admin = ConnectionOptions.cluster(config).admin()) {
      Set<String> names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      return names.contains(topic);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "cannot reach Kafka at " + config.get(Config.BOOTSTRAP_SERVERS) + " within 60 s", e);
    }
  }
}
