package dev.patchwatch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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

  /** A name no other test of this JVM uses, for topic prefixes and application ids. */
  public static String unique(String base) {
    return base + "-" + NEXT.incrementAndGet();
  }
}
