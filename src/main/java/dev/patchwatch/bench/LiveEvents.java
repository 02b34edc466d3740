package dev.patchwatch.bench;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.avro.ScanStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.utils.Utils;

/**
 * Events for the live-latency phase. Each is a host never seen before, VULNERABLE, so it adds
 * exactly one host to its window's counts; and its scanner is named after the partition its key
 * goes to ({@code live-p3}), so the live count of (HOURLY, window, SCANNER, live-p3) is the number
 * of partition 3's events, in offset order, that the topology has taken into account. Not
 * thread-safe: one producer thread.
 */
final class LiveEvents {

  static final String SCANNER_PREFIX = "live-p";

  private static final String[] COUNTRIES = {"US", "DE", "GB", "FR", "IT", "NL", "JP", "ZZ"};
  private static final double[] COUNTRY_WEIGHTS = {28, 12, 7, 6, 5, 4, 4, 34};

  private final int partitions;
  private final SplittableRandom random;
  private final int offset;
  private final double[] countryCdf;
  private int next;

  /** One event and the partition the default partitioner sends it to. */
  record Live(ScanEvent event, int partition) {}

  LiveEvents(int partitions, long seed) {
    this.partitions = partitions;
    this.random = new SplittableRandom(seed);
    this.offset = random.nextInt();
    this.countryCdf = BenchEvents.cdf(COUNTRY_WEIGHTS);
  }

  Live next(long observedAtMs) {
    String ip = ip(next++);
    int partition = partition(ip, partitions);
    int c = BenchEvents.pick(countryCdf, random.nextDouble());
    ScanEvent event =
        new ScanEvent(
            SCANNER_PREFIX + partition,
            Instant.ofEpochMilli(observedAtMs),
            ip,
            BenchEvents.MAIN_VULNERABILITY,
            ScanStatus.VULNERABLE,
            COUNTRIES[c],
            1000L + c * 1000 + random.nextInt(25) * 7,
            false,
            null,
            443,
            null,
            "Microsoft Exchange Server",
            "15.2.792.3",
            Map.of());
    return new Live(event, partition);
  }

  /** How many of the first {@code n} events go to each partition. */
  int[] partitionCounts(int n) {
    int[] counts = new int[partitions];
    for (int i = 0; i < n; i++) {
      counts[partition(ip(i), partitions)]++;
    }
    return counts;
  }

  /**
   * The address of event {@code index}: an odd multiplier is a bijection on 32 bits, so all differ.
   */
  private String ip(int index) {
    return BenchEvents.Hosts.ipv4(index * 0x9E3779B1 + offset);
  }

  /** The partition Kafka's default partitioner gives a canonical IP's key. */
  static int partition(String ip, int partitions) {
    return Utils.toPositive(Utils.murmur2(ip.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
