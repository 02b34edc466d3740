package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

  @TempDir Path dir;

  @Test
  void shouldUseDefaultsWhenNothingIsGiven() {
    Config config = Config.load(Optional.empty(), Map.of(), Map.of());
    assertThat(config.get(Config.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
    assertThat(config.get(Config.REGISTRY_URL)).isEqualTo("http://127.0.0.1:8081/apis/ccompat/v7");
    assertThat(config.get(Config.HOURLY_GRACE)).isEqualTo(Duration.ofHours(1));
    assertThat(config.get(Config.DAILY_GRACE)).isEqualTo(Duration.ofHours(2));
    assertThat(config.get(Config.LOOK_BACK_DAYS)).isEqualTo(7);
    assertThat(config.kafkaProperties()).isEmpty();
  }

  @Test
  void shouldLetEnvironmentOverrideFileAndFlagsOverrideBoth() throws Exception {
    Path file = dir.resolve("patchwatch.properties");
    Files.writeString(
        file,
        "bootstrap.servers=file:9092\ngrace.daily=3h\nlookback.days=5\ntopic.prefix=fromfile\n");
    Config config =
        Config.load(
            Optional.of(file),
            Map.of(
                "PATCHWATCH_GRACE_DAILY",
                "4h",
                "PATCHWATCH_TOPIC_PREFIX",
                "fromenv",
                "HOME",
                "/root"),
            Map.of("topic.prefix", "fromflag"));
    assertThat(config.get(Config.BOOTSTRAP_SERVERS)).isEqualTo("file:9092");
    assertThat(config.get(Config.DAILY_GRACE)).isEqualTo(Duration.ofHours(4));
    assertThat(config.get(Config.LOOK_BACK_DAYS)).isEqualTo(5);
    assertThat(config.get(Config.TOPIC_PREFIX)).isEqualTo("fromflag");
  }

  @Test
  void shouldPassKafkaPropertiesThroughFromEverySource() throws Exception {
    Path file = dir.resolve("p.properties");
    Files.writeString(file, "kafka.security.protocol=SASL_SSL\nkafka.sasl.mechanism=PLAIN\n");
    Config config =
        Config.load(
            Optional.of(file),
            Map.of("PATCHWATCH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            Map.of("kafka.ssl.truststore.location", "/etc/ts.p12"));
    assertThat(config.kafkaProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", "/etc/ts.p12");
  }

  @Test
  void shouldNameTheSettingAndSourceOfAnInvalidValue() {
    assertThatThrownBy(
            () ->
                Config.load(Optional.empty(), Map.of("PATCHWATCH_GRACE_HOURLY", "soon"), Map.of()))
        .hasMessage(
            "grace.hourly (environment): \"soon\" is not a duration (e.g. 250ms, 90s, 5m, 2h, 7d or PT1H)");
    assertThatThrownBy(
            () -> Config.load(Optional.empty(), Map.of(), Map.of("registry.url", "localhost:8081")))
        .hasMessageContaining("registry.url (command line)");
    assertThatThrownBy(() -> Config.load(Optional.empty(), Map.of(), Map.of("lookback.days", "0")))
        .hasMessageContaining("lookback.days");
  }

  @Test
  void shouldRefuseAnUnknownSetting() throws Exception {
    Path file = dir.resolve("typo.properties");
    Files.writeString(file, "grace.hourlyy=2h\n");
    assertThatThrownBy(() -> Config.load(Optional.of(file), Map.of(), Map.of()))
        .hasMessage("unknown setting \"grace.hourlyy\" in file " + file);
  }

  @Test
  void shouldAcceptZeroAsNeverForTheIdleTimeout() {
    Config config = Config.load(Optional.empty(), Map.of(), Map.of("idle.timeout", "0"));
    TopologySettings settings = config.topologySettings(3);
    assertThat(settings.idleTimeout()).isZero();
    assertThat(settings.inputPartitions()).isEqualTo(3);
  }

  @Test
  void shouldReadDurationsAsPeopleWriteThem() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2H")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> Durations.parse("-5m")).hasMessageContaining("negative");
    assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Durations.parse("m")).hasMessageContaining("not a duration");
  }

  @Test
  void shouldDefaultMaxEventBytesToTheContractsAndRefuseLessThanAKibibyte() {
    assertThat(Config.load(Optional.empty(), Map.of(), Map.of()).get(Config.MAX_EVENT_BYTES))
        .isEqualTo(524_288);
    assertThat(
            Config.load(Optional.empty(), Map.of("PATCHWATCH_MAX_EVENT_BYTES", "65536"), Map.of())
                .get(Config.MAX_EVENT_BYTES))
        .isEqualTo(65_536);
    assertThatThrownBy(
            () -> Config.load(Optional.empty(), Map.of(), Map.of("max.event.bytes", "1000")))
        .hasMessageContaining("max.event.bytes (command line): 1000 is below the minimum 1024");
  }

  @Test
  void shouldServeHttpOnLoopbackPort8080WithoutATokenByDefault() {
    Config config = Config.load(Optional.empty(), Map.of(), Map.of());
    assertThat(config.get(Config.HTTP_PORT)).isEqualTo(8080);
    assertThat(config.get(Config.HTTP_HOST)).isEqualTo("127.0.0.1");
    assertThat(config.get(Config.HTTP_TOKEN)).isEmpty();
    Config off =
        Config.load(
            Optional.empty(), Map.of("PATCHWATCH_HTTP_TOKEN", "t0ken"), Map.of("http.port", "0"));
    assertThat(off.get(Config.HTTP_PORT)).isZero();
    assertThat(off.get(Config.HTTP_TOKEN)).isEqualTo("t0ken");
  }

  @Test
  void shouldRefuseAnHttpPortOutsideTheRange() {
    assertThatThrownBy(() -> Config.load(Optional.empty(), Map.of(), Map.of("http.port", "65536")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("http.port (command line): 65536 is not within 0 to 65535");
  }
}
