package dev.patchwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanPublisherClientConfigTest {

  @TempDir Path dir;

  @Test
  void shouldTakeTheClientFileLocalAuthWritesForTheScanner() throws Exception {
    // as LocalAuth writes <data-dir>/credentials/scanner.properties
    Path file = dir.resolve("scanner.properties");
    Files.writeString(
        file,
        "# PatchWatch client settings for User:scanner\n"
            + "application.id=patchwatch\n"
            + "bootstrap.servers=127.0.0.1:19392\n"
            + "kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
            + " required username=\"scanner\" password=\"p=w\";\n"
            + "kafka.sasl.mechanism=SCRAM-SHA-512\n"
            + "kafka.security.protocol=SASL_PLAINTEXT\n"
            + "registry.url=http://127.0.0.1:18391/apis/ccompat/v7\n"
            + "topic.prefix=acme\n");

    var properties = ScanPublisher.builder().clientConfig(file).producerProperties();

    assertThat(properties)
        .containsEntry("bootstrap.servers", "127.0.0.1:19392")
        .containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"scanner\" password=\"p=w\";")
        .containsEntry("patchwatch.topic.prefix", "acme")
        .doesNotContainKeys("application.id", "registry.url", "kafka.security.protocol");
  }

  @Test
  void shouldRefuseAFileWithoutServersOrRegistry() throws Exception {
    Path file = dir.resolve("half.properties");
    Files.writeString(file, "bootstrap.servers=127.0.0.1:9092\n");
    assertThatThrownBy(() -> ScanPublisher.builder().clientConfig(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registry.url");
    assertThatThrownBy(() -> ScanPublisher.builder().clientConfig(dir.resolve("missing")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("missing");
  }
}
