package dev.patchwatch.local;

import dev.patchwatch.runtime.TopicProvisioner;
import dev.patchwatch.topology.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One embedded broker for every integration test of the JVM: tests isolate themselves with their
 * own topic prefix and application id (see {@link #unique}), and the broker's start is paid once.
 */
public final class SharedKafka {

  private static EmbeddedKafka kafka;
  private static final AtomicInteger NEXT = new AtomicInteger();

  private SharedKafka() {}

  public static synchronized String bootstrapServers() {
    if (kafka == null) {
      try {
        Path dir = Files.createTempDirectory("patchwatch-it-kafka-");
        kafka =
            EmbeddedKafka.start(
                dir,
                0,
                // Retention checks every second, so tests can show what retention would delete.
                Map.of("log.retention.check.interval.ms", "1000"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "shared-kafka-close"));
    }
    return kafka.bootstrapServers();
  }

  /** Creates PatchWatch's topics on the shared broker and waits for their leaders. */
  public static void provision(Topics topics, int partitions) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      new TopicProvisioner(admin, Duration.ofSeconds(30))
          .ensure(topics, partitions, Optional.empty());
    }
  }

  /** A name no other test of this JVM uses, for topic prefixes and application ids. */
  public static String unique(String base) {
    return base + "-" + NEXT.incrementAndGet();
  }
}
