package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertificatesTest {

  private static final Instant NOW = Instant.parse("2026-12-01T07:00:00Z");

  @TempDir Path tmp;

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  @Test
  void shouldMakeACaThatSignsABrokerCertificateForLocalhostAnd127001() throws Exception {
    LocalCertificates made = LocalCertificates.createOrLoad(tmp.resolve("tls"), at(NOW));

    assertThat(made.outcome()).isEqualTo(LocalCertificates.Outcome.CREATED);
    X509Certificate ca = made.ca();
    X509Certificate broker = made.broker();
    // the CA is self-signed, a CA (path length 0), and signs the broker certificate
    ca.verify(ca.getPublicKey());
    assertThat(ca.getSubjectX500Principal()).isEqualTo(ca.getIssuerX500Principal());
    assertThat(ca.getBasicConstraints()).isZero();
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    broker.verify(ca.getPublicKey());
    assertThat(broker.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(broker.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(broker.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(LocalCertificates.subjectAlternativeNames(broker))
        .containsExactly("dns:localhost", "ip:127.0.0.1");
    // valid from an hour back (a clock a little behind), for 397 days and ten years
    assertThat(broker.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
    assertThat(broker.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(397)));
    assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
    broker.checkValidity(java.util.Date.from(NOW));
    assertThat(broker.getSerialNumber()).isNotEqualTo(ca.getSerialNumber()).isPositive();

    // the files say the same: the chain in the key store, the CA alone in ca.pem
    assertThat(LocalCertificates.readCertificates(made.brokerKeystore()))
        .containsExactly(broker, ca);
    assertThat(LocalCertificates.readCertificates(made.caCertificate())).containsExactly(ca);
    assertThat(LocalCertificates.readPrivateKey(made.brokerKeystore())).isNotNull();
    assertThat(Files.readString(made.brokerKeystore()))
        .contains("-----BEGIN PRIVATE KEY-----")
        .doesNotContain("ENCRYPTED");
  }

  @Test
  void shouldKeepKeysPrivateAndTheCaCertificateReadable() throws Exception {
    Path dir = tmp.resolve("tls");
    LocalCertificates.createOrLoad(dir, at(NOW));
    assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class));

    assertThat(mode(dir)).isEqualTo("rwx------");
    assertThat(mode(dir.resolve("ca.key"))).isEqualTo("rw-------");
    assertThat(mode(dir.resolve("broker.pem"))).isEqualTo("rw-------");
    assertThat(mode(dir.resolve("ca.pem"))).isEqualTo("rw-r--r--");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ca.pem", "ca.key", "broker.pem");
    }
  }

  @Test
  void shouldReuseTheCertificatesOnLaterStarts() throws Exception {
    Path dir = tmp.resolve("tls");
    LocalCertificates first = LocalCertificates.createOrLoad(dir, at(NOW));
    String keystore = Files.readString(first.brokerKeystore());

    LocalCertificates again =
        LocalCertificates.createOrLoad(dir, at(NOW.plus(Duration.ofDays(200))));

    assertThat(again.outcome()).isEqualTo(LocalCertificates.Outcome.REUSED);
    assertThat(again.ca()).isEqualTo(first.ca());
    assertThat(again.broker()).isEqualTo(first.broker());
    assertThat(Files.readString(again.brokerKeystore())).isEqualTo(keystore);
  }

  @Test
  void shouldIssueTheBrokerCertificateAgainFromTheSameCaNearItsEnd() throws Exception {
    Path dir = tmp.resolve("tls");
    LocalCertificates first = LocalCertificates.createOrLoad(dir, at(NOW));
    // 29 days before the broker certificate ends
    Instant later = NOW.plus(Duration.ofDays(397 - 29));

    LocalCertificates renewed = LocalCertificates.createOrLoad(dir, at(later));

    assertThat(renewed.outcome()).isEqualTo(LocalCertificates.Outcome.BROKER_REISSUED);
    assertThat(renewed.ca()).isEqualTo(first.ca());
    assertThat(renewed.broker()).isNotEqualTo(first.broker());
    renewed.broker().verify(first.ca().getPublicKey());
    assertThat(renewed.broker().getNotAfter().toInstant())
        .isEqualTo(later.plus(Duration.ofDays(397)));
    assertThat(LocalCertificates.readCertificates(dir.resolve("broker.pem")).get(0))
        .isEqualTo(renewed.broker());
  }

  @Test
  void shouldIssueTheBrokerCertificateAgainWhenItsKeyStoreIsGone() throws Exception {
    Path dir = tmp.resolve("tls");
    LocalCertificates first = LocalCertificates.createOrLoad(dir, at(NOW));
    Files.delete(dir.resolve("broker.pem"));

    LocalCertificates again = LocalCertificates.createOrLoad(dir, at(NOW));

    assertThat(again.outcome()).isEqualTo(LocalCertificates.Outcome.BROKER_REISSUED);
    again.broker().verify(first.ca().getPublicKey());
  }

  @Test
  void shouldRefuseAnIncompleteOrEndingCaSayingWhatToDelete() throws Exception {
    Path dir = tmp.resolve("tls");
    LocalCertificates.createOrLoad(dir, at(NOW));
    Instant caEnd = NOW.plus(Duration.ofDays(3650));

    assertThatThrownBy(
            () -> LocalCertificates.createOrLoad(dir, at(caEnd.minus(Duration.ofDays(10)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expires on " + caEnd)
        .hasMessageContaining("delete " + dir.toAbsolutePath());

    Files.delete(dir.resolve("ca.key"));
    assertThatThrownBy(() -> LocalCertificates.createOrLoad(dir, at(NOW)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is incomplete (ca.key is missing)");
  }

  @Test
  void shouldBeReadByKafkasOwnPemKeyAndTrustStores() throws Exception {
    LocalCertificates made = LocalCertificates.createOrLoad(tmp.resolve("tls"), at(NOW));
    ConfigDef ssl = new ConfigDef().withClientSslSupport();

    try (DefaultSslEngineFactory server = new DefaultSslEngineFactory();
        DefaultSslEngineFactory client = new DefaultSslEngineFactory()) {
      server.configure(
          ssl.parse(
              Map.of(
                  "ssl.keystore.type",
                  "PEM",
                  "ssl.keystore.location",
                  made.brokerKeystore().toString())));
      client.configure(
          ssl.parse(
              Map.of(
                  "ssl.truststore.type",
                  "PEM",
                  "ssl.truststore.location",
                  made.caCertificate().toString())));

      SSLEngine serverEngine = server.createServerSslEngine("127.0.0.1", 9092);
      assertThat(serverEngine.getUseClientMode()).isFalse();
      assertThat(server.keystore().getCertificateChain(server.keystore().aliases().nextElement()))
          .containsExactly(made.broker(), made.ca());
      assertThat(
              List.of(
                  client.truststore().getCertificate(client.truststore().aliases().nextElement())))
          .containsExactly(made.ca());
    }
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
