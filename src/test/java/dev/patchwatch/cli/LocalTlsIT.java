package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.avro.Dimension;
import dev.patchwatch.avro.Granularity;
import dev.patchwatch.avro.RemediationCount;
import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.reference.FinalsAssert;
import dev.patchwatch.reference.RandomEvents;
import dev.patchwatch.reference.ReferenceModel;
import dev.patchwatch.registry.ConfluentRegistryClient;
import dev.patchwatch.runtime.TopicReader;
import dev.patchwatch.scanner.ScanPublisher;
import dev.patchwatch.topology.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local --auth --tls} as a user runs it, in its own JVM: its client listener speaks SASL_SSL
 * with the CA it wrote to the data directory, and the client files it wrote work unchanged for the
 * SDK, {@code ingest} and {@code tail}, while the topology it runs as the application gives the
 * reference finals. Clients without TLS, or without the local CA, are refused.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocalTlsIT {

  private static final int PARTITIONS = 3;
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir static Path tmp;
  private static Path dataDir;
  private static Process local;
  private static Path log;
  private static String bootstrap;
  private static String registryUrl;

  @BeforeAll
  static void startLocalWithTls() throws Exception {
    dataDir = tmp.resolve("data");
    log = tmp.resolve("local.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    local =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                PatchWatch.class.getName(),
                "local",
                "--auth",
                "--tls",
                "--data-dir",
                dataDir.toString(),
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--partitions",
                String.valueOf(PARTITIONS),
                "--idle-timeout",
                "0",
                "--set",
                "http.port=0")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(200).toNanos();
    while (!log().contains("PatchWatch is running locally")) {
      assertThat(local.isAlive()).as("local exited:\n" + log()).isTrue();
      assertThat(System.nanoTime()).as("local not up in time:\n" + log()).isLessThan(deadline);
      Thread.sleep(200);
    }
    // the printout may still be on its way
    Thread.sleep(500);
    bootstrap = printed("kafka");
    registryUrl = printed("registry");
  }

  @AfterAll
  static void stopLocal() throws Exception {
    if (local != null && local.isAlive()) {
      // Ctrl-C: the stack closes in order
      local.destroy();
      if (!local.waitFor(60, TimeUnit.SECONDS)) {
        local.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void shouldWriteClientFilesForSaslSslWithTheLocalCaAndKeepKeysPrivate() throws Exception {
    assertThat(log()).contains("  auth      SASL_SSL SCRAM-SHA-512");
    Path ca = dataDir.resolve("tls/ca.pem");
    assertThat(log()).contains("  tls       CA certificate " + ca.toAbsolutePath());
    for (String user : List.of("admin", "patchwatch", "scanner", "reader")) {
      Properties file = clientFile(user);
      assertThat(file.getProperty("bootstrap.servers")).isEqualTo(bootstrap);
      assertThat(file.getProperty("kafka.security.protocol")).isEqualTo("SASL_SSL");
      assertThat(file.getProperty("kafka.sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
      assertThat(file.getProperty("kafka.ssl.truststore.type")).isEqualTo("PEM");
      assertThat(file.getProperty("kafka.ssl.truststore.location"))
          .isEqualTo(ca.toAbsolutePath().toString());
      assertThat(mode(dataDir.resolve("credentials/" + user + ".properties")))
          .isEqualTo("rw-------");
    }
    assertThat(mode(ca)).isEqualTo("rw-r--r--");
    assertThat(mode(dataDir.resolve("tls/ca.key"))).isEqualTo("rw-------");
    assertThat(mode(dataDir.resolve("tls/broker.pem"))).isEqualTo("rw-------");
  }

  @Test
  void shouldServeTlsWithACertificateTheLocalCaSignedFor127001() throws Exception {
    X509Certificate ca = caCertificate();
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("local-ca", ca);
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers.getTrustManagers(), null);
    String[] hostPort = bootstrap.split(":");

    try (SSLSocket socket =
        (SSLSocket)
            context.getSocketFactory().createSocket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      SSLParameters parameters = socket.getSSLParameters();
      // the name check a Kafka client makes (ssl.endpoint.identification.algorithm=https)
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();

      X509Certificate broker = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      broker.verify(ca.getPublicKey());
      assertThat(broker.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    }
  }

  @Test
  void shouldCountWhatTheSdkAndIngestPublishAsTheScannerAndShowItToTheReader() throws Exception {
    // today's dates: this month, closed by a watermark on the eve of the fixed clock (the weekly
    // exposure windows of the last day end a week later, by 2026-11-21)
    List<ScanEvent> events =
        RandomEvents.generate(
            1202,
            RandomEvents.Options.defaults()
                .withStart(Instant.parse("2026-11-12T00:00:00Z"))
                .withHosts(40)
                .withDays(2));
    int half = events.size() / 2;
    Path scannerFile = dataDir.resolve("credentials/scanner.properties");

    // the first half through the SDK, configured by the scanner's file alone
    try (ScanPublisher publisher =
        ScanPublisher.builder().clientConfig(scannerFile).clock(CLOCK).build()) {
      for (ScanEvent event : events.subList(0, half)) {
        publisher.publish(event).get(30, TimeUnit.SECONDS);
      }
    }
    // the second half with ingest --config, then the watermark that closes every window
    Path second = tmp.resolve("second-half.jsonl");
    RandomEvents.writeJsonLines(events.subList(half, events.size()), second);
    Cli ingest =
        Cli.run(
            "ingest", "--format", "jsonl", "--config", scannerFile.toString(), second.toString());
    assertThat(ingest.exitCode()).as(ingest.out() + ingest.err()).isZero();
    // the command prints its count with the default locale's grouping
    assertThat(ingest.out())
        .startsWith(String.format("published %,d events", events.size() - half));
    try (ScanPublisher publisher =
        ScanPublisher.builder().clientConfig(scannerFile).clock(CLOCK).build()) {
      publisher.watermark(Instant.parse("2026-11-30T00:00:00Z")).get(30, TimeUnit.SECONDS);
    }

    List<RemediationCount> expected = ReferenceModel.compute(events, PARTITIONS).finals();
    List<RemediationCount> finals = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    do {
      assertThat(local.isAlive()).as(log()).isTrue();
      Thread.sleep(1_000);
      finals = readFinals("reader");
    } while (finals.size() < expected.size() && System.nanoTime() < deadline);
    finals.sort(ReferenceModel.OUTPUT_ORDER);
    FinalsAssert.assertSameFinals(finals, expected);

    Cli tail =
        Cli.run(
            "tail",
            "--config",
            dataDir.resolve("credentials/reader.properties").toString(),
            "--format",
            "json",
            "--dimension",
            "GLOBAL",
            "daily");
    assertThat(tail.exitCode()).as(tail.err()).isZero();
    long dailyGlobal =
        expected.stream()
            .filter(
                c ->
                    c.getGranularity() == Granularity.DAILY && c.getDimension() == Dimension.GLOBAL)
            .count();
    assertThat(dailyGlobal).isPositive();
    assertThat(tail.out().lines()).hasSize((int) dailyGlobal);
    System.out.printf(
        "local --auth --tls: %d events (SDK and ingest), %d finals exact%n",
        events.size(), finals.size());
  }

  @Test
  void shouldRefuseClientsWithoutTls() throws Exception {
    Properties reader = clientFile("reader");
    String jaas = reader.getProperty("kafka.sasl.jaas.config");
    for (String protocol : List.of("SASL_PLAINTEXT", "PLAINTEXT")) {
      Map<String, Object> config = new HashMap<>();
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put("security.protocol", protocol);
      if (protocol.startsWith("SASL")) {
        config.put("sasl.mechanism", "SCRAM-SHA-512");
        config.put("sasl.jaas.config", jaas);
      }
      config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
      try (Admin admin = Admin.create(config)) {
        // the TLS listener drops a connection that does not start with a TLS handshake; the client
        // never gets an answer, whatever its credentials
        assertThatThrownBy(() -> admin.listTopics().names().get(20, TimeUnit.SECONDS))
            .as(protocol)
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
      }
    }
    // and tail with the reader's file made plaintext fails on one line
    Path plaintext = tmp.resolve("reader-plaintext.properties");
    Files.writeString(
        plaintext,
        Files.readString(dataDir.resolve("credentials/reader.properties"))
            .replace("kafka.security.protocol=SASL_SSL", "kafka.security.protocol=SASL_PLAINTEXT"));
    Cli tail = Cli.run("tail", "--config", plaintext.toString(), "daily");
    assertThat(tail.exitCode()).isEqualTo(1);
    assertThat(tail.err().strip().lines()).hasSize(1);
    assertThat(tail.err()).startsWith("error: ");
  }

  @Test
  void shouldRefuseATlsClientThatDoesNotTrustTheLocalCa() {
    Properties reader = clientFile("reader");
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", "SCRAM-SHA-512");
    config.put("sasl.jaas.config", reader.getProperty("kafka.sasl.jaas.config"));
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    // the JDK's default trust store: public CAs, not this one
    try (Admin admin = Admin.create(config)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SslAuthenticationException.class);
    }
  }

  private static List<RemediationCount> readFinals(String user) throws Exception {
    Properties file = clientFile(user);
    Map<String, Object> config = new HashMap<>();
    for (String key : file.stringPropertyNames()) {
      if (key.startsWith("kafka.")) {
        config.put(key.substring("kafka.".length()), file.getProperty(key));
      }
    }
    Topics topics =
        Topics.create(
            file.getProperty("topic.prefix"),
            file.getProperty("application.id"),
            ConfluentRegistryClient.builder(registryUrl).build());
    List<RemediationCount> finals = new ArrayList<>();
    for (Granularity g : Granularity.values()) {
      TopicReader.readAll(
          bootstrap, new HashMap<>(config), topics.finals(g), r -> finals.add(r.value()));
    }
    return finals;
  }

  private static X509Certificate caCertificate() throws Exception {
    try (InputStream in = Files.newInputStream(dataDir.resolve("tls/ca.pem"))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static Properties clientFile(String user) {
    Properties properties = new Properties();
    try (Reader in =
        Files.newBufferedReader(
            dataDir.resolve("credentials/" + user + ".properties"), StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return properties;
  }

  private static String printed(String label) {
    Matcher line = Pattern.compile("(?m)^  " + label + " +(\\S+)$").matcher(log());
    assertThat(line.find()).as(label + " in:\n" + log()).isTrue();
    return line.group(1);
  }

  private static String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
