package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LocalRegistryIT {

  private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String V1 =
      "{\"type\":\"record\",\"name\":\"Host\",\"namespace\":\"test\",\"fields\":[{\"name\":\"ip\",\"type\":\"string\"}]}";
  private static final String V2 =
      "{\"type\":\"record\",\"name\":\"Host\",\"namespace\":\"test\",\"fields\":[{\"name\":\"ip\",\"type\":\"string\"},"
          + "{\"name\":\"owner\",\"type\":[\"null\",\"string\"],\"default\":null}]}";

  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path workDir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldServeTheConfluentApiWithBackwardCompatibilityAndStopOnClose() throws Exception {
    long pid;
    try (LocalRegistry registry = LocalRegistry.start(LocalRegistry.defaultHome(), workDir, 0)) {
      pid = registry.pid();
      assertThat(registry.url()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");

      assertThat(get(registry.url() + "/config"))
          .isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
      assertThat(post(registry.url() + "/subjects/hosts-value/versions", V1)).isEqualTo(200);
      String spaced = V1.replace(",", ",\n  ").replace(":", ": ");
      assertThat(post(registry.url() + "/subjects/hosts-value", spaced)).isEqualTo(200);
      assertThat(send("POST", registry.url() + "/subjects/hosts-value/versions", spaced).body())
          .isEqualTo("{\"id\":1}");
      String refusal =
          "{\"type\":\"record\",\"name\":\"Host\",\"namespace\":\"test\",\"fields\":[{\"name\":\"ip\",\"type\":\"string\"},"
              + "{\"name\":\"owner\",\"type\":\"string\"}]}";
      assertThat(post(registry.url() + "/subjects/hosts-value/versions", refusal)).isEqualTo(409);
      assertThat(Files.readString(registry.logFile()))
          .contains("Listening on: http://127.0.0.1:" + registry.port());
      assertThat(running(pid)).isTrue();
    }
    assertThat(running(pid)).isFalse();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldKeepSchemasAndIdsAcrossARestart() throws Exception {
    String v2Id;
    try (LocalRegistry registry = LocalRegistry.start(LocalRegistry.defaultHome(), workDir, 0)) {
      assertThat(post(registry.url() + "/subjects/hosts-value/versions", V1)).isEqualTo(200);
      assertThat(post(registry.url() + "/subjects/hosts-value/versions", V2)).isEqualTo(200);
      v2Id = get(registry.url() + "/subjects/hosts-value/versions/2");
    }

    try (LocalRegistry registry = LocalRegistry.start(LocalRegistry.defaultHome(), workDir, 0)) {
      assertThat(get(registry.url() + "/subjects")).isEqualTo("[\"hosts-value\"]");
      assertThat(get(registry.url() + "/subjects/hosts-value/versions/2")).isEqualTo(v2Id);
      assertThat(get(registry.url() + "/schemas/ids/2")).contains("owner");
      // a new schema gets a new id: the id sequence survived too
      String other = V1.replace("\"Host\"", "\"Other\"");
      HttpResponse<String> registered =
          send("POST", registry.url() + "/subjects/other-value/versions", other);
      assertThat(registered.body()).isEqualTo("{\"id\":3}");
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldRefuseAPortInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(
              () -> LocalRegistry.start(LocalRegistry.defaultHome(), workDir, taken.getLocalPort()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("port " + taken.getLocalPort() + " on 127.0.0.1 is in use");
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldShowTheEndOfTheLogWhenTheRegistryDiesStarting() throws Exception {
    Files.createDirectories(workDir.resolve("data"));
    Files.writeString(workDir.resolve("data/registry.mv.db"), "not an H2 database ".repeat(500));

    assertThatThrownBy(() -> LocalRegistry.start(LocalRegistry.defaultHome(), workDir, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("apicurio.log")
        .hasMessageContaining("registry.mv.db");
    assertThat(apicurioProcessesIn(workDir)).isEmpty();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldStopTheRegistryWhenItsJvmIsKilled() throws Exception {
    // no shutdown hook runs: the registry sees its standard input close, and exits soon after
    assertRegistryEndsWithItsJvm(holder -> holder.destroyForcibly(), Duration.ofSeconds(30));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldStopTheRegistryOnCtrlC() throws Exception {
    assertRegistryEndsWithItsJvm(
        holder -> {
          try {
            new ProcessBuilder("kill", "-INT", Long.toString(holder.pid())).start().waitFor();
          } catch (IOException e) {
            throw new IllegalStateException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        // the shutdown hook waits for the registry to end before the JVM does
        Duration.ZERO);
  }

  private void assertRegistryEndsWithItsJvm(
      java.util.function.Consumer<Process> end, Duration grace) throws Exception {
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LocalRegistryHolder.class.getName(),
                LocalRegistry.defaultHome().toString(),
                workDir.toString())
            .redirectErrorStream(true)
            .start();
    long registryPid;
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = lines.readLine();
      } while (line != null && !line.startsWith("READY "));
      assertThat(line).as("the holder's READY line").isNotNull();
      String[] ready = line.split(" ");
      registryPid = Long.parseLong(ready[1]);
      assertThat(get(ready[2] + "/config")).contains("BACKWARD");

      end.accept(holder);
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      holder.destroyForcibly();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (running(registryPid) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(running(registryPid)).as("registry process %d still running", registryPid).isFalse();
  }

  /** Alive and not a zombie waiting for a parent that is gone to reap it. */
  private static boolean running(long pid) {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  private static List<ProcessHandle> apicurioProcessesIn(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
        .filter(p -> running(p.pid()))
        .toList();
  }

  private String get(String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).header("Accept", MEDIA_TYPE).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
    return response.body();
  }

  private int post(String url, String schema) throws Exception {
    return send("POST", url, schema).statusCode();
  }

  private HttpResponse<String> send(String method, String url, String schema) throws Exception {
    String body =
        "{\"schema\":"
            + com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .build()
                .writeValueAsString(schema)
            + "}";
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Accept", MEDIA_TYPE)
            .header("Content-Type", MEDIA_TYPE)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
