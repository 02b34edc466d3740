package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.local.EmbeddedKafka;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LocalCommandIT {

  @TempDir Path tmp;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldRefuseASecondStackOnABusyKafkaPortInOneLineAndStartNothing() throws Exception {
    try (EmbeddedKafka first = EmbeddedKafka.start(tmp.resolve("first"), 0, Map.of())) {
      String port = first.bootstrapServers().split(":")[1];
      Set<Thread> before = nonDaemonThreads();
      // other tests in this JVM may run a registry child of their own
      Set<Long> childrenBefore = children();

      Cli cli =
          Cli.run(
              "local",
              "--data-dir",
              tmp.resolve("second").toString(),
              "--kafka-port",
              port,
              "--registry-port",
              "0");

      assertThat(cli.exitCode()).isEqualTo(1);
      assertThat(cli.err())
          .isEqualTo(
              "error: port "
                  + port
                  + " on 127.0.0.1 is in use (another local stack?): stop what listens there, or"
                  + " choose another with --kafka-port\n");
      assertThat(cli.out()).isEmpty();
      // Kafka never started, so it logged nothing either
      assertThat(tmp.resolve("second/kafka")).doesNotExist();
      assertThat(
              nonDaemonThreads().stream()
                  .filter(t -> !before.contains(t))
                  .map(Thread::getName)
                  .toList())
          .isEmpty();
      assertThat(
              ProcessHandle.current()
                  .descendants()
                  .filter(p -> p.isAlive() && !childrenBefore.contains(p.pid()))
                  .map(p -> p.info().commandLine().orElse("?"))
                  .toList())
          .isEmpty();
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers()))) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
      }
    }
  }

  private static Set<Long> children() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  private static Set<Thread> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toSet());
  }
}
