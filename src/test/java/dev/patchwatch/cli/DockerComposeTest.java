package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * What can be checked of {@code docker-compose.yml}, {@code docker-compose.confluent.yml} and the
 * {@code Dockerfile} without a Docker engine: the settings, images, addresses, ports and jar path
 * they name agree with each other and with the build.
 */
class DockerComposeTest {

  private static final Path COMPOSE = Path.of("docker-compose.yml");
  private static final Path CONFLUENT = Path.of("docker-compose.confluent.yml");
  private static final Path DOCKERFILE = Path.of("Dockerfile");
  private static final Pattern PINNED =
      Pattern.compile("[^:@\\s]+(:[^:\\s]+|@sha256:[0-9a-f]{64})");

  @Test
  void shouldSetOnlyPatchWatchVariablesThatRunKnows() throws IOException {
    Set<String> known =
        Config.ALL.stream().map(Setting::environmentVariable).collect(Collectors.toSet());
    List<String> used = new ArrayList<>();
    for (Map<String, Object> compose : List.of(compose(COMPOSE), compose(CONFLUENT))) {
      services(compose).values().forEach(s -> used.addAll(environment(s).keySet()));
    }
    for (String line : Files.readAllLines(DOCKERFILE)) {
      Matcher env = Pattern.compile("^ENV\\s+(\\w+)=").matcher(line);
      if (env.find()) {
        used.add(env.group(1));
      }
    }
    List<String> patchwatch = used.stream().filter(v -> v.startsWith("PATCHWATCH_")).toList();
    assertThat(patchwatch).contains("PATCHWATCH_BOOTSTRAP_SERVERS", "PATCHWATCH_REGISTRY_URL");
    for (String variable : patchwatch) {
      assertThat(known.contains(variable) || variable.startsWith("PATCHWATCH_KAFKA_"))
          .as("%s is a setting of `run` (run --help)", variable)
          .isTrue();
    }
  }

  @Test
  void shouldRunCommandsThatParse() throws IOException {
    for (Map<String, Object> service : services(compose(COMPOSE)).values()) {
      if (service.get("command") instanceof List<?> command) {
        String[] args = command.stream().map(String::valueOf).toArray(String[]::new);
        CommandLine.ParseResult parsed = PatchWatch.commandLine().parseArgs(args);
        assertThat(parsed.hasSubcommand()).as("%s", command).isTrue();
      }
    }
  }

  @Test
  void shouldPinEveryImage() throws IOException {
    List<String> images = new ArrayList<>();
    for (Map<String, Object> compose : List.of(compose(COMPOSE), compose(CONFLUENT))) {
      services(compose).values().stream()
          .map(s -> s.get("image"))
          .filter(i -> i != null)
          .forEach(i -> images.add(i.toString()));
    }
    for (String line : Files.readAllLines(DOCKERFILE)) {
      Matcher from = Pattern.compile("^FROM\\s+(\\S+)").matcher(line);
      if (from.find()) {
        images.add(from.group(1));
      }
    }
    assertThat(images).hasSizeGreaterThanOrEqualTo(7);
    for (String image : images) {
      assertThat(image).as("pinned").matches(PINNED);
      assertThat(image).as("pinned").doesNotEndWith(":latest");
      String tag = image.substring(image.lastIndexOf(':') + 1);
      assertThat(tag).as("%s: an explicit version, not a floating major", image).contains(".");
    }
  }

