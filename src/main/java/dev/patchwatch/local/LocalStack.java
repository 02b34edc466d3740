package dev.patchwatch.local;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded broker and, unless an external registry is named, the local Apicurio Registry,
 * started and stopped together: what {@code local}, {@code replay} and {@code demo} run on.
 */
public final class LocalStack implements AutoCloseable {

  private final EmbeddedKafka kafka;
  private final LocalRegistry registry;
  private final RegistryGate gate;
  private final String registryUrl;
  private final Optional<EmbeddedKafka.Auth> auth;

  private LocalStack(
      EmbeddedKafka kafka,
      LocalRegistry registry,
      RegistryGate gate,
      String registryUrl,
      Optional<EmbeddedKafka.Auth> auth) {
    this.kafka = kafka;
    this.registry = registry;
    this.gate = gate;
    this.registryUrl = registryUrl;
    this.auth = auth;
  }

  /**
   * @param dataDir holds {@code kafka/} and {@code registry/}; both survive a restart on it; made
   *     private (700) if it is not
   * @param kafkaPort 0 for a free port
   * @param registryPort 0 for a free port; ignored with an external registry
   * @param externalRegistryUrl a registry to use instead of starting Apicurio
   * @throws PortInUseException if a port asked for is taken; nothing is started then
   */
  public static LocalStack start(
      Path dataDir, int kafkaPort, int registryPort, Optional<String> externalRegistryUrl) {
    return start(dataDir, kafkaPort, registryPort, externalRegistryUrl, Optional.empty());
  }

  /**
   * As {@link #start(Path, int, int, Optional)}; with {@code auth} the broker authenticates and
   * authorises every client (see {@link EmbeddedKafka.Auth}), and the local registry is reached
   * through a {@link RegistryGate} on {@code registryPort} that refuses deletes and compatibility
   * changes, the registry itself listening on another loopback port.
   */
  public static LocalStack start(
      Path dataDir,
      int kafkaPort,
      int registryPort,
      Optional<String> externalRegistryUrl,
      Optional<EmbeddedKafka.Auth> auth) {
    DataDirectory.preparePrivate(dataDir, "data directory");
    // both before the broker starts: a taken registry port found after it would cost a broker
    // start and stop for nothing
    if (kafkaPort != 0) {
      Ports.requireFree(kafkaPort);
    }
    if (registryPort != 0 && externalRegistryUrl.isEmpty()) {
      Ports.requireFree(registryPort);
    }
    EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), kafkaPort, Map.of(), auth);
    if (externalRegistryUrl.isPresent()) {
      return new LocalStack(kafka, null, null, externalRegistryUrl.get(), auth);
    }
    LocalRegistry registry = null;
    try {
      registry =
          LocalRegistry.start(
              LocalRegistry.defaultHome(),
              dataDir.resolve("registry"),
              auth.isPresent() ? 0 : registryPort);
      if (auth.isEmpty()) {
        return new LocalStack(kafka, registry, null, registry.url(), auth);
      }
      RegistryGate gate =
          RegistryGate.start("http://" + Ports.HOST + ":" + registry.port(), registryPort);
      return new LocalStack(
          kafka,
          registry,
          gate,
          "http://" + Ports.HOST + ":" + gate.port() + LocalRegistry.CCOMPAT_PATH,
          auth);
    } catch (RuntimeException e) {
      if (registry != null) {
        registry.close();
      }
      kafka.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String registryUrl() {
    return registryUrl;
  }

  /**
   * The Kafka client properties of {@code user} (SASL, and TLS when the broker has it); none
   * without authentication.
   */
  public Map<String, String> clientProperties(String user) {
    return auth.map(a -> a.clientProperties(user)).orElse(Map.of());
  }

  /** Stops the registry, then the broker. */
  @Override
  public void close() {
    try {
      if (gate != null) {
        gate.close();
      }
      if (registry != null) {
        registry.close();
      }
    } finally {
      kafka.close();
    }
  }
}
