package dev.patchwatch.cli;

import dev.patchwatch.event.EventContract;
import dev.patchwatch.event.TopicNames;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import dev.patchwatch.topology.EventTimeRange;
import dev.patchwatch.topology.TopologySettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * PatchWatch's settings, resolved from a properties file, then the environment, then command-line
 * flags, each overriding the one before. Keys starting with {@code kafka.} are Kafka client
 * properties passed through with the prefix removed (SASL, TLS and the like).
 */
final class Config {

  static final String KAFKA_PREFIX = "kafka.";

  /** The topology's defaults (DESIGN section 3), written once, in TopologySettings. */
  private static final TopologySettings DEFAULTS = TopologySettings.defaults(1);

  static final Setting<String> BOOTSTRAP_SERVERS =
      new Setting<>(
          "bootstrap.servers", "127.0.0.1:9092", "Kafka bootstrap servers", Config::nonBlank);
  static final Setting<String> REGISTRY_URL =
      new Setting<>(
          "registry.url",
          "http://127.0.0.1:8081/apis/ccompat/v7",
          "Schema registry speaking the Confluent REST API",
          Config::url);
  static final Setting<String> REGISTRY_BASIC_AUTH =
      new Setting<>(
          "registry.basic.auth",
          "",
          "Registry basic auth as user:password (empty: none)",
          raw -> raw);
  static final Setting<String> REGISTRY_BEARER_TOKEN =
      new Setting<>("registry.bearer.token", "", "Registry bearer token (empty: none)", raw -> raw);
  static final Setting<String> REGISTRY_TRUSTSTORE_LOCATION =
      new Setting<>(
          "registry.truststore.location",
          "",
          "PKCS12 trust store for the registry's TLS (empty: the JDK's)",
          raw -> raw);
  static final Setting<String> REGISTRY_TRUSTSTORE_PASSWORD =
      new Setting<>("registry.truststore.password", "", "Password of that trust store", raw -> raw);
  static final Setting<String> TOPIC_PREFIX =
      new Setting<>(
          "topic.prefix",
          TopologySettings.DEFAULT_PREFIX,
          "Prefix of every PatchWatch topic",
          Config::nonBlank);
  static final Setting<String> APPLICATION_ID =
      new Setting<>(
          "application.id",
          TopologySettings.DEFAULT_APPLICATION_ID,
          "Kafka Streams application id",
          Config::nonBlank);
  static final Setting<Integer> PARTITIONS =
      new Setting<>(
          "partitions",
          0,
          "Partitions of the scans topic; 0 = use the existing topic's, or "
              + Pipeline.DEFAULT_PARTITIONS
              + " when creating it",
          raw -> atLeast(Integer.parseInt(raw), 0));
  static final Setting<Duration> HOURLY_GRACE =
      new Setting<>(
          "grace.hourly",
          DEFAULTS.hourlyGrace(),
          "How long an HOURLY window waits for late events",
          Durations::parse);
  static final Setting<Duration> DAILY_GRACE =
      new Setting<>(
          "grace.daily",
          DEFAULTS.dailyGrace(),
          "How long a DAILY window waits for late events",
          Durations::parse);
  static final Setting<Duration> EXPOSURE_GRACE =
      new Setting<>(
          "grace.exposure",
          DEFAULTS.exposureGrace(),
          "How long an EXPOSURE window waits for late events",
          Durations::parse);
  static final Setting<Integer> LOOK_BACK_DAYS =
      new Setting<>(
          "lookback.days",
          DEFAULTS.lookBackDays(),
          "EXPOSURE look-back in days",
          raw -> atLeast(Integer.parseInt(raw), 1));
  static final Setting<Duration> IDLE_TIMEOUT =
      new Setting<>(
          "idle.timeout",
          DEFAULTS.idleTimeout(),
          "Wall-clock time without records after which a partition stops holding windows back (0 = never)",
          Durations::parse);
  static final Setting<Duration> LIVE_INTERVAL =
      new Setting<>(
          "live.interval",
          DEFAULTS.liveInterval(),
          "How often live counts are published",
          Durations::parse);
  static final Setting<Duration> EXPOSURE_LIVE_INTERVAL =
      new Setting<>(
          "exposure.live.interval",
          DEFAULTS.exposureLiveInterval(),
          "How often live EXPOSURE counts are recomputed (a pass over the open days' host states)",
          Durations::parse);
  static final Setting<Path> STATE_DIR =
      new Setting<>(
          "state.dir",
          Path.of("patchwatch-data", "streams"),
          "Where Kafka Streams keeps local state",
          Path::of);
  static final Setting<TopologySettings.StoreType> STORE_TYPE =
      new Setting<>(
          "store.type",
          DEFAULTS.storeType(),
          "Host state store: ROCKSDB or IN_MEMORY",
          raw -> TopologySettings.StoreType.valueOf(raw.toUpperCase(Locale.ROOT)));
  static final Setting<Integer> STREAM_THREADS =
      new Setting<>(
          "stream.threads",
          1,
          "Kafka Streams threads in this instance",
          raw -> atLeast(Integer.parseInt(raw), 1));
  static final Setting<Short> REPLICATION_FACTOR =
      new Setting<>(
          "replication.factor",
          (short) -1,
          "Replication of created topics; -1 = the broker's default",
          raw -> Short.parseShort(raw));
  static final Setting<Integer> MAX_EVENT_BYTES =
      new Setting<>(
          "max.event.bytes",
          DEFAULTS.maxEventBytes(),
          "Largest event in bytes (an input line or record, a serialized event); larger ones are"
              + " rejected as TOO_LARGE. Keep it below the broker's message.max.bytes",
          raw -> atLeast(Integer.parseInt(raw), EventContract.KEPT_BYTES));

