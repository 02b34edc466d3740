package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.local.SharedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Why a restart of {@code local} after SIGKILL no longer waits 45 s: the killed run's group members
 * stay until their session times out, and {@code local} removes them before its topology starts.
 */
class StaleMembersIT {

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldRemoveTheMembersAKilledRunLeftInItsGroup() throws Exception {
    String topic = SharedKafka.unique("stale-members");
    String group = SharedKafka.unique("stale-group");
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())))
          .all()
          .get();
      // a member that stops polling without leaving, as a killed process does; its session lasts
      // far longer than this test
      KafkaConsumer<byte[], byte[]> killed =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  SharedKafka.bootstrapServers(),
                  ConsumerConfig.GROUP_ID_CONFIG,
                  group,
                  ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                  "60000"),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      try {
        killed.subscribe(List.of(topic));
        while (killed.assignment().isEmpty()) {
          killed.poll(Duration.ofMillis(200));
        }
        assertThat(members(admin, group)).isEqualTo(1);

        StringWriter err = new StringWriter();
        LocalCommand.removeStaleMembers(admin, group, new PrintWriter(err));

        assertThat(err.toString()).isEmpty();
        assertThat(members(admin, group)).isZero();
      } finally {
        killed.close(Duration.ZERO);
      }
    }
  }

  private static int members(Admin admin, String group) throws Exception {
    return admin
        .describeConsumerGroups(List.of(group))
        .describedGroups()
        .get(group)
        .get(30, TimeUnit.SECONDS)
        .members()
        .size();
  }
}