  @Test
  void shouldReachTheBrokerOnTheListenersItAdvertises() throws IOException {
    for (Map<String, Object> compose : List.of(compose(COMPOSE), merged())) {
      Map<String, Map<String, Object>> services = services(compose);
      Map<String, String> broker = environment(services.get("broker"));
      Set<String> advertised = addresses(broker.get("KAFKA_ADVERTISED_LISTENERS"));
      assertThat(advertised).contains("broker:19092", "localhost:9092");
      // the host's listener is published on the host, where `localhost:9092` means it
      assertThat(publishedHostPorts(services.get("broker"))).containsEntry(9092, 9092);
      String brokerHost = hostname(services, "broker");
      assertThat(advertised).anyMatch(a -> a.startsWith(brokerHost + ":"));
      for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
        Map<String, String> env = environment(service.getValue());
        for (String key :
            List.of(
                "PATCHWATCH_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS")) {
          if (env.containsKey(key)) {
            assertThat(addresses(env.get(key)))
                .as("%s of %s", key, service.getKey())
                .isNotEmpty()
                .allMatch(a -> advertised.contains(a) && a.startsWith(brokerHost + ":"));
            assertThat(dependsOn(service.getValue())).containsEntry("broker", "service_healthy");
          }
        }
      }
    }
  }

  @Test
  void shouldReachTheRegistryWhereItListens() throws IOException {
    Map<String, Map<String, Object>> apicurio = services(compose(COMPOSE));
    Map<String, Map<String, Object>> confluent = services(merged());
    assertThat(apicurio.get("registry").get("image").toString())
        .startsWith("apicurio/apicurio-registry-mem:2.6.13");
    assertThat(confluent.get("registry").get("image").toString())
        .startsWith("confluentinc/cp-schema-registry:");
    // Apicurio listens on 8080, its Confluent API under /apis/ccompat/v7
    assertRegistryUrls(apicurio, 8080, "/apis/ccompat/v7");
    URI listener =
        URI.create(environment(confluent.get("registry")).get("SCHEMA_REGISTRY_LISTENERS"));
    assertRegistryUrls(confluent, listener.getPort(), "");
  }

  @Test
  void shouldPublishDistinctPortsOnLoopbackOnly() throws IOException {
    for (Map<String, Object> compose : List.of(compose(COMPOSE), merged())) {
      Map<Integer, String> owner = new HashMap<>();
      for (Map.Entry<String, Map<String, Object>> service : services(compose).entrySet()) {
        for (Object port : ports(service.getValue())) {
          assertThat(port.toString())
              .as("%s of %s", port, service.getKey())
              .startsWith("127.0.0.1:");
        }
        for (int host : publishedHostPorts(service.getValue()).keySet()) {
          String previous = owner.put(host, service.getKey());
          assertThat(previous).as("host port %d of %s", host, service.getKey()).isNull();
        }
      }
      assertThat(owner).isNotEmpty();
    }
  }

  @Test
  void shouldStartInOrderOnHealthyServices() throws IOException {
    Map<String, Map<String, Object>> services = services(compose(COMPOSE));
    assertThat(dependsOn(services.get("patchwatch")))
        .containsEntry("broker", "service_healthy")
        .containsEntry("registry", "service_healthy");
    assertThat(dependsOn(services.get("scanner"))).containsKey("patchwatch");
    for (String dependency : List.of("broker", "registry")) {
      assertThat(services.get(dependency)).as(dependency).containsKey("healthcheck");
    }
    assertThat(services(merged()).get("registry")).containsKey("healthcheck");
  }

  @Test
  void shouldRunTheJarTheBuildProducesAsAnUnprivilegedUser() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
    assertThat(finalName.find()).isTrue();
    String jar = finalName.group(1) + ".jar";

    List<String> lines = Files.readAllLines(DOCKERFILE);
    String buildDir = null;
    String copiedTo = null;
    String user = null;
    String entrypoint = null;
    for (String line : lines) {
      Matcher workdir = Pattern.compile("^WORKDIR\\s+(\\S+)").matcher(line);
      if (workdir.find() && buildDir == null) {
        buildDir = workdir.group(1);
      }
      Matcher copy = Pattern.compile("^COPY\\s+--from=build\\s+(\\S+)\\s+(\\S+)").matcher(line);
      if (copy.find()) {
        assertThat(copy.group(1)).isEqualTo(buildDir + "/target/" + jar);
        copiedTo = copy.group(2);
      }
      if (line.startsWith("USER ")) {
        user = line.substring(5).strip();
      }
      if (line.startsWith("ENTRYPOINT ")) {
        entrypoint = line.substring(11).strip();
      }
    }
    assertThat(copiedTo).endsWith("/" + jar);
    assertThat(user).isNotBlank().isNotEqualTo("root").isNotEqualTo("0");
    // exec form, no shell: java runs as PID 1 and gets the stop signal
    assertThat(entrypoint).isEqualTo("[\"java\", \"-jar\", \"" + copiedTo + "\"]");
    assertThat(lines).anyMatch(l -> l.matches("^FROM\\s+eclipse-temurin:17[.\\w-]*-jre.*"));
  }

  private static void assertRegistryUrls(
      Map<String, Map<String, Object>> services, int port, String path) {
    String host = hostname(services, "registry");
    int urls = 0;
    for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
      String url = environment(service.getValue()).get("PATCHWATCH_REGISTRY_URL");
      if (url != null) {
        URI uri = URI.create(url);
        assertThat(uri.getHost()).as("registry host of %s", service.getKey()).isEqualTo(host);
        assertThat(uri.getPort()).as("registry port of %s", service.getKey()).isEqualTo(port);
        assertThat(uri.getPath()).as("registry path of %s", service.getKey()).isEqualTo(path);
        assertThat(dependsOn(service.getValue())).containsEntry("registry", "service_healthy");
        urls++;
      }
    }
    assertThat(urls).isEqualTo(2);
    // the host's port maps to where the registry listens
    assertThat(publishedHostPorts(services.get("registry"))).containsValue(port);
  }

  /** The services of the base file with the Confluent file over them, as compose merges them. */
  private static Map<String, Object> merged() throws IOException {
    Map<String, Object> base = compose(COMPOSE);
    Map<String, Map<String, Object>> services = services(base);
    services(compose(CONFLUENT))
        .forEach(
            (name, override) -> {
              Map<String, Object> service = new LinkedHashMap<>(services.get(name));
              override.forEach(
                  (key, value) -> {
                    if (key.equals("environment")) {
                      Map<String, String> env = new LinkedHashMap<>(environment(service));
                      env.putAll(environment(override));
                      service.put(key, env);
                    } else {
                      service.put(key, value);
                    }
                  });
              services.put(name, service);
            });
    Map<String, Object> merged = new LinkedHashMap<>(base);
    merged.put("services", services);
    return merged;
  }

  private static Map<String, Object> compose(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file)) {
      Map<String, Object> compose = new Yaml().load(in);
      assertThat(compose).as(file.toString()).containsKey("services");
      return compose;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services(Map<String, Object> compose) {
    return new LinkedHashMap<>((Map<String, Map<String, Object>>) compose.get("services"));
  }

  private static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new LinkedHashMap<>();
    if (service.get("environment") instanceof Map<?, ?> map) {
      map.forEach((k, v) -> env.put(k.toString(), String.valueOf(v)));
    }
    return env;
  }

  private static Map<String, String> dependsOn(Map<String, Object> service) {
    Map<String, String> conditions = new LinkedHashMap<>();
    if (service.get("depends_on") instanceof Map<?, ?> map) {
      map.forEach(
          (k, v) ->
              conditions.put(
                  k.toString(),
                  v instanceof Map<?, ?> c ? String.valueOf(c.get("condition")) : ""));
    }
    return conditions;
  }

  private static List<?> ports(Map<String, Object> service) {
    return service.get("ports") instanceof List<?> list ? list : List.of();
  }

  /** Host port to container port, of "127.0.0.1:HOST:CONTAINER" entries. */
  private static Map<Integer, Integer> publishedHostPorts(Map<String, Object> service) {
    Map<Integer, Integer> ports = new LinkedHashMap<>();
    for (Object port : ports(service)) {
      String[] parts = port.toString().split(":");
      assertThat(parts).as("%s: IP:HOST:CONTAINER", port).hasSize(3);
      ports.put(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }
    return ports;
  }

  private static String hostname(Map<String, Map<String, Object>> services, String name) {
    Object hostname = services.get(name).get("hostname");
    return hostname == null ? name : hostname.toString();
  }

  /** "PLAINTEXT://broker:19092,X://localhost:9092" or "broker:19092" to {broker:19092, ...}. */
  private static Set<String> addresses(String listeners) {
    return java.util.Arrays.stream(listeners.split(","))
        .map(String::strip)
        .map(a -> a.contains("://") ? a.substring(a.indexOf("://") + 3) : a)
        .collect(Collectors.toSet());
  }
}
