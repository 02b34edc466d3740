package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS against a registry whose self-signed certificate the JDK's trust store does not hold. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfluentRegistryClientTlsTest {

  private static final String PASSWORD = "changeit";

  @TempDir static Path keys;
  private static Path serverKeyStore;
  private static Path trustStore;

  private ScriptedRegistryServer server;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    // keytool ships with every JDK; the JDK has no public API to issue a certificate.
    serverKeyStore = keys.resolve("server.p12");
    trustStore = keys.resolve("trust.p12");
    Path certificate = keys.resolve("server.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "registry",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "30",
        "-keystore",
        serverKeyStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "registry",
        "-keystore",
        serverKeyStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        certificate.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "registry",
        "-file",
        certificate.toString(),
        "-keystore",
        trustStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
  }

  @BeforeEach
  void startServer() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(serverKeyStore)) {
      store.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(store, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    server = ScriptedRegistryServer.https(context);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void shouldTrustTheConfiguredTrustStore() {
    server.reply(200, "[\"s\"]");

    List<String> subjects =
        ConfluentRegistryClient.builder(server.url("/apis/ccompat/v7"))
            .trustStore(trustStore, PASSWORD, "PKCS12")
            .build()
            .subjects();

    assertThat(subjects).containsExactly("s");
    assertThat(server.url("")).startsWith("https://");
  }

  @Test
  void shouldRefuseAnUntrustedCertificateWithoutRetrying() {
    server.reply(200, "[\"s\"]");
    ConfluentRegistryClient client =
        ConfluentRegistryClient.builder(server.url("/apis/ccompat/v7"))
            .sleeper(sleeps::add)
            .build();

    assertThatThrownBy(client::subjects)
        .isExactlyInstanceOf(RegistryUnreachableException.class)
        .hasMessageContaining("TLS")
        .hasMessageContaining(server.url("/apis/ccompat/v7"));
    assertThat(sleeps).isEmpty();
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void shouldExplainATrustStoreThatCannotBeLoaded() {
    assertThatThrownBy(
            () ->
                ConfluentRegistryClient.builder(server.url(""))
                    .trustStore(keys.resolve("missing.p12"), PASSWORD, "PKCS12")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing.p12");
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }
}
