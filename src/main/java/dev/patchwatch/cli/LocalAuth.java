package dev.patchwatch.cli;

import dev.patchwatch.local.LocalCredentials;
import dev.patchwatch.local.LocalStack;
import dev.patchwatch.runtime.AccessPolicy;
import dev.patchwatch.runtime.Cluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code local --auth} once the stack is up: the ACLs of each role applied as the admin, and one
 * client properties file per user, usable as {@code --config} (with {@code --tls}, SASL_SSL with
 * the local CA certificate as trust store).
 */
final class LocalAuth {

  private LocalAuth() {}

  /**
   * Applies the ACLs, writes {@code <user>.properties} next to the passwords (mode 600) with this
   * start's addresses, and returns the cluster as the application sees it.
   */
  static Cluster secure(LocalStack stack, LocalCredentials credentials, Config config) {
    Cluster admin = cluster(stack, LocalCredentials.ADMIN);
    AccessPolicy.Roles roles =
        new AccessPolicy.Roles(
            "User:" + LocalCredentials.APPLICATION,
            "User:" + LocalCredentials.SCANNER,
            "User:" + LocalCredentials.READER);
    try (Admin client = admin.admin()) {
      AclsCommand.apply(
          client,
          AccessPolicy.bindings(
              config.get(Config.TOPIC_PREFIX), config.get(Config.APPLICATION_ID), roles));
    }
    for (String user : LocalCredentials.USERS) {
      writeClientConfig(stack, credentials, config, user);
    }
    return cluster(stack, LocalCredentials.APPLICATION);
  }

  private static Cluster cluster(LocalStack stack, String user) {
    return new Cluster(stack.bootstrapServers(), stack.clientProperties(user));
  }

  private static void writeClientConfig(
      LocalStack stack, LocalCredentials credentials, Config config, String user) {
    Map<String, String> lines = new TreeMap<>();
    lines.put(Config.BOOTSTRAP_SERVERS.key(), stack.bootstrapServers());
    lines.put(Config.REGISTRY_URL.key(), stack.registryUrl());
    lines.put(Config.TOPIC_PREFIX.key(), config.get(Config.TOPIC_PREFIX));
    lines.put(Config.APPLICATION_ID.key(), config.get(Config.APPLICATION_ID));
    stack
        .clientProperties(user)
        .forEach((key, value) -> lines.put(Config.KAFKA_PREFIX + key, value));
    StringBuilder text =
        new StringBuilder("# PatchWatch client settings for User:")
            .append(user)
            .append(" on the local stack (use with --config); rewritten at each start\n");
    lines.forEach((key, value) -> text.append(key).append('=').append(escape(value)).append('\n'));
    Path file = credentials.dir().resolve(user + ".properties");
    try {
      LocalCredentials.writePrivate(file, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * java.util.Properties escapes: the JAAS line holds '=' and quotes, which are fine; '\' is not.
   */
  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }
}