  static final Setting<Integer> HTTP_PORT =
      new Setting<>(
          "http.port",
          8080,
          "Port of the HTTP API, dashboard and metrics (local, run, demo); 0 = no HTTP server",
          raw -> between(Integer.parseInt(raw), 0, 65535));
  static final Setting<String> HTTP_HOST =
      new Setting<>(
          "http.host", "127.0.0.1", "Address the HTTP server listens on", Config::nonBlank);
  static final Setting<String> HTTP_TOKEN =
      new Setting<>(
          "http.token",
          "",
          "When set, the HTTP API and metrics require Authorization: Bearer <token>",
          raw -> raw);

  static final List<Setting<?>> ALL =
      List.of(
          BOOTSTRAP_SERVERS,
          REGISTRY_URL,
          REGISTRY_BASIC_AUTH,
          REGISTRY_BEARER_TOKEN,
          REGISTRY_TRUSTSTORE_LOCATION,
          REGISTRY_TRUSTSTORE_PASSWORD,
          TOPIC_PREFIX,
          APPLICATION_ID,
          PARTITIONS,
          HOURLY_GRACE,
          DAILY_GRACE,
          EXPOSURE_GRACE,
          LOOK_BACK_DAYS,
          IDLE_TIMEOUT,
          LIVE_INTERVAL,
          EXPOSURE_LIVE_INTERVAL,
          STATE_DIR,
          STORE_TYPE,
          STREAM_THREADS,
          REPLICATION_FACTOR,
          MAX_EVENT_BYTES,
          HTTP_PORT,
          HTTP_HOST,
          HTTP_TOKEN);

  private final Map<String, Object> values;
  private final Map<String, String> kafka;

  private Config(Map<String, Object> values, Map<String, String> kafka) {
    this.values = values;
    this.kafka = kafka;
  }

  /**
   * @param file a properties file, if any
   * @param environment the process environment; only {@code PATCHWATCH_*} variables are read
   * @param flags settings given on the command line, by key
   * @throws IllegalArgumentException naming the setting and its source when a value is invalid or a
   *     key is unknown
   */
  static Config load(
      Optional<Path> file, Map<String, String> environment, Map<String, String> flags) {
    Map<String, Object> values = new HashMap<>();
    Map<String, String> kafka = new TreeMap<>();
    ALL.forEach(s -> values.put(s.key(), s.defaultValue()));
    if (file.isPresent()) {
      apply(read(file.get()), "file " + file.get(), values, kafka);
    }
    Map<String, String> fromEnvironment = new LinkedHashMap<>();
    for (Setting<?> s : ALL) {
      String value = environment.get(s.environmentVariable());
      if (value != null) {
        fromEnvironment.put(s.key(), value);
      }
    }
    environment.forEach(
        (name, value) -> {
          if (name.startsWith("PATCHWATCH_KAFKA_")) {
            String key =
                name.substring("PATCHWATCH_KAFKA_".length())
                    .toLowerCase(Locale.ROOT)
                    .replace('_', '.');
            fromEnvironment.put(KAFKA_PREFIX + key, value);
          }
        });
    apply(fromEnvironment, "environment", values, kafka);
    apply(flags, "command line", values, kafka);
    return new Config(values, kafka);
  }

  private static void apply(
      Map<String, String> raw,
      String source,
      Map<String, Object> values,
      Map<String, String> kafka) {
    for (Map.Entry<String, String> entry : raw.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith(KAFKA_PREFIX)) {
        kafka.put(key.substring(KAFKA_PREFIX.length()), entry.getValue());
        continue;
      }
      Setting<?> setting =
          ALL.stream()
              .filter(s -> s.key().equals(key))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException("unknown setting \"" + key + "\" in " + source));
      values.put(key, setting.parse(entry.getValue(), source));
    }
  }

  private static Map<String, String> read(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k)));
    return map;
  }

  @SuppressWarnings("unchecked")
  <T> T get(Setting<T> setting) {
    return (T) values.get(setting.key());
  }

  /** Kafka client properties given as {@code kafka.*}, without the prefix. */
  Map<String, String> kafkaProperties() {
    return Map.copyOf(kafka);
  }

  /**
   * The topology settings on {@code cluster}, its scans topic's partitions by the one rule of
   * {@link Pipeline#partitions}.
   */
  TopologySettings topologySettings(Cluster cluster) {
    return topologySettings(
        Pipeline.partitions(cluster, TopicNames.scans(get(TOPIC_PREFIX)), get(PARTITIONS)));
  }

  TopologySettings topologySettings(int inputPartitions) {
    return new TopologySettings(
        get(TOPIC_PREFIX),
        get(APPLICATION_ID),
        inputPartitions,
        get(HOURLY_GRACE),
        get(DAILY_GRACE),
        get(EXPOSURE_GRACE),
        get(LOOK_BACK_DAYS),
        get(IDLE_TIMEOUT),
        get(LIVE_INTERVAL),
        get(STORE_TYPE),
        EventTimeRange.ALL,
        DEFAULTS.watermarkAhead(),
        get(MAX_EVENT_BYTES),
        true,
        get(EXPOSURE_LIVE_INTERVAL));
  }

  private static String nonBlank(String raw) {
    if (raw.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return raw;
  }

  private static String url(String raw) {
    if (!raw.startsWith("http://") && !raw.startsWith("https://")) {
      throw new IllegalArgumentException("\"" + raw + "\" is not an http:// or https:// URL");
    }
    return raw;
  }

  private static int between(int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(value + " is not within " + min + " to " + max);
    }
    return value;
  }

  private static int atLeast(int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(value + " is below the minimum " + min);
    }
    return value;
  }
}
