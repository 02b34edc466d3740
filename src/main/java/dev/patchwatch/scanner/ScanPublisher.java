package dev.patchwatch.scanner;

import dev.patchwatch.avro.Origin;
import dev.patchwatch.avro.RejectReason;
import dev.patchwatch.avro.Rejected;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.Parsed;
import dev.patchwatch.event.TopicNames;
import dev.patchwatch.event.Watermark;
import dev.patchwatch.registry.AvroSerde;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.registry.SchemaRegistry;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes scan events to PatchWatch: validated against the contract before sending, keyed by
 * canonical IP, idempotent with {@code acks=all}, so an event the broker acknowledged is stored
 * exactly once. Thread-safe.
 *
 * <pre>{@code
 * try (ScanPublisher publisher = ScanPublisher.builder()
 *         .bootstrapServers("127.0.0.1:9092")
 *         .registry(registry)
 *         .build()) {
 *   publisher.publish(event);                    // throws InvalidScanEventException if invalid
 *   publisher.watermark(scanStartedAt);          // nothing older will follow
 * }
 * }</pre>
 */
public final class ScanPublisher implements ScanSink, AutoCloseable {

  private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  private final KafkaProducer<byte[], byte[]> producer;
  private final Clock clock;
  private final EventContract contract;
  private final String scansTopic;
  private final String rejectedTopic;
  private final AvroSerde<ScanEvent> events;
  private final AvroSerde<Rejected> rejections;

  private ScanPublisher(Builder builder) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Throughput: scanners publish in bursts of many small records.
    config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.putAll(builder.properties);
    this.producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    this.clock = builder.clock;
    this.contract = new EventContract(builder.clock, builder.maxEventBytes);
    this.scansTopic = TopicNames.scans(builder.topicPrefix);
    this.rejectedTopic = TopicNames.rejected(builder.topicPrefix);
    this.events = new AvroSerde<>(builder.registry, ScanEvent.class, false);
    this.rejections = new AvroSerde<>(builder.registry, Rejected.class, false);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Validates, normalises and sends one event.
   *
   * @return completes when the broker has stored it
   * @throws InvalidScanEventException if the event breaks the contract, or is larger serialized
   *     than the limit (reason {@code TOO_LARGE}, see {@link Builder#maxEventBytes}); nothing is
   *     sent then
   */
  public CompletableFuture<RecordMetadata> publish(ScanEvent event) {
    Parsed parsed = contract.normalize(event);
    if (parsed instanceof Parsed.Invalid invalid) {
      throw new InvalidScanEventException(invalid.reason(), invalid.message());
    }
    ScanEvent valid = ((Parsed.Valid) parsed).event();
    byte[] key = valid.getIp().getBytes(StandardCharsets.UTF_8);
    byte[] value = events.serialize(scansTopic, valid);
    // refused here, with a reason, rather than by the broker, which fails the whole batch
    Parsed.Invalid tooLarge = contract.sizeProblem("serialized event", value.length);
    if (tooLarge != null) {
      throw new InvalidScanEventException(tooLarge.reason(), tooLarge.message());
    }
    return send(new ProducerRecord<>(scansTopic, key, value));
  }

  /**
   * Records that some input could not become an event (a bad line of a file, say), so that it is
   * listed with the pipeline's own rejections.
   */
  public CompletableFuture<RecordMetadata> publishRejected(Rejected rejected) {
    return send(
        new ProducerRecord<>(
            rejectedTopic, null, rejections.serialize(rejectedTopic, bounded(rejected))));
  }

  /**
   * {@code rejected}, or a copy keeping only the first bytes of an original over the limit: a
   * rejection must never be refused by the broker in turn. Not {@code Rejected.newBuilder(r)}: its
   * deep copy loads the generated enum through Avro's class validator (see EventContract).
   */
  private Rejected bounded(Rejected rejected) {
    ByteBuffer original = rejected.getOriginal();
    if (original == null || original.remaining() <= contract.maxEventBytes()) {
      return rejected;
    }
    byte[] head = new byte[EventContract.KEPT_BYTES];
    original.duplicate().get(head);
    return new Rejected(
        rejected.getReason(),
        rejected.getMessage(),
        rejected.getGranularities(),
        rejected.getKey(),
        ByteBuffer.wrap(head),
        rejected.getOrigin(),
        rejected.getRejectedAt());
  }

  /**
   * Records that a record of a file could not become an event, with where it was and why.
   *
   * @param position the line (or record) number in the file, from 1
   */
  public CompletableFuture<RecordMetadata> publishRejected(
      String file, long position, byte[] original, RejectReason reason, String message) {
    return publishRejected(
        Rejected.newBuilder()
            .setReason(reason)
            .setMessage(message)
            .setOriginal(original == null ? null : ByteBuffer.wrap(original))
            .setOrigin(Origin.newBuilder().setFile(file).setLine(position).build())
            .setRejectedAt(clock.instant())
            .build());
  }

  /**
   * Promises that nothing observed before {@code time} will follow, on every partition of the scans
   * topic, so windows before it can close.
   *
   * @return completes when every partition has it
   */
  public CompletableFuture<Void> watermark(Instant time) {
    Objects.requireNonNull(time, "time");
    if (time.isBefore(EARLIEST)) {
      throw new IllegalArgumentException(
          "a watermark must be at or after " + EARLIEST + ", got " + time);
    }
    List<PartitionInfo> partitions = producer.partitionsFor(scansTopic);
    CompletableFuture<?>[] sent = new CompletableFuture<?>[partitions.size()];
    for (int i = 0; i < sent.length; i++) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(Watermark.HEADER, Watermark.encode(time));
      sent[i] =
          send(
              new ProducerRecord<>(
                  scansTopic, partitions.get(i).partition(), null, null, null, headers));
    }
    return CompletableFuture.allOf(sent);
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }

  private CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
    producer.send(
        record,
        (metadata, error) -> {
          if (error != null) {
            done.completeExceptionally(error);
          } else {
            done.complete(metadata);
          }
        });
    return done;
  }

