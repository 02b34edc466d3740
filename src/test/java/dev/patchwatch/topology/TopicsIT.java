package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.local.KafkaTestSupport;
import dev.patchwatch.local.SharedKafka;
import dev.patchwatch.registry.InMemorySchemaRegistry;
import dev.patchwatch.runtime.TopicProvisioner;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicsIT {

  private static final long MARCH_2021 = Instant.parse("2021-03-01T00:00:00Z").toEpochMilli();

  @Test
  void shouldCreateTopicsWithTheConfigsOfTheDesign() throws Exception {
    String prefix = SharedKafka.unique("configs");
    Topics topics = Topics.create(prefix, prefix + "-app", new InMemorySchemaRegistry());
    try (Admin admin = admin()) {
      new TopicProvisioner(admin, Duration.ofSeconds(30)).ensure(topics, 3, Optional.empty());
      Map<String, String> scans = configs(admin, topics.scans().name());
      assertThat(scans)
          .containsEntry("retention.ms", "-1")
          .containsEntry("retention.bytes", "-1")
          .containsEntry("message.timestamp.type", "LogAppendTime")
          .containsEntry("cleanup.policy", "delete");
      for (TopicSpec<?, ?> aggregate :
          List.of(
              topics.countsHourly(),
              topics.countsDaily(),
              topics.exposureDaily(),
              topics.countsLive())) {
        assertThat(configs(admin, aggregate.name())).containsEntry("cleanup.policy", "compact");
      }
      assertThat(configs(admin, topics.rejected().name()))
          .containsEntry("cleanup.policy", "delete")
          .containsEntry("message.timestamp.type", "LogAppendTime");
      var provisioner = new TopicProvisioner(admin, Duration.ofSeconds(30));
      assertThat(provisioner.partitions(topics.scans().name())).contains(3);
      assertThat(provisioner.partitions(topics.progress().name())).contains(1);
    }
  }

  @Test
  void shouldRefuseAScansTopicWithAnotherPartitionCount() throws Exception {
    String prefix = SharedKafka.unique("repartitioned");
    Topics topics = Topics.create(prefix, prefix + "-app", new InMemorySchemaRegistry());
    try (Admin admin = admin()) {
      TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(30));
      provisioner.ensure(topics, 3, Optional.empty());
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> provisioner.ensure(topics, 4, Optional.empty()))
          .hasMessageContaining("has 3 partitions, not the 4 configured");
    }
  }

  @Test
  void shouldNeitherRefuseNorDeleteRecordsStampedIn2021() throws Exception {
    String prefix = SharedKafka.unique("old-timestamps");
    Topics topics = Topics.create(prefix, prefix + "-app", new InMemorySchemaRegistry());
    SharedKafka.provision(topics, 2);
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 100; i++) {
        // a scanner that stamps records with the time it saw the host, five years ago
        producer
            .send(
                new ProducerRecord<>(
                    topics.scans().name(), null, MARCH_2021 + i, null, new byte[] {1}))
            .get();
        producer
            .send(
                new ProducerRecord<>(
                    topics.rejected().name(), null, MARCH_2021 + i, null, new byte[] {2}))
            .get();
      }
    }
    // retention is checked every second on this broker: give it several chances to delete
    Thread.sleep(4_000);
    for (String topic : List.of(topics.scans().name(), topics.rejected().name())) {
      List<ConsumerRecord<byte[], byte[]>> records =
          KafkaTestSupport.consumeAll(
              SharedKafka.bootstrapServers(),
              topic,
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer(),
              100,
              Duration.ofSeconds(30));
      assertThat(records).hasSize(100);
      assertThat(records)
          .allSatisfy(
              r -> {
                assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
                assertThat(r.timestamp())
                    .isGreaterThan(MARCH_2021 + Duration.ofDays(365).toMillis());
              });
    }
  }

  private static Map<String, String> configs(Admin admin, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
    Map<String, String> values = new HashMap<>();
    config.entries().forEach(e -> values.put(e.name(), e.value()));
    return values;
  }

  private static Admin admin() {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()));
  }
}
