package dev.patchwatch.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

/**
 * How to reach the Kafka cluster: bootstrap servers and any client properties (SASL, TLS and the
 * like), given to every admin client, consumer and producer these jobs create.
 */
public record Cluster(String bootstrapServers, Map<String, String> properties) {

  public Cluster {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    properties = Map.copyOf(properties);
  }

  public static Cluster of(String bootstrapServers) {
    return new Cluster(bootstrapServers, Map.of());
  }

  /** The client properties with the bootstrap servers, to add a client's own settings to. */
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>(properties);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }

  public Admin admin() {
    return Admin.create(clientConfig());
  }
}