  /** Configures a {@link ScanPublisher}; bootstrap servers and a registry are required. */
  public static final class Builder {
    private static final String KAFKA_PREFIX = "kafka.";
    private String bootstrapServers;
    private SchemaRegistry registry;
    private String topicPrefix = "patchwatch";
    private final Map<String, Object> properties = new HashMap<>();
    private Clock clock = Clock.systemUTC();
    private int maxEventBytes = EventContract.DEFAULT_MAX_EVENT_BYTES;

    private Builder() {}

    /**
     * The largest serialized event published, in bytes (default {@link
     * EventContract#DEFAULT_MAX_EVENT_BYTES}); keep it below the broker's {@code
     * message.max.bytes}, with room for a rejection's envelope. Of a rejection's original over it
     * only the first {@link EventContract#KEPT_BYTES} bytes are published.
     *
     * @throws IllegalArgumentException if below {@link EventContract#KEPT_BYTES}
     */
    public Builder maxEventBytes(int bytes) {
      if (bytes < EventContract.KEPT_BYTES) {
        throw new IllegalArgumentException(
            "maxEventBytes must be at least " + EventContract.KEPT_BYTES + ", got " + bytes);
      }
      this.maxEventBytes = bytes;
      return this;
    }

    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    /** The schema registry client to use; see also {@link #registryUrl(String)}. */
    public Builder registry(SchemaRegistry registry) {
      this.registry = registry;
      return this;
    }

    /**
     * A registry speaking the Confluent REST API, e.g. {@code
     * http://127.0.0.1:8081/apis/ccompat/v7}; for authentication or TLS build a {@link
     * ConfluentRegistryClient} and pass it to {@link #registry(SchemaRegistry)}.
     */
    public Builder registryUrl(String url) {
      this.registry = ConfluentRegistryClient.builder(url).build();
      return this;
    }

    public Builder topicPrefix(String prefix) {
      this.topicPrefix = prefix;
      return this;
    }

    /** What the producer will be given, besides the builder's own defaults (for tests). */
    Map<String, Object> producerProperties() {
      Map<String, Object> all = new HashMap<>(properties);
      all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      all.put("patchwatch.topic.prefix", topicPrefix);
      return all;
    }

    /**
     * The settings of a PatchWatch client properties file, the kind {@code local --auth} writes to
     * {@code <data-dir>/credentials/scanner.properties} for {@code --config}: {@code
     * bootstrap.servers}, {@code registry.url} (with {@code registry.basic.auth} if given), {@code
     * topic.prefix}, and every {@code kafka.*} key as a producer property without its prefix
     * ({@code kafka.sasl.jaas.config} and so on). Other keys are ignored; later calls override.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if it names no bootstrap servers or no registry
     */
    public Builder clientConfig(Path file) {
      Properties read = new Properties();
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        read.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read client settings " + file + ": " + e, e);
      }
      String servers = read.getProperty("bootstrap.servers");
      String url = read.getProperty("registry.url");
      if (servers == null || url == null) {
        throw new IllegalArgumentException(
            file + " is not a PatchWatch client file: it needs bootstrap.servers and registry.url");
      }
      bootstrapServers(servers.strip());
      ConfluentRegistryClient.Builder client = ConfluentRegistryClient.builder(url.strip());
      String basic = read.getProperty("registry.basic.auth");
      if (basic != null && !basic.isBlank()) {
        client.basicAuth(basic.strip());
      }
      registry(client.build());
      String prefix = read.getProperty("topic.prefix");
      if (prefix != null && !prefix.isBlank()) {
        topicPrefix(prefix.strip());
      }
      for (String key : read.stringPropertyNames()) {
        if (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length()) {
          property(key.substring(KAFKA_PREFIX.length()), read.getProperty(key).strip());
        }
      }
      return this;
    }

    /** Any Kafka producer property, e.g. {@code security.protocol} or {@code sasl.jaas.config}. */
    public Builder property(String name, Object value) {
      properties.put(name, value);
      return this;
    }

    public Builder properties(Map<String, ?> values) {
      properties.putAll(values);
      return this;
    }

    /** The clock for the "observedAt at most a day ahead" rule; tests fix it. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public ScanPublisher build() {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers is required");
      Objects.requireNonNull(registry, "a registry (or registry URL) is required");
      return new ScanPublisher(this);
    }
  }
}
