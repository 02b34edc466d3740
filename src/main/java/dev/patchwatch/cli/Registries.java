package dev.patchwatch.cli;

import dev.patchwatch.registry.ConfluentRegistryClient;
import java.nio.file.Path;

/** A registry client from the settings: URL, basic auth or bearer token, trust store. */
final class Registries {

  private Registries() {}

  static ConfluentRegistryClient client(Config config) {
    ConfluentRegistryClient.Builder builder =
        ConfluentRegistryClient.builder(config.get(Config.REGISTRY_URL));
    String basic = config.get(Config.REGISTRY_BASIC_AUTH);
    if (!basic.isEmpty()) {
      builder.basicAuth(basic);
    }
    String token = config.get(Config.REGISTRY_BEARER_TOKEN);
    if (!token.isEmpty()) {
      builder.bearerToken(token);
    }
    String trustStore = config.get(Config.REGISTRY_TRUSTSTORE_LOCATION);
    if (!trustStore.isEmpty()) {
      builder.trustStore(
          Path.of(trustStore), config.get(Config.REGISTRY_TRUSTSTORE_PASSWORD), "PKCS12");
    }
    return builder.build();
  }
}
